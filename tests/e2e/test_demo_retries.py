"""The demo's API client waits out what can be waited out (429 with Retry-After, a service
restarting) with one Idempotency-Key per request, and gives up clearly on anything else."""

from __future__ import annotations

import httpx
import pytest

from jisr.demo_activity import _Api
from libs.chassis.settings import Settings


def _api(answers: list, sleeps: list[float], seen: list[httpx.Request]) -> _Api:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.Client(transport=httpx.MockTransport(handle))
    return _Api(client, Settings(), "http://svc", progress=lambda _: None, sleep=sleeps.append)


def test_a_429_is_waited_out_as_told_with_the_same_idempotency_key():
    sleeps: list[float] = []
    seen: list[httpx.Request] = []
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": []}),
        httpx.ConnectError("restarting"),
        httpx.Response(503, json={"detail": []}),
        httpx.Response(201, json={"complaint_id": "c1"}),
    ]
    api = _api(answers, sleeps, seen)
    assert api.call("POST", "/v1/complaints", {}, {"n": 1}) == {"complaint_id": "c1"}
    assert sleeps[0] == 7.0  # Retry-After
    assert len(sleeps) == 3
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(seen) == 4 and len(keys) == 1


def test_a_refusal_is_not_retried_and_says_what_failed():
    sleeps: list[float] = []
    seen: list[httpx.Request] = []
    api = _api([httpx.Response(409, json={"detail": [{"msg": "no"}]})], sleeps, seen)
    with pytest.raises(RuntimeError, match="POST /v1/x: 409"):
        api.call("POST", "/v1/x", {}, {})
    assert sleeps == [] and len(seen) == 1


def test_it_gives_up_after_bounded_attempts():
    sleeps: list[float] = []
    seen: list[httpx.Request] = []
    api = _api([httpx.Response(502) for _ in range(20)], sleeps, seen)
    with pytest.raises(RuntimeError, match="gave up after 8 attempts"):
        api.call("GET", "/v1/y", {})
    assert len(seen) == 8
