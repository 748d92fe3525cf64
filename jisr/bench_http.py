"""`jisr bench http`: station submissions over HTTP against a bare FastAPI + asyncpg endpoint.

The platform side is the service as deployed: `jisr serve incidents` (or `complaints`) in its
own process, migrations applied, its relay publishing to the broker. The baseline, in the same
run, is a bare FastAPI app in its own uvicorn process with the same server options
(`local_stack.uvicorn_options`), inserting one row per request through an asyncpg pool of the
same size. The same load generator drives both, so the ratio is fair: N concurrent clients
(one token per reference station), each posting as fast as it is answered (a closed loop),
spread over a few client processes (aiohttp: a lean client, so the load generator is not what
limits the bare endpoint; the report prints the CPU the clients used).

Incidents: each request carries a fresh `source_ref` and `Idempotency-Key`, as a station's
retrying client does (so idempotency is on the measured path). Complaints: a station counter
files a complaint with a station officer's token; the deliberately slow scrypt PIN hash (about
50 ms of CPU) runs on both sides — the bare endpoint hashes a PIN the same way — so the ratio
compares everything but it.

    jisr bench http --clients 300 --duration 15 --service both
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from jisr import local_stack
from jisr.bench_table import BenchRow

TARGET_RATIO = 0.5  # the target: jisr at half the bare endpoint's throughput or better
TARGET_P99_MS = 250.0
WARMUP_SECONDS = 3.0  # requests in the first seconds are sent but not counted
POOL_SIZE = 10  # the services' pool (libs.chassis.db.make_engine): the bare one gets the same
SERVICES = ("incidents", "complaints")


@dataclass
class Side:
    """One server's figures under the load."""

    name: str
    seconds: float
    ok: int
    errors: int
    latencies_ms: list[float] = field(repr=False)
    statuses: dict[str, int] = field(default_factory=dict)
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0  # the server process's CPU during the measured window

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.ok if self.ok else 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def line(self) -> str:
        return (
            f"  {self.name:<22} {self.rate:8.0f} req/s  p50 {self.p50:7.1f} ms"
            f"  p99 {self.p99:7.1f} ms  errors {self.errors:5d}"
            f"  server CPU {self.cpu_ms_per_request:5.2f} ms/req"
            f"  (client CPU {self.client_cpu_s:.1f} s)"
            + (f"\n  {'':<22} answers {self.statuses}" if self.errors else "")
        )


@dataclass
class Comparison:
    service: str
    clients: int
    processes: int
    jisr: Side
    bare: Side
    replicas: int = 1  # server processes on each side

    @property
    def ratio(self) -> float:
        return self.jisr.rate / self.bare.rate if self.bare.rate else 0.0

    def row(self) -> BenchRow:
        return BenchRow(
            path=f"P3 station submissions ({self.service}, {self.clients} clients"
            + (f", {self.replicas} replicas)" if self.replicas > 1 else ")"),
            figure=self.jisr.rate,
            baseline=self.bare.rate,
            unit="req/s",
            target_ratio=TARGET_RATIO,
            extra={
                "p50_ms": round(self.jisr.p50, 1),
                "p99_ms": round(self.jisr.p99, 1),
                "errors": self.jisr.errors,
                "cpu_ms_per_req": round(self.jisr.cpu_ms_per_request, 2),
                "bare_cpu_ms_per_req": round(self.bare.cpu_ms_per_request, 2),
                "bare_p50_ms": round(self.bare.p50, 1),
                "bare_p99_ms": round(self.bare.p99, 1),
                "bare_errors": self.bare.errors,
            },
        )

    def report(self) -> str:
        throughput = "meets" if self.ratio >= TARGET_RATIO else "MISSES"
        tail = "meets" if self.jisr.p99 < TARGET_P99_MS else "MISSES"
        pin = " (scrypt PIN hash on both sides)" if self.service == "complaints" else ""
        return "\n".join(
            [
                f"{self.service}: {self.clients} clients in {self.processes} client processes,"
                f" {self.replicas} server process{'es' if self.replicas > 1 else ''} a side{pin}",
                self.jisr.line(),
                self.bare.line(),
                f"  ratio jisr / bare {self.ratio:6.2f}  ({throughput} the {TARGET_RATIO} target;"
                f" p99 {tail} the {TARGET_P99_MS:.0f} ms target)",
            ]
        )


@dataclass
class Result:
    comparisons: list[Comparison]

    def rows(self) -> list[BenchRow]:
        return [c.row() for c in self.comparisons]

    def report(self) -> str:
        return "\n".join(c.report() for c in self.comparisons)


# --- the bare endpoint -------------------------------------------------------------------------

BARE_TABLES = {
    "incidents": "CREATE TABLE IF NOT EXISTS bare_incidents (id uuid PRIMARY KEY,"
    " station_id text NOT NULL, occurred_at timestamptz NOT NULL, body jsonb NOT NULL)",
    "complaints": "CREATE TABLE IF NOT EXISTS bare_complaints (id uuid PRIMARY KEY,"
    " station_id text, pin_hash text NOT NULL, body jsonb NOT NULL)",
}


def bare_app(dsn: str, kind: str) -> Any:
    """FastAPI + an asyncpg pool: parse the JSON body, insert one row, answer 201."""
    import asyncpg
    from uuid6 import uuid7

    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        state["pool"] = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=2 * POOL_SIZE)
        async with state["pool"].acquire() as conn, conn.transaction():
            # Replicas start together, and two CREATE TABLE IF NOT EXISTS at once can both
            # miss the table and one fail on the catalogue's unique index (the cause of a
            # replica exiting at startup): one at a time.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('jisr bench bare'))")
            await conn.execute(BARE_TABLES[kind])
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/incidents", status_code=201)
    async def incident(request: Request) -> JSONResponse:
        body = await request.json()
        row_id = uuid7()
        await state["pool"].execute(
            "INSERT INTO bare_incidents VALUES ($1, $2, $3, $4)",
            row_id,
            body["station_id"],
            datetime.fromisoformat(body["occurred_at"]),
            json.dumps(body),
        )
        return JSONResponse({"incident_id": str(row_id), "status": "recorded"}, 201)

    @app.post("/v1/complaints", status_code=201)
    async def complaint(request: Request) -> JSONResponse:
        from services.complaints.pins import hash_pin, new_pin

        body = await request.json()
        row_id, pin = uuid7(), new_pin()
        await state["pool"].execute(
            "INSERT INTO bare_complaints VALUES ($1, $2, $3, $4)",
            row_id,
            body.get("station_id"),
            await hash_pin(pin),
            json.dumps(body),
        )
        return JSONResponse({"complaint_id": str(row_id), "pin": pin}, 201)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_bare(port: int, dsn: str, kind: str) -> None:
    import uvicorn

    uvicorn.run(bare_app(dsn, kind), host="127.0.0.1", port=port, **local_stack.uvicorn_options())


# --- the load generator ------------------------------------------------------------------------


def _incident_body(station: str, code: str, n: int, tag: str) -> dict[str, Any]:
    occurred = datetime.now(UTC) - timedelta(days=1, seconds=n % 86_000)
    return {
        "station_id": station,
        "source_ref": f"{tag}-{n}",
        "occurred_at": occurred.isoformat(),
        "offences": [{"iccs_code": code}],
    }


def _complaint_body(station: str, n: int) -> dict[str, Any]:
    return {
        "narrative": f"Bench filing {n}: I was pushed at the checkpoint and my phone was taken.",
        "station_id": station,
        "allegations": [
            {"category": "use_of_force", "against": "officer", "officer_service_number": "PSD-1"},
            {"category": "property_damage_or_loss", "against": "station", "station_id": station},
        ],
        "complainant": {"name": "Bench Person", "phone": "+962790000001", "age_band": "25_34"},
    }


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    """One client process: `spec["clients"]` (token, station) pairs posting in a closed loop
    until `end_at`; answers before `count_from` are not counted (warm-up). Requests still
    unanswered at `end_at` are awaited (not counted) so the servers see no aborted ones."""
    import aiohttp
    from uuid6 import uuid7

    urls, kind, tag = spec["urls"], spec["kind"], spec["tag"]
    count_from, end_at = spec["count_from"], spec["end_at"]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    codes = spec["codes"]
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)

    async def client(i: int, token: str, station: str, session: aiohttp.ClientSession) -> None:
        n = 0
        # With several replicas, each client keeps to one, as a load balancer spreading
        # connections would.
        url = urls[i % len(urls)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.time() < end_at:
            n += 1
            if kind == "incidents":
                body = _incident_body(station, codes[(i + n) % len(codes)], n, f"{tag}-{i}")
            else:
                body = _complaint_body(station, n)
            data = json.dumps(body).encode()
            started = time.perf_counter()
            try:
                async with session.post(
                    url, data=data, headers=headers | {"Idempotency-Key": str(uuid7())}
                ) as response:
                    await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            done_at = time.time()
            # Answers completed in the measured window count (throughput is completions per
            # second); with slow answers, one sent in the warm-up may complete in it.
            if count_from <= done_at <= end_at:
                statuses[status] = statuses.get(status, 0) + 1
                if status in ("200", "201"):
                    latencies.append(elapsed)

    while time.time() < spec["start_at"]:
        await asyncio.sleep(0.01)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(client(i, t, s, session) for i, (t, s) in enumerate(spec["clients"]))
        )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "latencies": latencies,
        "statuses": statuses,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def load_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    result = asyncio.run(_load(spec))
    Path(spec["out"]).write_text(json.dumps(result))


def _tokens(clients: int) -> list[tuple[str, str]]:
    """One station officer token per reference station, cycled if there are more clients."""
    from libs.chassis.auth import mint_token
    from libs.chassis.settings import get_settings
    from libs.reference import load_reference

    settings = get_settings()
    stations = sorted(load_reference().stations)
    tokens = {
        s: mint_token(settings, role="station_officer", station_id=s, ttl_seconds=3600)
        for s in stations[:clients]
    }
    return [(tokens[s], s) for s in (stations[i % len(stations)] for i in range(clients))]


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(
    urls: list[str],
    kind: str,
    clients: int,
    duration: float,
    processes: int,
    home: Path,
    tag: str,
    server_pids: list[int],
) -> Side:
    """Run the load generator's processes against the servers' `urls` (clients spread over
    them); their figures summed, and the servers' CPU."""
    from libs.reference import load_reference

    reference = load_reference()
    codes = sorted(c for c, cat in reference.iccs.items() if cat.level == 2)
    pairs = _tokens(clients)
    start_at = time.time() + 2.0  # every process has imported aiohttp by then
    count_from = start_at + WARMUP_SECONDS
    end_at = count_from + duration
    children = []
    for p in range(processes):
        spec: dict[str, Any] = {
            "urls": urls,
            "kind": kind,
            "tag": f"{tag}-p{p}",
            "codes": codes,
            "clients": pairs[p::processes],
            "start_at": start_at,
            "count_from": count_from,
            "end_at": end_at,
            "out": str(home / f"{tag}-p{p}.json"),
        }
        path = home / f"{tag}-p{p}.spec.json"
        path.write_text(json.dumps(spec))
        command = [sys.executable, "-m", "jisr.bench_http", "load", str(path)]
        children.append((local_stack.spawn(command, log=home / f"{tag}-p{p}.log"), spec))
    time.sleep(max(0.0, count_from - time.time()))
    server_cpu = sum(map(_cpu_seconds, server_pids))
    time.sleep(max(0.0, end_at - time.time()))
    server_cpu = sum(map(_cpu_seconds, server_pids)) - server_cpu
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    cpu = 0.0
    for child, spec in children:
        if child.wait(duration + WARMUP_SECONDS + 120) != 0:
            raise RuntimeError(f"load generator failed: see {home}/{tag}-*.log")
        out = json.loads(Path(spec["out"]).read_text())
        latencies += out["latencies"]
        cpu += out["cpu_s"]
        for status, count in out["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    ok = statuses.get("200", 0) + statuses.get("201", 0)
    errors = sum(statuses.values()) - ok
    return Side(tag, duration, ok, errors, latencies, statuses, cpu, server_cpu)


# --- servers -----------------------------------------------------------------------------------


def _wait_ready(url: str, child: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            said = local_stack.last_line(log)  # the bench's home, and the log, go with the run
            raise RuntimeError(f"{url} exited with {child.returncode}: {said}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready")


@contextlib.contextmanager
def _servers(command: Callable[[int], list[str]], env: dict[str, str], log: Path, replicas: int):
    """`replicas` server processes, `command(port)` each on a port of its own; yields
    (child, port) pairs once every one is ready."""
    started: list[tuple[subprocess.Popen, int]] = []
    logs: list[Path] = []
    try:
        for r in range(replicas):
            port = local_stack.free_port()
            name = log.with_name(f"{log.stem}-{r}{log.suffix}") if replicas > 1 else log
            logs.append(name)
            started.append((local_stack.spawn(command(port), env=env, log=name), port))
        for (child, port), name in zip(started, logs, strict=True):
            _wait_ready(f"http://127.0.0.1:{port}/readyz", child, name)
        yield started
    finally:
        for child, _ in started:
            child.terminate()
        for child, _ in started:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()


@contextlib.contextmanager
def _profiled(pid: int, path: str | None, duration: float):
    """py-spy on the service process during the measured window (`--profile FILE.svg`)."""
    if not path:
        yield
        return
    py_spy = Path(sys.executable).with_name("py-spy")
    if not py_spy.exists():
        raise SystemExit(f"--profile needs py-spy beside {sys.executable} (the test extra)")
    # --nonblocking: sampling without pausing the process, which otherwise slowed the service
    # under 300 clients several-fold (percentages of a distorted run)
    command = [str(py_spy), "record", "--nonblocking", "-o", path, "--pid", str(pid)]
    command += ["-d", str(int(duration))]
    if not path.endswith(".svg"):  # collapsed stacks per thread, for reading with a script
        command += ["--format", "raw", "--threads"]
    child = subprocess.Popen(
        ["sh", "-c", f"sleep {2 + WARMUP_SECONDS}; exec {' '.join(command)}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        child.wait(60)


def compare(
    kind: str,
    settings: Any,
    clients: int,
    duration: float,
    processes: int,
    home: Path,
    profile: str | None = None,
    replicas: int = 1,
) -> Comparison:
    from libs.chassis.db import asyncpg_dsn

    env = os.environ | {
        "JISR_DATABASE_URL": settings.database_url,
        "JISR_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JISR_TOPIC_PREFIX": settings.topic_prefix,
        "JISR_LOG_LEVEL": "WARNING",
    }
    dsn = asyncpg_dsn(settings.database_url)

    def service_command(port: int) -> list[str]:
        return [sys.executable, "-m", "jisr.cli", "serve", kind, "--port", str(port)]

    def bare_command(port: int) -> list[str]:  # `serve_bare` in a process of its own
        return [sys.executable, "-m", "jisr.bench_http", "bare", str(port), dsn, kind]

    def urls(started: list[tuple[subprocess.Popen, int]]) -> list[str]:
        return [f"http://127.0.0.1:{port}/v1/{kind}" for _, port in started]

    def pids(started: list[tuple[subprocess.Popen, int]]) -> list[int]:
        return [child.pid for child, _ in started]

    with _servers(service_command, env, home / f"{kind}.log", replicas) as started:
        profiled = _profiled(started[0][0].pid, profile, duration)  # the first replica's
        with profiled:
            jisr = drive(
                urls(started), kind, clients, duration, processes, home, "jisr", pids(started)
            )
    with _servers(bare_command, env, home / f"bare-{kind}.log", replicas) as started:
        bare = drive(
            urls(started), kind, clients, duration, processes, home, "bare", pids(started)
        )
    return Comparison(kind, clients, processes, jisr, bare, replicas)


def http(
    clients: int = 300,
    duration: float = 15.0,
    service: str = "incidents",
    processes: int = 2,
    profile: str | None = None,
    replicas: int = 1,
) -> Result:
    from jisr.bench import with_infrastructure

    services = SERVICES if service == "both" else (service,)
    if any(s not in SERVICES for s in services):
        raise ValueError(f"service must be incidents, complaints or both, not {service!r}")

    async def run(database_url: str, bootstrap: str, home: Path) -> Any:
        from jisr.bench import _prepare  # the other benchmarks' setup (imported when run)

        return await _prepare(database_url, bootstrap, services, name="bench_http")

    def measure(database_url: str, bootstrap: str, home: Path) -> Result:
        settings = asyncio.run(run(database_url, bootstrap, home))
        return Result(
            [
                compare(s, settings, clients, duration, processes, home, profile, replicas)
                for s in services
            ]
        )

    # with_infrastructure runs an async function; the load needs processes, not a loop here.
    async def outer(database_url: str, bootstrap: str, home: Path) -> Result:
        return await asyncio.to_thread(measure, database_url, bootstrap, home)

    return with_infrastructure(outer)


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load_main(sys.argv[2])
    elif sys.argv[1] == "bare":
        serve_bare(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]!r}; use load or bare")
