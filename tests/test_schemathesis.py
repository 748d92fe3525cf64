"""Schemathesis against all four services, running as they run in production (uvicorn, real
PostgreSQL and broker, lifespans), with role tokens: no 5xx, and no answer that contradicts
the OpenAPI document (status code, content type, body schema), for schema-valid and invalid
requests; and no 4xx that repeats a value the request sent.

Bounded so that `./dev test` stays within its time: JISR_SCHEMATHESIS_EXAMPLES examples per
operation and generation mode (default 6), no shrinking; every failure of every operation is
collected and reported together rather than stopping at the first.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jisr.local_stack import free_port
from jisr.services import SERVICES, definition
from libs.chassis.auth import mint_token
from libs.chassis.service import create_app
from tests.support.platform import Platform, make_platform

pytestmark = [
    pytest.mark.slow,
    # schemathesis' own strategies use `random`; nothing for this suite to act on
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

EXAMPLES = int(os.environ.get("JISR_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STATION = "AM-01-S1"
BODY = "schemathesis_panel"


class Stack:
    """The four services under uvicorn on free ports, in a thread with its own event loop."""

    def __init__(self, infra: Any) -> None:
        self.infra = infra
        self.ports = {name: free_port() for name in SERVICES}
        self.platform: Platform | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._servers: list[uvicorn.Server] = []
        self._thread = threading.Thread(target=self._run, name="schemathesis-stack", daemon=True)

    def __enter__(self) -> Stack:
        self._thread.start()
        if not self.ready.wait(180) or self.error is not None:
            raise RuntimeError("the services did not start") from self.error
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.should_exit = True
        self._thread.join(60)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by __enter__
            self.error = exc
            self.ready.set()

    async def _serve(self) -> None:
        self.platform = await make_platform(self.infra)
        await self.platform.migrate(*SERVICES)
        for name in SERVICES:
            app = create_app(definition(name), self.platform.settings)
            config = uvicorn.Config(
                app, host="127.0.0.1", port=self.ports[name], log_level="warning", lifespan="on"
            )
            self._servers.append(uvicorn.Server(config))
        tasks = [asyncio.create_task(server.serve()) for server in self._servers]
        while not all(server.started for server in self._servers):
            if any(task.done() for task in tasks):
                raise RuntimeError("a service stopped while starting")
            await asyncio.sleep(0.1)
        self.ready.set()
        await asyncio.gather(*tasks)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


@pytest.fixture(scope="module")
def stack(infra) -> Iterator[Stack]:
    with Stack(infra) as running:
        assert running.platform is not None
        admin = _token(running, "admin")
        # An oversight body to read for, registered as an admin does it.
        requests.put(
            f"{running.url('complaints')}/v1/oversight/bodies/{BODY}",
            json={"body_id": BODY, "title": "Schemathesis panel", "national": True},
            headers=admin,
            timeout=30,
        ).raise_for_status()
        yield running


def _token(stack: Stack, role: str) -> dict[str, str]:
    assert stack.platform is not None
    scope: dict[str, Any] = {}
    if role == "station_officer":
        scope["station_id"] = STATION
    if role == "oversight":
        scope["oversight_body"] = BODY
    token = mint_token(stack.platform.settings, role=role, **scope)
    return {"Authorization": f"Bearer {token}"}


ROLES = (
    "admin",
    "station_officer",
    "ministry_analyst",
    "forum_coordinator",
    "complaints_officer",
    "investigator",
    "reviewer",
    "oversight",
)


def _sent_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _sent_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _sent_strings(item)


def echoed(case: Any, response: requests.Response) -> list[str]:
    """Distinctive values the request sent that a 4xx answer repeats (free text: 12+
    characters with a letter and a space or a symbol no code has)."""
    if not 400 <= response.status_code < 500:
        return []
    sent = itertools.chain(
        _sent_strings(case.query or {}),
        _sent_strings(case.path_parameters or {}),
        _sent_strings(case.body if isinstance(case.body, dict | list | str) else None),
    )
    text = response.text
    return [
        value
        for value in sent
        if len(value) >= 12
        and any(c.isalpha() for c in value)
        and any(not (c.isalnum() or c in "-_.:") for c in value)
        and value in text
    ]


def _operations(service: str) -> list[Any]:
    app = create_app(definition(service))
    schema = schemathesis.openapi.from_dict(app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


def _exercise(
    operation: Any,
    mode: GenerationMode,
    call: Any,
    failures: list[str],
) -> None:
    """EXAMPLES cases of one operation in one mode; every failure appended, none raised."""
    label = f"{operation.label} [{mode.value}]"
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception as exc:  # an operation schemathesis cannot negate: say so
        failures.append(f"{label}: no strategy: {exc}")
        return

    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            response = call(case)
        except requests.RequestException as exc:
            failures.append(f"{label}: no answer: {type(exc).__name__}")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:
            first = str(exc).strip().splitlines()[:6]
            failures.append(f"{label}: {response.status_code}: " + " | ".join(first))
        if repeated := echoed(case, response):
            failures.append(f"{label}: a {response.status_code} echoes {repeated[:1]!r}")

    try:
        run()
    except Unsatisfiable:  # negative mode of an operation that takes nothing to get wrong
        if mode is not GenerationMode.NEGATIVE:
            raise


@pytest.mark.parametrize("service", SERVICES)
def test_no_server_error_and_no_schema_mismatch(stack, service):
    base_url = stack.url(service)
    tokens = itertools.cycle([_token(stack, role) for role in ROLES])
    session = requests.Session()

    sent: set[str] = set()

    def call(case: Any) -> requests.Response:
        sent.add(case.operation.label)
        return case.call(base_url=base_url, session=session, headers=next(tokens), timeout=60)

    failures: list[str] = []
    operations = _operations(service)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, call, failures)
    # no operation silently left out (one schemathesis could not generate for, say)
    assert sent == {operation.label for operation in operations}
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} failures:\n" + "\n".join(unique[:80])


def test_the_run_covers_every_operation(stack):
    """Guard against a silently empty run: each service has operations to test."""
    for service in SERVICES:
        assert len(_operations(service)) >= 3, service


