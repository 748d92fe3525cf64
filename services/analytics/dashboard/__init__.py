"""The dashboard's presentation: what each page shows (specs), how a page is rendered
(render, templates, static), a view's table as CSV (exports). No queries: the routes hand it
the views the application layer built."""
