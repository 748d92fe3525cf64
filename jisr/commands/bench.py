"""`jisr bench ...`: benchmarks that print a figure beside its baseline from the same run."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Benchmarks (each prints its baseline from the same run).")


@app.command()
def pipeline(n: int = typer.Option(20_000, "--n", "-n", help="events to push")) -> None:
    """Incident events through outbox → relay → broker → inbox → projection vs raw aiokafka
    (and end to end, the domain writes included)."""
    from jisr.bench import pipeline as run

    typer.echo(run(n).report())


@app.command()
def rebuild(
    n: int | None = typer.Option(
        None, "--n", "-n", help="events to replay (default 50,000; JISR_BENCH_REBUILD_EVENTS)"
    ),
) -> None:
    """`jisr analytics rebuild` from a replay of N incident events vs a raw consume of them."""
    from jisr.bench_rebuild import DEFAULT_EVENTS, rebuild_bench

    result = rebuild_bench(n or DEFAULT_EVENTS)
    typer.echo(result.report())
    if result.applied != result.events or result.facts != result.events:
        typer.echo(f"rebuilt {result.facts} facts of {result.events} events", err=True)
        raise typer.Exit(1)


@app.command("all")
def all_benchmarks(
    only: list[str] = typer.Option(
        [], "--only", help="run only these (repeatable): http, bulk, pipeline, rebuild"
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON (the table goes to stderr)"),
    compare: Path | None = typer.Option(
        None, "--compare", help="a previous run's --json output: show its ratios beside these"
    ),
    http_clients: int = typer.Option(300, help="P3: concurrent station clients"),
    http_duration: float = typer.Option(15.0, help="P3: measured seconds"),
    bulk_rows: int = typer.Option(100_000, help="P2: rows in the uploaded file"),
    pipeline_events: int = typer.Option(20_000, help="P1: events through the pipeline"),
    rebuild_events: int = typer.Option(50_000, help="P5: events replayed"),
) -> None:
    """The four benchmarks (http, bulk, pipeline, rebuild) on one PostgreSQL and one broker,
    one table: figure, raw baseline of the same run, ratio, target, extras.

    `jisr bench all --json > run1.json`, later `jisr bench all --compare run1.json`."""
    import json

    from jisr.bench_all import NAMES, Sizes, load, print_table, run_all
    from jisr.bench_all import as_json as document

    unknown = sorted(set(only) - set(NAMES))
    if unknown:
        raise typer.BadParameter(f"unknown benchmark {', '.join(unknown)}", param_hint="--only")
    names = tuple(n for n in NAMES if not only or n in only)
    sizes = Sizes(http_clients, http_duration, bulk_rows, pipeline_events, rebuild_events)
    previous = load(compare) if compare else None

    def done(outcome) -> None:
        status = outcome.error or f"{len(outcome.rows)} figure(s)"
        typer.echo(f"{outcome.name}: {status} ({outcome.seconds:.0f} s)", err=True)

    outcomes = run_all(names, sizes, done)
    print_table(outcomes, previous, stderr=as_json)
    if as_json:
        typer.echo(json.dumps(document(outcomes, sizes), indent=2))
    if any(o.error for o in outcomes):
        raise typer.Exit(1)


@app.command()
def bulk(
    n: int | None = typer.Option(
        None, "--n", "-n", help="rows to upload, 1% bad (default 1,000,000; JISR_BENCH_BULK_ROWS)"
    ),
) -> None:
    """Bulk CSV upload (a job) through the incidents service vs a raw COPY of the same file."""
    from jisr.bench_bulk import DEFAULT_ROWS
    from jisr.bench_bulk import bulk as run

    result = run(n or DEFAULT_ROWS)
    typer.echo(result.report())
    expected_good = result.n - result.bad
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


@app.command()
def http(
    clients: int = typer.Option(300, "--clients", help="concurrent station clients"),
    duration: float = typer.Option(15.0, "--duration", help="measured seconds (after warm-up)"),
    service: str = typer.Option("incidents", "--service", help="incidents, complaints or both"),
    processes: int = typer.Option(2, "--processes", help="load generator processes"),
    profile: str | None = typer.Option(
        None, "--profile", help="py-spy flame graph of the service during the run (an .svg)"
    ),
    replicas: int = typer.Option(
        1,
        "--replicas",
        help="server processes on each side, clients spread over them (the Kubernetes base"
        " runs incidents with 2)",
    ),
) -> None:
    """Station submissions to the service as deployed vs a bare FastAPI + asyncpg endpoint."""
    from jisr.bench_http import http as run

    typer.echo(run(clients, duration, service, processes, profile, replicas).report())
