"""The complaints use cases, one module per family. Each function takes the open session of
its transaction (the route opens it with `in_transaction` or `idempotency.write`) and never
commits; events leave through `events.emit`, the one place the service publishes."""
