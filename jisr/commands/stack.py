"""`jisr up`, `jisr serve`, `jisr migrate`: start the platform locally or one service."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import typer
import uvicorn

from jisr import local_stack
from jisr.services import definition
from libs.chassis.kafka import ensure_topics
from libs.chassis.migrations import migrate as run_migrations
from libs.chassis.outbox import replay_outbox
from libs.chassis.service import create_app
from libs.chassis.settings import DEFAULT_PORTS, SERVICES, Settings, get_settings
from libs.chassis.topic_history import missing_history
from libs.reference import load_reference

LOCAL_DATABASE = "jisr"


def serve(
    service: str = typer.Argument(..., help="complaints, fora, incidents or analytics"),
    port: int | None = typer.Option(None, help="default: 8001..8004 by service"),
    host: str | None = typer.Option(None, help="default: JISR_HOST or 127.0.0.1"),
) -> None:
    """Run one service against JISR_DATABASE_URL and JISR_KAFKA_BOOTSTRAP (as production does)."""
    settings = get_settings()
    app = create_app(definition(service), settings)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or DEFAULT_PORTS[service],
        # uvloop + httptools when installed (uvicorn[standard]); see local_stack.uvicorn_options
        **local_stack.uvicorn_options(settings.trusted_proxies),
    )


def migrate(service: str = typer.Argument("all", help="a service name, or all")) -> None:
    """Upgrade a service's schema (or every service's) to the latest migration."""
    settings = get_settings()
    names = SERVICES if service == "all" else (service,)
    asyncio.run(_migrate(settings, names))
    typer.echo(f"migrated: {', '.join(names)}")


async def _migrate(settings: Settings, names) -> None:
    for name in names:
        defn = definition(name)
        await run_migrations(defn.migrations_dir, settings.service_database_url(name), name)


def up(
    home: Path = typer.Option(Path(".jisr"), envvar="JISR_HOME", help="local state folder"),
    base_port: int | None = typer.Option(None, help="first service port (default 8001)"),
    kafka_port: int = typer.Option(9092, envvar="JISR_KAFKA_PORT", help="local broker port"),
    demo: bool = typer.Option(
        False, "--demo", help="load three years of synthetic incidents (once per --home)"
    ),
    demo_scale: float = typer.Option(
        1.0, "--demo-scale", min=0.001, help="volume of the demo data (1.0: ~73,000 incidents)"
    ),
) -> None:
    """Start everything on this machine: PostgreSQL, the broker, topics, migrations, services.

    Embedded PostgreSQL unless JISR_DATABASE_URL is set; the Tansu broker unless
    JISR_KAFKA_BOOTSTRAP is set. Ctrl-C stops everything.
    """
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    ports = {s: (base_port + i if base_port else DEFAULT_PORTS[s]) for i, s in enumerate(SERVICES)}
    stack = LocalStack(home, ports, kafka_port, demo=demo, demo_scale=demo_scale)
    # Ctrl-C, a closed terminal and a service manager's stop all end cleanly. SIGINT is set
    # explicitly: a process started in the background inherits it ignored, and Python then
    # never raises KeyboardInterrupt (CI runners and `nohup ... &` do this).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        stack.start()
        stack.print_banner()
        stack.watch()
    except KeyboardInterrupt:
        typer.echo("\nstopping jisr ...")
    finally:
        stack.stop()
        typer.echo("stopped.")


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


# The README's examples use it; another country's reference set gets one of its own stations.
EXAMPLE_STATION = "AM-01-S1"

# A service that ran this long before exiting is restarted at once; quicker exits back off.
HEALTHY_RUN_SECONDS = 60.0
# A service that exits this many times before it is first ready stops the start.
START_ATTEMPTS = 3


async def _missing_history(settings: Settings) -> dict[str, dict[str, tuple[int, int]]]:
    found = {}
    for service in SERVICES:
        missing = await missing_history(settings, service)
        if missing:
            found[service] = missing
    return found


class LocalStack:
    def __init__(
        self,
        home: Path,
        ports: dict[str, int],
        kafka_port: int,
        demo: bool = False,
        demo_scale: float = 1.0,
    ) -> None:
        self.home, self.ports, self.kafka_port, self.demo = home, ports, kafka_port, demo
        self.demo_scale = demo_scale
        self.postgres: local_stack.EmbeddedPostgres | None = None
        self.kafka: local_stack.EmbeddedKafka | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.started_at: dict[str, float] = {}
        self.env = dict(os.environ)
        self.env.setdefault("JISR_INCIDENTS_URL", f"http://127.0.0.1:{ports['incidents']}")

    def start(self) -> None:
        if not os.environ.get("JISR_DATABASE_URL"):
            typer.echo("starting embedded PostgreSQL ...")
            self.postgres = local_stack.EmbeddedPostgres(self.home / "pgdata")
            server_url = self.postgres.start()
            url = asyncio.run(local_stack.create_database(server_url, LOCAL_DATABASE))
            self.env["JISR_DATABASE_URL"] = url
        if not os.environ.get("JISR_KAFKA_BOOTSTRAP"):
            port = self.kafka_port
            if local_stack.port_open("127.0.0.1", port):
                port = local_stack.free_port()
            typer.echo(f"starting Tansu Kafka-protocol broker on 127.0.0.1:{port} ...")
            self.kafka = local_stack.EmbeddedKafka(port, log=self.home / "broker.log")
            self.env["JISR_KAFKA_BOOTSTRAP"] = self.kafka.start()
        settings = Settings(
            database_url=self.env["JISR_DATABASE_URL"],
            kafka_bootstrap=self.env["JISR_KAFKA_BOOTSTRAP"],
        )
        typer.echo("creating topics and migrating services ...")
        asyncio.run(self._prepare(settings))
        if self.demo:
            from jisr.demo import load_demo  # numpy and scipy only when asked for

            typer.echo("loading demo data (synthetic incidents, three years) ...")
            summary = asyncio.run(
                load_demo(settings, scale=self.demo_scale, progress=typer.echo)
            )
            if not summary.skipped:
                typer.echo(
                    f"  {summary.incidents} incidents, {summary.periods_closed} station-weeks "
                    f"closed, {summary.alerts_raised} alerts raised in {summary.seconds:.0f} s"
                )
        self._restore_history(settings)
        for service in self.ports:
            self._spawn(service)
        self._wait_ready()
        if self.demo:
            self._demo_activity(settings)

    def _spawn(self, service: str) -> None:
        port = self.ports[service]
        self.children[service] = local_stack.spawn(
            [sys.executable, "-m", "jisr.cli", "serve", service, "--port", str(port)],
            env=self.env,
            log=self.home / f"{service}.log",
        )
        self.started_at[service] = time.monotonic()

    def _restore_history(self, settings: Settings) -> None:
        """A broker that holds less than the outboxes retained (the local one keeps topics in
        memory, so after a restart it holds nothing) gets the retained rows again, before the
        relays start: consumers then come back to every retained event by themselves."""
        from jisr.progress import bars

        missing = asyncio.run(_missing_history(settings))
        if not missing:
            return
        with bars() as bar:
            for service, topics in missing.items():
                for topic, (held, retained) in topics.items():
                    typer.echo(
                        f"the broker holds {held:,} of the {retained:,} events {service}'s "
                        f"outbox retained for {topic}: replaying them ..."
                    )
                    asyncio.run(
                        replay_outbox(
                            settings, service, topic=topic, progress=bar(f"  {service} {topic}")
                        )
                    )

    def _demo_activity(self, settings: Settings) -> None:
        """Complaints and fora activity through the running services' APIs, once per home."""
        from jisr.demo_activity import MARKER, load_activity

        marker = self.home / MARKER
        if marker.exists():
            return
        typer.echo("posting demo complaints and fora activity ...")
        urls = {s: f"http://127.0.0.1:{p}" for s, p in self.ports.items()}
        try:
            load_activity(settings, urls, scale=self.demo_scale, progress=typer.echo)
        except Exception as exc:  # the demo is a courtesy: the platform serves without it
            typer.echo(
                f"demo activity stopped: {exc}\n  the platform keeps running; the next "
                f"`jisr up --demo` with this home tries the demo activity again",
                err=True,
            )
            return
        marker.touch()

    async def _prepare(self, settings: Settings) -> None:
        await ensure_topics(settings)
        await _migrate(settings, SERVICES)

    # Four services importing and migrating at once take ~20 s on two idle cores, several
    # times that on a busy machine: waiting longer costs nothing when they are quick.
    def _wait_ready(self, timeout: float = 240.0) -> None:
        """Wait for every service to answer ready. One that exits meanwhile is started again
        (as `watch` does later), with its exit code said; one that keeps exiting ends the
        start with its log named (a broken setting, a schema it cannot read)."""
        deadline = time.monotonic() + timeout
        pending = dict(self.ports)
        exits = dict.fromkeys(self.ports, 0)
        while pending:
            for service, port in list(pending.items()):
                code = self.children[service].poll()
                if code is not None:
                    exits[service] += 1
                    log = self.home / (service + ".log")
                    said = local_stack.last_line(log)
                    if exits[service] >= START_ATTEMPTS:
                        raise SystemExit(
                            f"{service} exited {exits[service]} times while starting "
                            f"(last exit code {code}: {said}); see {log}"
                        )
                    typer.echo(
                        f"{service} exited with {code} while starting ({said}); restarting it ..."
                    )
                    self._spawn(service)
                    continue
                with contextlib.suppress(httpx.HTTPError):
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                    if ready.status_code == 200 and ready.json()["broker"] == "ok":
                        del pending[service]
            if time.monotonic() > deadline:
                raise SystemExit(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
            time.sleep(0.2)

    def print_banner(self) -> None:
        typer.echo("\njisr is up:")
        for service, port in self.ports.items():
            typer.echo(f"  {service:<11} http://127.0.0.1:{port}   (API docs: /docs)")
        typer.echo(f"  database    {self.env['JISR_DATABASE_URL']}")
        typer.echo(f"  kafka       {self.env['JISR_KAFKA_BOOTSTRAP']}")
        typer.echo(f"  logs        {self.home}/<service>.log")
        stations = load_reference().stations
        station = EXAMPLE_STATION if EXAMPLE_STATION in stations else sorted(stations)[0]
        typer.echo(f"\nget a token:  jisr token --role station_officer --station {station}")
        typer.echo("              jisr token --role ministry_analyst")
        typer.echo("press Ctrl-C to stop.")

    def watch(self) -> None:
        """Keep the services running: one that exits is started again, after a pause that
        doubles with each quick failure (a service that ran a while starts again at once)."""
        pause = dict.fromkeys(self.ports, 0.0)
        due: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for service, child in list(self.children.items()):
                if service in due:
                    if now >= due[service]:
                        del due[service]
                        typer.echo(f"restarting {service} ...")
                        self._spawn(service)
                    continue
                if child.poll() is None:
                    continue
                ran = now - self.started_at.get(service, now)
                pause[service] = (
                    0.0 if ran > HEALTHY_RUN_SECONDS else min(max(pause[service] * 2, 1.0), 30.0)
                )
                due[service] = now + pause[service]
                typer.echo(
                    f"{service} exited with {child.returncode} after {ran:.0f} s; restarting in "
                    f"{pause[service]:.0f} s (log: {self.home / (service + '.log')})"
                )
            self._watch_broker()
            time.sleep(0.5)

    def _watch_broker(self) -> None:
        """The embedded broker died: start a new one on the same port (services reconnect on
        their own) and give it the outboxes' retained history again."""
        if self.kafka is None or self.kafka.process is None or self.kafka.process.poll() is None:
            return
        typer.echo(f"the broker exited with {self.kafka.process.returncode}; restarting it ...")
        for attempt in range(1, 6):
            try:
                self.kafka.start()
                break
            except RuntimeError as exc:
                typer.echo(f"  {exc}; retrying in {attempt} s")
                time.sleep(attempt)
        else:
            raise SystemExit("the broker does not start again; see broker.log")
        settings = Settings(
            database_url=self.env["JISR_DATABASE_URL"],
            kafka_bootstrap=self.env["JISR_KAFKA_BOOTSTRAP"],
        )
        asyncio.run(ensure_topics(settings))
        self._restore_history(settings)

    def stop(self) -> None:
        # A second Ctrl-C must not abandon PostgreSQL (pg_ctl daemonises it: it is no child).
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.kafka:
            self.kafka.stop()
        if self.postgres:
            self.postgres.stop()
