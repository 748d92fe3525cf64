"""`jisr bench ...`: benchmarks that print a figure beside its baseline from the same run."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks (each prints its baseline from the same run).")


@app.command()
def pipeline(n: int = typer.Option(20_000, "--n", "-n", help="events to push")) -> None:
    """Incident events through outbox → relay → broker → inbox → projection vs raw aiokafka."""
    from jisr.bench import pipeline as run

    typer.echo(run(n).report())


@app.command()
def bulk(n: int = typer.Option(1_000_000, "--n", "-n", help="rows to upload (1% bad)")) -> None:
    """Bulk CSV upload through the incidents service vs a raw COPY of the same file."""
    from jisr.bench_bulk import bulk as run

    result = run(n)
    typer.echo(result.report())
    expected_good = result.rows - result.bad
    if result.summary["stored"] != expected_good or result.summary["rejected"] != result.bad:
        typer.echo(f"stored {result.summary['stored']} of {expected_good} good rows", err=True)
        raise typer.Exit(1)


@app.command()
def baselines(
    method: str = typer.Option("noufaily_2013", help="noufaily_2013 or farrington_flexible"),
    series: int = typer.Option(15_000, help="series (area x category), 5 years each"),
    repeat: int = typer.Option(3, help="timed runs of the latest-week pass"),
    year: bool = typer.Option(True, help="also the latest 52 weeks"),
    statsmodels_series: int = typer.Option(
        300, help="series fitted one by one with statsmodels (0: skip; 15000: all)"
    ),
) -> None:
    """The national baseline pass (latest week, latest 52 weeks) vs a statsmodels GLM loop."""
    from jisr.bench_baselines import run

    typer.echo(run(method, series, repeat, year, statsmodels_series).report())
