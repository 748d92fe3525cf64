"""HTTP routes: the statistics API (stats), the dashboard pages and login (pages), the public
report (public). They parse, call the application layer in one transaction, serialise."""
