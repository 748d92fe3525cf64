"""`jisr bench bulk`: a bulk upload of N incident rows (1% bad) through the incidents service,
beside a raw COPY of the same file into a bare table, in the same run.

The service runs as its own process (`jisr serve incidents`, relay and broker included, as
deployed); the file is streamed to it over HTTP as an upload job (`Prefer: respond-async`) and
the clock stops when the job is done: every row validated, stored with its offences, version,
weekly counts and `incident.recorded` outbox row. Its peak resident memory (VmHWM) is read from
/proc, so "bounded memory" is a measured number (growth over the ready service), not a claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from jisr import local_stack
from jisr.bench import _prepare, _wait_ready, with_infrastructure
from jisr.bench_table import BenchRow
from libs.chassis.auth import mint_token
from libs.chassis.db import asyncpg_dsn
from libs.reference import load_reference
from services.incidents.application.bulk import CSV_COLUMNS

BAD_EVERY = 100  # 1% of rows are bad, alternating between a bad code and a bad time
#: `jisr bench bulk`'s size, the issue's figure; `jisr bench all` may pass a smaller one
#: (JISR_BENCH_BULK_ROWS sets the default).
DEFAULT_ROWS = int(os.environ.get("JISR_BENCH_BULK_ROWS", "1000000"))
#: the issue's target: a tenth of a raw COPY of the same file
TARGET_RATIO = 0.1


@dataclass
class BulkResult:
    n: int  # rows in the file
    bad: int
    service_seconds: float
    copy_seconds: float
    rss_before_kib: int
    rss_peak_kib: int
    file_bytes: int
    summary: dict
    #: CPU seconds the upload cost the service process (relay included) and the database
    #: server: on a shared machine, a figure that other processes' load does not change
    service_cpu_seconds: float = 0.0
    database_cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.n / self.service_seconds

    @property
    def copy_rate(self) -> float:
        return self.n / self.copy_seconds

    @property
    def growth_mib(self) -> float:
        return (self.rss_peak_kib - self.rss_before_kib) / 1024

    def rows(self) -> list[BenchRow]:
        """The row of `jisr bench all`: rows/s through the service against the raw COPY."""
        return [
            BenchRow(
                path="P2 bulk backfill (incidents)",
                figure=self.rate,
                baseline=self.copy_rate,
                unit="rows/s",
                target_ratio=TARGET_RATIO,
                extra={
                    "rows": self.n,
                    "peak_growth_mib": round(self.growth_mib, 1),
                    "stored": int(self.summary["stored"]),
                    "rejected": int(self.summary["rejected"]),
                    "service_cpu_us_per_row": round(self.service_cpu_seconds / self.n * 1e6),
                    "database_cpu_us_per_row": round(self.database_cpu_seconds / self.n * 1e6),
                },
            )
        ]

    def report(self) -> str:
        rate = self.n / self.service_seconds
        copy_rate = self.n / self.copy_seconds
        return (
            f"rows                    {self.n} ({self.bad} bad),"
            f" file {self.file_bytes / 1e6:.0f} MB\n"
            f"raw COPY, bare table    {copy_rate:10.0f} rows/s  ({self.copy_seconds:.1f} s)\n"
            f"bulk upload via service {rate:10.0f} rows/s  ({self.service_seconds:.1f} s)\n"
            f"ratio service / COPY    {rate / copy_rate:10.3f}\n"
            f"service memory          {self.rss_before_kib / 1024:.0f} MiB before, peak "
            f"{self.rss_peak_kib / 1024:.0f} MiB (VmHWM), growth {self.growth_mib:.0f} MiB"
            f" (target under 100)\n"
            f"CPU per row             service {self.service_cpu_seconds / self.n * 1e6:.0f} us"
            f" (relay included), database {self.database_cpu_seconds / self.n * 1e6:.0f} us\n"
            f"stored {self.summary['stored']}, rejected {self.summary['rejected']}, "
            f"errors reported {self.summary['errors_reported']} (job {self.summary['state']})"
        )


def write_file(path: Path, n: int) -> int:
    """A CSV of n incidents over three years and every station; every 100th row is bad."""
    reference = load_reference()
    stations = sorted(reference.stations)
    codes = sorted(c for c, cat in reference.iccs.items() if cat.level == 2)
    rng = random.Random(1)
    start = datetime(2023, 11, 20, tzinfo=UTC)
    bad = 0
    with path.open("w") as out:
        out.write(",".join(CSV_COLUMNS) + "\n")
        for i in range(n):
            occurred = (start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))).isoformat()
            code = codes[rng.randrange(len(codes))]
            if i % BAD_EVERY == BAD_EVERY - 1:
                bad += 1
                code, occurred = ("9999", occurred) if bad % 2 else (code, "not-a-time")
            out.write(f"{stations[i % len(stations)]},bulk-{i},{occurred},,,street,{code},,0,,,\n")
    return bad


def _cpu_seconds(pid: int, children: bool = False) -> float:
    """A process's CPU time (user + system), with its waited-for children's if asked."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _server_cpu_seconds(postmaster: int) -> float:
    """CPU time of a PostgreSQL server: its processes' and those that have ended."""
    total = _cpu_seconds(postmaster, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == postmaster:
                    total += _cpu_seconds(int(entry.name))
    return total


async def _postmaster_pid(database_url: str) -> int | None:
    """The server's process, when it runs on this machine (its CPU time is then measured)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        # read while the backend lives: once the connection closes its /proc entry goes
        with contextlib.suppress(OSError, IndexError, ValueError):
            return int((Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split())[1])
    finally:
        await conn.close()
    return None


def _rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def raw_copy(database_url: str, path: Path) -> float:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        columns = ", ".join(f"{c} text" for c in CSV_COLUMNS)
        await conn.execute(f"CREATE TABLE bench_bare ({columns})")
        started = time.perf_counter()
        await conn.copy_to_table(
            "bench_bare", source=path, format="csv", header=True, columns=list(CSV_COLUMNS)
        )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run_bulk(n: int, database_url: str, bootstrap: str, home: Path) -> BulkResult:
    settings = await _prepare(database_url, bootstrap)
    path = home / "incidents.csv"
    bad = write_file(path, n)
    copy_seconds = await raw_copy(settings.database_url, path)
    env = os.environ | {
        "JISR_DATABASE_URL": settings.database_url,
        "JISR_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JISR_TOPIC_PREFIX": settings.topic_prefix,
        "JISR_LOG_LEVEL": "WARNING",
    }
    port = local_stack.free_port()
    command = [sys.executable, "-m", "jisr.cli", "serve", "incidents", "--port", str(port)]
    child = local_stack.spawn(command, env=env, log=home / "incidents.log")
    try:
        async with httpx.AsyncClient(timeout=None) as client:
            await _wait_ready(client, f"http://127.0.0.1:{port}/readyz")
            rss_before, _ = _rss_kib(child.pid)
            token = mint_token(settings, role="admin")

            async def chunks():
                with path.open("rb") as handle:
                    while chunk := handle.read(1 << 16):
                        yield chunk

            auth = {"Authorization": f"Bearer {token}"}
            postmaster = await _postmaster_pid(settings.database_url)
            service_cpu = _cpu_seconds(child.pid)
            database_cpu = _server_cpu_seconds(postmaster) if postmaster else 0.0
            started = time.perf_counter()
            response = await client.post(
                f"http://127.0.0.1:{port}/v1/incidents/bulk",
                content=chunks(),
                headers=auth | {"Content-Type": "text/csv", "Prefer": "respond-async"},
            )
            response.raise_for_status()
            location = f"http://127.0.0.1:{port}{response.headers['Location']}"
            job = response.json()
            while job["state"] not in ("done", "failed"):
                await asyncio.sleep(0.2)
                job = (await client.get(location, headers=auth)).json()
            seconds = time.perf_counter() - started
            service_cpu = _cpu_seconds(child.pid) - service_cpu
            if postmaster:
                database_cpu = _server_cpu_seconds(postmaster) - database_cpu
            _, peak = _rss_kib(child.pid)
            errors = (await client.get(f"{location}/errors", headers=auth)).json()["errors"]
    finally:
        child.terminate()
        with contextlib.suppress(Exception):
            child.wait(15)
    summary = job | {"errors": errors}
    return BulkResult(
        n,
        bad,
        seconds,
        copy_seconds,
        rss_before,
        peak,
        path.stat().st_size,
        summary,
        service_cpu,
        database_cpu,
    )


def bulk(n: int = DEFAULT_ROWS) -> BulkResult:
    return with_infrastructure(lambda url, bootstrap, home: run_bulk(n, url, bootstrap, home))
