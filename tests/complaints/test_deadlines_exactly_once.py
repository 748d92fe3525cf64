"""Deadline events fire once each, with two replicas running at once and replicas restarted
mid-way; and the unique constraint alone holds even when schedulers race without the lock."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from libs.chassis.db import make_engine, make_session_factory
from services.complaints.deadlines import emit_due
from services.complaints.definition import make_definition
from services.complaints.domain.clocks import ClockRule, RulePack, Span
from tests.complaints.support import FAST, file, status_topic
from tests.support.platform import eventually

PACK = RulePack(
    jurisdiction="test",
    timezone="UTC",
    weekend=frozenset({4, 5}),
    holidays=frozenset(),
    rules=(
        # warned after 1 s, breached after 3 s
        ClockRule(
            "acknowledgement", frozenset({"received"}), Span(seconds=3), warn_before=Span(seconds=2)
        ),
        # due every second while the complaint waits: many instances, each must fire once
        ClockRule(
            "progress_update", frozenset({"received"}), Span(seconds=1), repeat=Span(seconds=1)
        ),
    ),
)
CONFIG = replace(FAST, pack=PACK, tick_seconds=0.1)
DEADLINE_TYPES = ("jisr.complaint.deadline_approaching.v1", "jisr.complaint.deadline_breached.v1")


async def _deadline_rows(platform) -> list[tuple]:
    rows = await platform.sql(
        "complaints",
        "SELECT event_type, payload FROM outbox WHERE event_type = ANY($1::text[])",
        list(DEADLINE_TYPES),
    )
    out = []
    for row in rows:
        data = json.loads(row["payload"])
        out.append((row["event_type"], data["complaint_id"], data["clock"], data["due_at"]))
    return out


async def test_two_replicas_and_restarts_fire_each_deadline_once(platform):
    await platform.migrate("complaints")
    definition = make_definition(CONFIG)
    first, second = platform.run(definition), platform.run(definition)
    client = await first.__aenter__()
    await second.__aenter__()
    started = time.monotonic()
    try:
        filed = [(await file(client))["complaint_id"] for _ in range(5)]
        await asyncio.sleep(max(0.0, 1.5 - (time.monotonic() - started)))
        await first.__aexit__(None, None, None)  # a replica goes away mid-way
        first = platform.run(definition)
        await first.__aenter__()  # …and comes back while the other runs
        await asyncio.sleep(0.7)
        await second.__aexit__(None, None, None)  # the other one stops too
        second = None
        await asyncio.sleep(max(0.0, 4.0 - (time.monotonic() - started)))
        # each complaint's acknowledgement was warned and breached
        await eventually(lambda: _acknowledged(platform, len(filed)))
    finally:
        await first.__aexit__(None, None, None)
        if second is not None:
            await second.__aexit__(None, None, None)

    rows = await _deadline_rows(platform)
    duplicates = [key for key, n in Counter(rows).items() if n > 1]
    assert duplicates == [], f"deadline events fired more than once: {duplicates}"
    per_clock = Counter((kind.split(".")[2], clock) for kind, _, clock, _ in rows)
    assert per_clock[("deadline_approaching", "acknowledgement")] == 5
    assert per_clock[("deadline_breached", "acknowledgement")] == 5
    assert per_clock[("deadline_breached", "progress_update")] >= 5 * 3  # ≥ 3 s of instances
    published = await platform.scalar("complaints", "SELECT count(*) FROM outbox")
    records = await status_topic(platform, published)
    on_topic = [
        (t, d["complaint_id"], d["clock"], d["due_at"]) for t, d in records if t in DEADLINE_TYPES
    ]
    assert sorted(on_topic) == sorted(rows)


async def _acknowledged(platform, expected: int) -> bool:
    count = await platform.scalar(
        "complaints",
        "SELECT count(*) FROM clock_events WHERE clock = 'acknowledgement' AND kind = 'breached'",
    )
    return count == expected


async def test_racing_schedulers_without_the_lock_still_fire_once(platform):
    """Take the advisory lock out of the picture: eight passes race over the same deadlines."""
    await platform.migrate("complaints")
    pack = replace(PACK, rules=PACK.rules[:1])
    async with platform.run(
        make_definition(replace(CONFIG, pack=pack, tick_seconds=3600))
    ) as client:
        for _ in range(3):
            await file(client)
    engine = make_engine(platform.settings.database_url, "complaints", pool_size=8)
    sessions = make_session_factory(engine)
    try:
        await asyncio.sleep(3.1)
        now = datetime.now(UTC)
        emitted = await asyncio.gather(*(emit_due(sessions, pack, now) for _ in range(8)))
    finally:
        await engine.dispose()
    assert sum(emitted) == 3  # one breach per complaint, whoever got there first
    rows = await _deadline_rows(platform)
    assert len(rows) == 3 and len(set(rows)) == 3
