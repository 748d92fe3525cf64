"""Freshness: after analytics is killed while it catches up on a backlog, the restarted
service's dashboard says the figures are behind until they are not (real processes: analytics
served by `jisr serve` in a child process, killed with SIGKILL mid-catch-up; the real broker and
database). And the broker's history shorter than what was applied is said, with the command
that restores it."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from jisr.local_stack import free_port
from libs.contracts.topics import INCIDENTS_RECORDED
from services.analytics.domain.freshness import TopicState, assess
from tests.support.incidents import facts
from tests.support.platform import Platform, eventually

from .scenario import Scenario, publish

pytestmark = pytest.mark.slow
BACKLOG = 4000
STALE_SECONDS = 6.0  # the watch's period (2 s), a lag probe (up to 4 s bounded)
BATCH = "25"  # small batches: catching up takes many commits, so it can be interrupted


@contextlib.asynccontextmanager
async def analytics_process(platform: Platform, log) -> AsyncIterator[tuple[str, object]]:
    """`jisr serve analytics` as its own process; yields (base URL, process) once it answers."""
    port = free_port()
    env = platform.env() | {"JISR_CONSUMER_BATCH_SIZE": BATCH, "JISR_FRESHNESS_MAX_LAG": "20"}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jisr.cli", "serve", "analytics", "--port", str(port),
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:

            async def answers() -> bool:
                with contextlib.suppress(httpx.HTTPError):
                    return (await client.get("/readyz")).status_code == 200
                return False

            await eventually(answers, timeout=60)
        yield url, child
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(child.wait(), 20)
            except TimeoutError:
                child.kill()
                await child.wait()


def banner(html: str) -> dict[str, str]:
    """The freshness banner's state as the page shows it."""
    aside = re.search(r'<aside id="freshness"[^>]*>', html)
    assert aside, "no freshness banner on the page"
    state = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', aside.group(0)))
    state["behind_text"] = "These figures are behind" in html
    as_of = re.search(r'<time datetime="([^"]+)"', html)
    state["as_of"] = as_of.group(1) if as_of else ""
    return state


async def test_the_dashboard_says_the_figures_are_behind_until_they_are_not(platform, tmp_path):
    await platform.migrate("analytics")
    scenario = Scenario(now=datetime.now(UTC))
    scenario.incidents(BACKLOG)
    published_from = datetime.now(UTC)
    await publish(platform.settings, scenario.events)  # the backlog, before analytics runs
    analyst = platform.token("ministry_analyst")

    with open(tmp_path / "analytics-1.log", "wb") as log:
        async with analytics_process(platform, log) as (_url, first):

            async def some_applied() -> bool:
                return await facts(platform) >= 200

            await eventually(some_applied, timeout=90, every=0.05)
            first.kill()  # SIGKILL mid-catch-up: no clean stop, no last offset commit
            await first.wait()
    killed_at = await facts(platform)
    assert 0 < killed_at < BACKLOG, killed_at

    seen: list[tuple[int, dict]] = []
    times: list[tuple[float, int]] = []  # (when the page was asked, events applied by then)
    with open(tmp_path / "analytics-2.log", "wb") as log:
        async with (
            analytics_process(platform, log) as (url, _second),
            httpx.AsyncClient(base_url=url, headers=analyst, timeout=10) as client,
        ):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                applied_before = await facts(platform)
                times.append((time.monotonic(), applied_before))
                page = await client.get("/overview")
                assert page.status_code == 200, page.text[:500]
                state = banner(page.text)
                seen.append((applied_before, state))
                if state["behind"] == "false" and state["lag-known"] == "true":
                    break
                await asyncio.sleep(0.2)
            view = (await client.get("/v1/stats/overview")).json()
            ready = (await client.get("/readyz")).json()
            caught_up = await facts(platform)

    behind = [(n, s) for n, s in seen if s["behind"] == "true"]
    assert behind, f"the banner never said the figures were behind: {seen[:5]}"
    assert all(s["behind_text"] for _, s in behind)
    first_applied, first_state = seen[0]
    # The first page after the restart never claims the figures are fresh: it says they are
    # behind, or (before the watch's first answer from the broker) that the lag is not known.
    assert first_applied < BACKLOG, seen[:3]
    assert first_state["behind"] == "true" or first_state["lag-known"] == "false", seen[:3]
    early = [s for n, s in seen if n < BACKLOG - 20]
    assert all(s["behind"] == "true" or s["lag-known"] == "false" for s in early), early
    # The banner is as old as the last check (every LAG_SECONDS, 2 s): once every event is
    # applied it may say "behind" a moment longer, never for more than a few seconds.
    done_at = next(at for at, n in times if n >= BACKLOG)
    stale = [at - done_at for (at, n), (_, s) in zip(times, seen, strict=True)
             if n >= BACKLOG and s["behind"] == "true"]  # fmt: skip
    assert max(stale, default=0) < STALE_SECONDS, stale
    last_applied, last = seen[-1]
    assert last["behind"] == "false" and last["lag-known"] == "true", seen[-3:]
    # once it says "not behind", at most the threshold (20) of the backlog is still waiting
    assert caught_up >= BACKLOG - 20
    await eventually(lambda: _equals(facts(platform), BACKLOG))

    freshness = view["freshness"]
    assert freshness["behind"] is False and freshness["lag_known"] is True
    topic = next(t for t in freshness["topics"] if t["topic"] == INCIDENTS_RECORDED.name)
    assert topic["lag"] <= 20
    assert published_from <= datetime.fromisoformat(freshness["as_of"]) <= datetime.now(UTC)
    assert datetime.fromisoformat(last["as_of"]) >= published_from  # "figures as of" on the page
    assert ready["consumer_lag"][INCIDENTS_RECORDED.name] <= 20


async def _equals(value, expected) -> bool:
    return (await value) == expected


def test_a_broker_holding_less_than_was_applied_names_the_commands_that_fix_it():
    now = datetime.now(UTC)
    fresh = TopicState(INCIDENTS_RECORDED.name, "incidents", now, 100, 0, 100, True, None)
    # a local broker restarted: the topic holds 10 of the 100 events analytics applied
    lost = TopicState(INCIDENTS_RECORDED.name, "incidents", now, 100, 0, 10, True, None)
    # retention removed old records (the topic no longer starts at 0): not a loss
    expired = TopicState(INCIDENTS_RECORDED.name, "incidents", now, 100, 0, 10, False, None)
    # the producer's outbox retained more published events than the topic holds
    behind_outbox = TopicState(INCIDENTS_RECORDED.name, "incidents", now, 5, 0, 10, False, 50)
    assert not assess([fresh], 20, now)["history_short"]
    assert not assess([expired], 20, now)["history_short"]
    for state in (lost, behind_outbox):
        block = assess([state], 20, now)
        assert block["history_short"]
        assert block["fix"] == [
            f"jisr outbox replay --service incidents --topic {INCIDENTS_RECORDED.name}",
            "jisr analytics rebuild",
        ]
