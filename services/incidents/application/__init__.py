"""The incidents use cases: each function does one transaction's work on the caller's open
session (repositories for storage, the domain for rules, `outbox.publish` for the events) and
never commits; the route (or the bulk writer, a batch at a time) owns the transaction."""
