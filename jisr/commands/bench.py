"""`jisr bench ...`: benchmarks that print a figure beside its baseline from the same run."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks (each prints its baseline from the same run).")


@app.command()
def pipeline(n: int = typer.Option(20_000, "--n", "-n", help="events to push")) -> None:
    """Incident events through outbox → relay → broker → inbox → projection vs raw aiokafka."""
    from jisr.bench import pipeline as run

    typer.echo(run(n).report())
