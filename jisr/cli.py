"""The `jisr` command line: run the stack, serve a service, operate it."""

from __future__ import annotations

import typer

from jisr.commands import (
    analytics,
    audit,
    bench,
    complaints,
    contracts,
    deploy,
    incidents,
    keys,
    ledger,
    operations,
    stack,
    token,
)

app = typer.Typer(help="jisr: community-policing platform.", no_args_is_help=True)
app.command()(stack.up)
app.command()(stack.serve)
app.command()(stack.migrate)
app.command(name="token")(token.token)
app.add_typer(contracts.app, name="contracts")
app.add_typer(bench.app, name="bench")
app.add_typer(operations.outbox_app, name="outbox")
app.add_typer(operations.dlq_app, name="dlq")
app.add_typer(ledger.app, name="ledger")
app.add_typer(audit.app, name="audit")
app.add_typer(analytics.app, name="analytics")
app.add_typer(complaints.app, name="complaints")
app.add_typer(incidents.app, name="incidents")
app.add_typer(deploy.app, name="deploy")
app.add_typer(keys.app, name="keys")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
