"""`jisr up` as a user runs it: one command, the whole platform, and Ctrl-C stops all of it.

Starts the real CLI in a subprocess with embedded PostgreSQL and the Tansu broker (none of the
suite's own infrastructure), records an incident through HTTP, watches it reach analytics
within 2 s, replays it idempotently, then sends SIGINT and checks nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from jisr.local_stack import free_port, free_ports

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
READY_LINE = "press Ctrl-C to stop."
START_TIMEOUT = 120.0
ANALYTICS_DEADLINE = 2.0  # acceptance criterion: "shows in analytics within 2 s"
STOP_TIMEOUT = 60.0
SERVICES = ("complaints", "fora", "incidents", "analytics")
STATION = "AM-01-S1"
INCIDENT = {
    "station_id": STATION,
    "occurred_at": "2026-11-20T10:00:00+03:00",
    "offences": [{"iccs_code": "0201"}],
}


def _service_ports() -> int:
    """A base port P with P..P+3 all free (below the ephemeral range: see free_ports)."""
    return free_ports(len(SERVICES))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JISR_DATABASE_URL", "JISR_KAFKA_BOOTSTRAP", "JISR_TOPIC_PREFIX"):
        env.pop(name, None)
    return env


def _cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "jisr.cli", *args],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"jisr {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout.strip()


def _diagnostics(output: Path, home: Path) -> str:
    parts = [f"--- jisr up output ---\n{output.read_text(errors='replace')}"]
    for log in sorted(home.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-40:]
        parts.append(f"--- {log.name} (tail) ---\n" + "\n".join(tail))
    return "\n".join(parts)


def _processes_mentioning(home: Path) -> list[psutil.Process]:
    """Live processes whose command line names the home folder (the postmaster: `-D home/...`)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        try:
            if proc.pid == os.getpid() or proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if str(home) in " ".join(proc.info["cmdline"] or ()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        proc = psutil.Process(pid)
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _stack_pids(up: subprocess.Popen, home: Path) -> tuple[set[int], set[int]]:
    """The `jisr up` descendants; the daemonised PostgreSQL (not a child) and its backends."""
    children = {p.pid for p in psutil.Process(up.pid).children(recursive=True)}
    postgres: set[int] = set()
    for proc in _processes_mentioning(home):
        if proc.pid == up.pid or proc.pid in children:
            continue
        postgres.add(proc.pid)
        with contextlib.suppress(psutil.NoSuchProcess):
            postgres.update(p.pid for p in proc.children(recursive=True))
    return children, postgres


def _kill_everything(up: subprocess.Popen, home: Path) -> None:
    """Last resort after a failure: leave no broker, service or PostgreSQL behind."""
    procs: list[psutil.Process] = []
    try:
        procs.append(psutil.Process(up.pid))
        procs.extend(psutil.Process(up.pid).children(recursive=True))
    except psutil.NoSuchProcess:
        pass
    procs.extend(_processes_mentioning(home))
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=10)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)
    if up.poll() is None:
        up.kill()
    up.wait(5)


def _wait_for_banner(
    up: subprocess.Popen, output: Path, home: Path, timeout: float = START_TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while READY_LINE not in output.read_text(errors="replace"):
        if up.poll() is not None:
            pytest.fail(f"jisr up exited with {up.returncode}\n{_diagnostics(output, home)}")
        if time.monotonic() > deadline:
            pytest.fail(f"jisr up not ready in {timeout:.0f}s\n{_diagnostics(output, home)}")
        time.sleep(0.2)


def _station_count(client: httpx.Client, url: str, analyst: dict[str, str]) -> int:
    response = client.get(url, params={"group_by": "station"}, headers=analyst)
    assert response.status_code == 200, response.text
    return {row["key"]: row["count"] for row in response.json()["rows"]}.get(STATION, 0)


def test_jisr_up_serves_the_platform_and_ctrl_c_stops_everything(tmp_path):
    home = (tmp_path / "home").resolve()
    output = tmp_path / "jisr-up.out"
    base = _service_ports()
    kafka = free_port()
    while base <= kafka < base + len(SERVICES):
        kafka = free_port()
    urls = {s: f"http://127.0.0.1:{base + i}" for i, s in enumerate(SERVICES)}

    with open(output, "wb") as out:
        up = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jisr.cli",
                "up",
                "--home",
                str(home),
                "--base-port",
                str(base),
                "--kafka-port",
                str(kafka),
            ],
            cwd=REPO,
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stopped_cleanly = False
    try:
        _wait_for_banner(up, output, home)

        officer_token = _cli("token", "--role", "station_officer", "--station", STATION)
        analyst_token = _cli("token", "--role", "ministry_analyst")
        officer = {"Authorization": f"Bearer {officer_token}"}
        analyst = {"Authorization": f"Bearer {analyst_token}"}
        stats = f"{urls['analytics']}/v1/stats/incidents"
        key = {"Idempotency-Key": str(uuid.uuid4())}

        with httpx.Client(timeout=5) as client:
            assert _station_count(client, stats, analyst) == 0

            # The tracer bullet over real HTTP: recorded, then counted within 2 s.
            first = client.post(
                f"{urls['incidents']}/v1/incidents", json=INCIDENT, headers=officer | key
            )
            posted = time.monotonic()
            assert first.status_code == 201, first.text
            count = 0
            while True:
                count = _station_count(client, stats, analyst)
                latency = time.monotonic() - posted
                if count >= 1 or latency > ANALYTICS_DEADLINE:
                    break
                time.sleep(0.05)
            print(f"\njisr up: incident visible in analytics after {latency * 1000:.0f} ms")
            assert count == 1, (
                f"{STATION} count is {count} {latency:.2f}s after the POST "
                f"(deadline {ANALYTICS_DEADLINE}s)\n{_diagnostics(output, home)}"
            )
            assert latency <= ANALYTICS_DEADLINE

            # A client retry with the same key is answered from the first response, once.
            retry = client.post(
                f"{urls['incidents']}/v1/incidents", json=INCIDENT, headers=officer | key
            )
            assert retry.status_code == first.status_code, retry.text
            assert retry.json() == first.json()
            assert retry.headers.get("Idempotent-Replayed") == "true"
            time.sleep(1.0)
            assert _station_count(client, stats, analyst) == 1

            for service, url in urls.items():
                ready = client.get(f"{url}/readyz")
                assert ready.status_code == 200, f"{service}: {ready.text}"
                body = ready.json()
                assert body["service"] == service
                assert body["database"] == "ok", f"{service}: {body}"
                assert body["broker"] == "ok", f"{service}: {body}"

        # Ctrl-C: everything `jisr up` started, including the daemonised PostgreSQL, goes away.
        children, postgres = _stack_pids(up, home)
        assert len(children) >= len(SERVICES) + 1, children  # the services and the broker
        assert postgres, f"no PostgreSQL process found for {home}"
        pids = children | postgres
        up.send_signal(signal.SIGINT)
        try:
            code = up.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"jisr up still running {STOP_TIMEOUT:.0f}s after SIGINT")
        assert code == 0, f"jisr up exited with {code}\n{_diagnostics(output, home)}"
        assert "stopped." in output.read_text(errors="replace")
        left = sorted(pid for pid in pids if _alive(pid))
        assert not left, f"still running after Ctrl-C: {left}\n{_diagnostics(output, home)}"
        mentioning = [(p.pid, p.info["cmdline"]) for p in _processes_mentioning(home)]
        assert not mentioning, f"processes still use {home}: {mentioning}"
        stopped_cleanly = True
    finally:
        if not stopped_cleanly:
            _kill_everything(up, home)
