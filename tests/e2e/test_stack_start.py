"""`jisr up` waiting for its services: one that exits before it is ready is started again, and
one that keeps exiting ends the start with its own last words (not just "see the log").

Real child processes stand in for the services (a Python process that writes a line and exits,
and a tiny HTTP server answering /readyz); the stack's waiting and restarting code is the one
`jisr up` runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jisr import local_stack
from jisr.commands.stack import START_ATTEMPTS, LocalStack
from jisr.local_stack import free_ports

READY_SERVER = """
import http.server, json, sys
class Ready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"status": "ready", "broker": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ready).serve_forever()
"""


def _stack(tmp_path: Path, exits_before_ready: dict[str, int]) -> tuple[LocalStack, dict]:
    """A stack whose `analytics` exits `exits_before_ready` times (writing why) before it
    serves; `spawned` counts the starts of each service."""
    base = free_ports(2)
    stack = LocalStack(tmp_path, {"incidents": base, "analytics": base + 1}, 0)
    spawned: dict[str, int] = {}

    def spawn(service: str) -> None:
        spawned[service] = spawned.get(service, 0) + 1
        log = tmp_path / f"{service}.log"
        if spawned[service] <= exits_before_ready.get(service, 0):
            args = [sys.executable, "-c", f"print('{service}: address already in use'); exit(3)"]
        else:
            args = [sys.executable, "-c", READY_SERVER, str(stack.ports[service])]
        stack.children[service] = local_stack.spawn(args, log=log)

    stack._spawn = spawn  # type: ignore[method-assign]
    for service in stack.ports:
        stack._spawn(service)
    return stack, spawned


def _stop(stack: LocalStack) -> None:
    for child in stack.children.values():
        child.kill()
        child.wait(5)


def test_a_service_that_exits_while_starting_is_started_again(tmp_path, capsys):
    stack, spawned = _stack(tmp_path, {"analytics": 1})
    try:
        stack._wait_ready(timeout=30)
    finally:
        _stop(stack)
    assert spawned == {"incidents": 1, "analytics": 2}
    said = capsys.readouterr().out
    assert "analytics exited with 3 while starting (analytics: address already in use)" in said


def test_a_service_that_keeps_exiting_ends_the_start_saying_why(tmp_path):
    stack, spawned = _stack(tmp_path, {"analytics": START_ATTEMPTS})
    try:
        with pytest.raises(SystemExit) as stopped:
            stack._wait_ready(timeout=30)
    finally:
        _stop(stack)
    assert spawned["analytics"] == START_ATTEMPTS
    message = str(stopped.value)
    assert f"analytics exited {START_ATTEMPTS} times while starting" in message
    assert "last exit code 3: analytics: address already in use" in message
    assert str(tmp_path / "analytics.log") in message


def test_the_last_line_of_a_missing_or_empty_log(tmp_path):
    assert local_stack.last_line(tmp_path / "none.log") == "no log"
    (tmp_path / "empty.log").write_text("\n\n")
    assert local_stack.last_line(tmp_path / "empty.log") == "nothing logged"
