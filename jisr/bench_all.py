"""`jisr bench all`: the four benchmarks of the performance issue in one run, one table.

Each benchmark measures its own raw baseline in the same run and gives `rows()` (a
`jisr.bench_table.BenchRow` per figure); this module runs them one after another against one
embedded PostgreSQL and one broker (each benchmark makes its own database and topic prefix on
them), prints one table and, with `--json`, a document that a later run can `--compare` with.
A benchmark that fails is reported in the table (its error) and does not stop the others.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from jisr import local_stack
from jisr.bench_table import BenchRow

#: the benchmarks, in the order they run
NAMES = ("http", "bulk", "pipeline", "rebuild")


@dataclass
class Sizes:
    """Defaults sized so the four take about five minutes on a quiet 2-core machine."""

    http_clients: int = 300
    http_duration: float = 15.0
    bulk_rows: int = 100_000
    pipeline_events: int = 20_000
    rebuild_events: int = 50_000


@dataclass
class Outcome:
    name: str
    seconds: float
    rows: list[BenchRow] = field(default_factory=list)
    error: str | None = None


def _runners(sizes: Sizes) -> dict[str, Callable[[], Any]]:
    def http() -> Any:
        from jisr.bench_http import http as run

        return run(sizes.http_clients, sizes.http_duration)

    def bulk() -> Any:
        from jisr.bench_bulk import bulk as run

        return run(sizes.bulk_rows)

    def pipeline() -> Any:
        from jisr.bench import pipeline as run

        return run(sizes.pipeline_events)

    def rebuild() -> Any:
        from jisr.bench_rebuild import rebuild_bench

        return rebuild_bench(sizes.rebuild_events)

    return {"http": http, "bulk": bulk, "pipeline": pipeline, "rebuild": rebuild}


@contextmanager
def shared_infrastructure() -> Iterator[None]:
    """One embedded PostgreSQL and broker for every benchmark (they read JISR_DATABASE_URL and
    JISR_KAFKA_BOOTSTRAP), unless those are already set."""
    if os.environ.get("JISR_DATABASE_URL") and os.environ.get("JISR_KAFKA_BOOTSTRAP"):
        yield
        return
    saved = {k: os.environ.get(k) for k in ("JISR_DATABASE_URL", "JISR_KAFKA_BOOTSTRAP")}
    with tempfile.TemporaryDirectory(prefix="jisr-bench-all-") as tmp:
        postgres = local_stack.EmbeddedPostgres(Path(tmp) / "pg", delete_on_stop=True)
        kafka = local_stack.EmbeddedKafka()
        try:
            os.environ["JISR_DATABASE_URL"] = postgres.start()
            os.environ["JISR_KAFKA_BOOTSTRAP"] = kafka.start()
            yield
        finally:
            kafka.stop()
            postgres.stop()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run_all(
    names: tuple[str, ...] = NAMES,
    sizes: Sizes | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    runners = _runners(sizes or Sizes())
    outcomes = []
    with shared_infrastructure():
        for name in names:
            started = time.perf_counter()
            try:
                result = runners[name]()
                outcome = Outcome(name, time.perf_counter() - started, list(result.rows()))
            except Exception as exc:  # one benchmark's failure is a row, not the end
                last = traceback.format_exception_only(exc)[-1].strip()
                outcome = Outcome(name, time.perf_counter() - started, error=last[:300])
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes


def as_json(outcomes: list[Outcome], sizes: Sizes) -> dict[str, Any]:
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)},
        "sizes": sizes.__dict__,
        "benchmarks": [
            {
                "name": o.name,
                "seconds": round(o.seconds, 1),
                "error": o.error,
                "rows": [r.as_json() for r in o.rows],
            }
            for o in outcomes
        ],
    }


def _previous_ratios(previous: dict[str, Any] | None) -> dict[str, float]:
    if not previous:
        return {}
    return {
        row["path"]: float(row["ratio"])
        for bench in previous.get("benchmarks", [])
        for row in bench.get("rows", [])
    }


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def table(outcomes: list[Outcome], previous: dict[str, Any] | None = None) -> Table:
    before = _previous_ratios(previous)
    grid = Table(title="jisr bench all (each figure beside its raw baseline, same run)")
    for column in ("path", "jisr", "raw baseline", "ratio", "target", "meets?"):
        grid.add_column(column, justify="left" if column == "path" else "right")
    if previous is not None:
        grid.add_column("previous ratio", justify="right")
    grid.add_column("extras")
    for outcome in outcomes:
        if outcome.error:
            cells = [outcome.name, "-", "-", "-", "-", "FAILED"]
            if previous is not None:
                cells.append("-")
            grid.add_row(*cells, outcome.error)
            continue
        for row in outcome.rows:
            cells = [
                row.path,
                f"{_number(row.figure)} {row.unit}",
                f"{_number(row.baseline)} {row.unit}",
                f"{row.ratio:.3f}",
                f"≥ {row.target_ratio}",
                "yes" if row.meets else "NO",
            ]
            if previous is not None:
                old = before.get(row.path)
                cells.append("-" if old is None else f"{old:.3f} ({row.ratio - old:+.3f})")
            extras = ", ".join(f"{k}={v}" for k, v in row.extra.items())
            grid.add_row(*cells, f"{extras} ({outcome.seconds:.0f} s)")
    return grid


def print_table(
    outcomes: list[Outcome], previous: dict[str, Any] | None = None, stderr: bool = False
) -> None:
    Console(stderr=stderr, width=200).print(table(outcomes, previous))


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document
