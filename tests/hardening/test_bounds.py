"""Bounded requests: ranges and page sizes refused past their maximum, a statement that runs
too long cancelled into a 503 with Retry-After, and /healthz prompt while the largest allowed
request runs."""

from __future__ import annotations

import asyncio
import statistics
import time

import asyncpg
import pytest

from libs.chassis.db import asyncpg_dsn
from tests.support.platform import make_platform


async def test_the_completeness_request_of_the_review_is_refused(stack):
    platform, clients = stack
    analyst = platform.token("ministry_analyst")
    response = await clients["incidents"].get(
        "/v1/completeness", params={"from": "0001-W01", "to": "9999-W52"}, headers=analyst
    )
    assert response.status_code == 422, response.text
    wide = await clients["incidents"].get(
        "/v1/completeness", params={"from": "2000-W01", "to": "2026-W01"}, headers=analyst
    )
    assert wide.status_code == 422
    [item] = wide.json()["detail"]
    assert item["loc"] == ["query", "from"] and "at most 53 weeks" in item["msg"]


@pytest.mark.parametrize(
    "path, params",
    [
        (
            "/v1/baselines",
            {"area": "JO", "category": "05", "from": "2000-01-03", "to": "2026-01-05"},
        ),
        ("/v1/incidents", {"limit": "501"}),
        ("/v1/alerts", {"limit": "5001"}),
        (
            "/v1/evaluations/before-after",
            {
                "treated": "AM-01",
                "comparison": "AM-02",
                "before_from": "2000-01-01",
                "before_to": "2020-01-01",
                "after_from": "2020-01-02",
                "after_to": "2021-01-01",
            },
        ),
    ],
)
async def test_incidents_ranges_and_page_sizes_are_bounded(stack, path, params):
    platform, clients = stack
    response = await clients["incidents"].get(
        path, params=params, headers=platform.token("ministry_analyst")
    )
    assert response.status_code == 422, response.text


async def test_analytics_and_feed_bounds(stack):
    platform, clients = stack
    span = await clients["analytics"].get(
        "/v1/stats/crime",
        params={"from": "2000-01-01", "to": "2026-01-01"},
        headers=platform.token("ministry_analyst"),
    )
    assert span.status_code == 422 and span.json()["detail"][0]["loc"] == ["query", "from"]
    cursor = await clients["complaints"].get(
        "/v1/oversight/feed",
        params={"after": "2684240282361990325335593033356279808"},
        headers=platform.token("oversight", oversight_body="ombudsman"),
    )
    assert cursor.status_code == 422, cursor.text
    assert cursor.json()["detail"][0]["loc"] == ["query", "after"]


async def test_a_statement_past_its_timeout_is_a_503_with_retry_after(infra):
    platform = await make_platform(infra, statement_timeout_seconds=0.5)
    await platform.migrate("incidents")
    async with platform.run("incidents") as client:
        blocker = await asyncpg.connect(
            asyncpg_dsn(platform.settings.database_url),
            server_settings={"search_path": "incidents"},
        )
        try:
            # Another transaction holds the table: the request's statement waits, then is cancelled.
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE")
            started = time.perf_counter()
            response = await client.get("/v1/incidents", headers=platform.token("ministry_analyst"))
            waited = time.perf_counter() - started
            await transaction.rollback()
        finally:
            await blocker.close()
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        assert response.json()["detail"][0]["type"] == "unavailable"
        assert waited < 5, waited
        after = await client.get("/v1/incidents", headers=platform.token("ministry_analyst"))
        assert after.status_code == 200  # the connection went back to the pool healthy


async def test_healthz_answers_promptly_while_the_largest_requests_run(stack):
    platform, clients = stack
    analyst = platform.token("ministry_analyst")
    largest = [
        (clients["incidents"], "/v1/completeness", {"from": "2025-W40", "to": "2026-W40"}),
        (
            clients["incidents"],
            "/v1/baselines",
            {"area": "JO", "category": "05", "from": "2021-W40", "to": "2026-W39"},
        ),
        (clients["analytics"], "/v1/stats/crime", {"from": "2021-10-01", "to": "2026-09-30"}),
    ]
    for client, path, params in largest:
        running = asyncio.create_task(client.get(path, params=params, headers=analyst))
        latencies = []
        while not running.done() or len(latencies) < 5:
            started = time.perf_counter()
            health = await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            assert health.status_code == 200
            await asyncio.sleep(0.01)
        response = await running
        assert response.status_code == 200, (path, response.text)
        assert statistics.median(latencies) < 0.1 and max(latencies) < 0.1, (path, latencies)
