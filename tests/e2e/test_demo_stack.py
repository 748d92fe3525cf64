"""The README's first run, as a newcomer types it: `jisr up --demo` at its default scale (about
73,000 incidents, 40 complaints filed at station counters, 8 fora, survey waves) comes up and
stays up; a service process that dies is started again while the others keep serving; and a
restart with a fresh (memory-only, empty) broker brings analytics back to every retained event
with no command typed.

One stack for the module (the demo takes minutes to load); the tests run in file order.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from jisr.local_stack import free_port
from libs.chassis.db import asyncpg_dsn
from tests.e2e.test_jisr_up import (
    READY_LINE,
    REPO,
    SERVICES,
    _diagnostics,
    _env,
    _kill_everything,
    _service_ports,
)

pytestmark = pytest.mark.slow

START_TIMEOUT = 900.0  # scale 1 on two busy cores; about 3 minutes when idle
CATCH_UP_TIMEOUT = 600.0
STOP_TIMEOUT = 60.0


class Stack:
    def __init__(self, home: Path, output: Path) -> None:
        self.home, self.output = home, output
        self.base = _service_ports()
        kafka = free_port()
        while self.base <= kafka < self.base + len(SERVICES):
            kafka = free_port()
        self.kafka = kafka
        self.urls = {s: f"http://127.0.0.1:{self.base + i}" for i, s in enumerate(SERVICES)}
        self.up: subprocess.Popen | None = None
        self.runs = 0

    def start(self, *extra: str) -> str:
        """Start `jisr up` and wait for its banner; returns this run's output."""
        self.runs += 1
        log = self.output.with_suffix(f".{self.runs}.out")
        with open(log, "wb") as out:
            self.up = subprocess.Popen(
                [sys.executable, "-m", "jisr.cli", "up", "--home", str(self.home),
                 "--base-port", str(self.base), "--kafka-port", str(self.kafka), *extra],
                cwd=REPO, env=_env(), stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.log = log
        deadline = time.monotonic() + START_TIMEOUT
        while READY_LINE not in log.read_text(errors="replace"):
            if self.up.poll() is not None:
                pytest.fail(f"jisr up exited with {self.up.returncode}\n{self.diagnostics()}")
            if time.monotonic() > deadline:
                pytest.fail(f"jisr up not ready in {START_TIMEOUT:.0f}s\n{self.diagnostics()}")
            time.sleep(1)
        return log.read_text(errors="replace")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def diagnostics(self) -> str:
        return _diagnostics(self.log, self.home)

    def database_url(self) -> str:
        match = re.search(r"^\s+database\s+(\S+)$", self.text(), re.MULTILINE)
        assert match, self.diagnostics()
        return match.group(1)

    def sql(self, query: str, *, script: bool = False):
        async def run():
            conn = await asyncpg.connect(asyncpg_dsn(self.database_url()))
            try:
                return await (conn.execute(query) if script else conn.fetch(query))
            finally:
                await conn.close()

        return asyncio.run(run())

    def service_process(self, service: str) -> psutil.Process:
        assert self.up is not None
        for child in psutil.Process(self.up.pid).children(recursive=True):
            if ["serve", service] == child.cmdline()[3:5]:
                return child
        raise AssertionError(f"no process serves {service}")

    def stop(self) -> None:
        assert self.up is not None
        self.up.send_signal(signal.SIGINT)
        try:
            code = self.up.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"jisr up still running {STOP_TIMEOUT:.0f}s after SIGINT")
        assert code == 0, self.diagnostics()


# What analytics must hold: one inbox row per event its producers' outboxes retained.
RETAINED = """
SELECT 'analytics.' || c.consumer AS consumer, count(*) AS n FROM (
  SELECT 'incidents' AS consumer, event_id FROM incidents.outbox
   WHERE topic = 'jisr.incidents.recorded.v1'
  UNION ALL SELECT 'baselines', event_id FROM incidents.outbox
   WHERE topic = 'jisr.incidents.baselines.v1'
  UNION ALL SELECT 'complaints', event_id FROM complaints.outbox
  UNION ALL SELECT 'fora', event_id FROM fora.outbox
) c GROUP BY 1
"""
APPLIED = "SELECT consumer, count(*) AS n FROM analytics.inbox GROUP BY 1"


def caught_up(stack: Stack) -> dict[str, int]:
    """Wait until analytics applied every retained event; returns the counts."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while True:
        retained = {r["consumer"]: r["n"] for r in stack.sql(RETAINED)}
        applied = {r["consumer"]: r["n"] for r in stack.sql(APPLIED)}
        if all(applied.get(c, 0) >= n for c, n in retained.items()):
            return retained
        if time.monotonic() > deadline:
            pytest.fail(f"analytics has {applied}, the outboxes {retained}\n{stack.diagnostics()}")
        time.sleep(2)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-stack") / "home"
    running = Stack(home.resolve(), home.parent / "jisr-up")
    yield running
    if running.up is not None:  # a failed test may have left it running: leave nothing behind
        _kill_everything(running.up, running.home)


def test_demo_at_the_default_scale_comes_up(stack):
    started = time.monotonic()
    out = stack.start("--demo")
    took = time.monotonic() - started
    print(f"\njisr up --demo (scale 1): banner after {took:.0f} s")
    assert "demo activity stopped" not in out, stack.diagnostics()
    assert re.search(r"\d{5} incidents, \d+ station-weeks closed", out), out
    filed = re.search(r"(\d+) demo complaints filed, (\d+) closed", out)
    assert filed and int(filed.group(1)) == 40, out
    assert re.search(r"\d+ demo fora with \d+ meetings", out), out
    assert re.search(r"\d+ demo survey waves with \d+ responses, published", out), out
    retained = caught_up(stack)
    assert retained["analytics.incidents"] > 70_000
    facts = stack.sql("SELECT count(*) AS n FROM analytics.incident_facts")[0]["n"]
    recorded = stack.sql("SELECT count(*) AS n FROM incidents.incidents")[0]["n"]
    assert facts == recorded
    complaints = stack.sql("SELECT count(*) AS n FROM analytics.complaint_facts")[0]["n"]
    assert complaints == 40


def test_a_service_that_dies_is_started_again_and_the_others_keep_serving(stack):
    victim = stack.service_process("fora")
    victim.kill()
    victim.wait(10)
    with httpx.Client(timeout=5) as client:
        deadline = time.monotonic() + 120
        while True:
            # the others answer meanwhile
            for service in ("complaints", "incidents", "analytics"):
                assert client.get(f"{stack.urls[service]}/healthz").status_code == 200
            try:
                if client.get(f"{stack.urls['fora']}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"fora did not come back\n{stack.diagnostics()}")
            time.sleep(0.5)
    assert stack.up is not None and stack.up.poll() is None
    assert re.search(r"fora exited with -9 after \d+ s; restarting", stack.text())
    assert stack.service_process("fora").pid != victim.pid


def test_restart_with_a_fresh_broker_brings_analytics_back_by_itself(stack):
    before = caught_up(stack)
    # Analytics misses what the broker held when it went (the case of a stop before the
    # consumers caught up): its incident facts and their inbox rows go.
    stack.sql(
        "BEGIN; DELETE FROM analytics.incident_facts;"
        " DELETE FROM analytics.inbox WHERE consumer = 'analytics.incidents'; COMMIT",
        script=True,
    )
    stack.stop()

    out = stack.start("--demo")  # the memory-only broker starts empty
    assert "demo data already loaded; skipping" in out
    assert re.search(r"the broker holds 0 of the [\d,]+ events incidents's outbox retained", out)
    after = caught_up(stack)  # every retained event applied again, none missing
    assert after["analytics.incidents"] == before["analytics.incidents"]
    assert all(after[c] >= n for c, n in before.items())  # complaints' clocks keep running
    facts = stack.sql("SELECT count(*) AS n FROM analytics.incident_facts")[0]["n"]
    recorded = stack.sql("SELECT count(*) AS n FROM incidents.incidents")[0]["n"]
    assert facts == recorded
    stack.stop()
