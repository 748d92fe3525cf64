"""The use cases: a view for a caller, the public report, the rebuild. Each takes the open
session (the routes run it through `libs.chassis.db.in_transaction`) and never commits."""
