"""The fora use cases. Each function is one use case's work inside the caller's open
transaction (routes open it with `in_transaction` or `idempotency.write`): it loads through
the repositories, lets the domain decide, writes, and publishes the events with
`libs.chassis.outbox.publish`. None commits, so tests run them on a rollback session."""
