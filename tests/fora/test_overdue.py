"""Overdue actions produce events: once per action and due date, however many sweeps run."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime

from services.fora.definition import DEFINITION
from services.fora.overdue import overdue_job, sweep_overdue
from tests.fora.helpers import Api, count_types, fora_events
from tests.support.platform import eventually


async def overdue_rows(platform) -> list[dict]:
    rows = await platform.sql(
        "fora",
        "SELECT payload FROM outbox WHERE event_type = 'jisr.action.overdue.v1' ORDER BY id",
    )
    return [{"p": json.loads(r["payload"])} for r in rows]


async def test_each_overdue_action_is_published_exactly_once(platform):
    await platform.migrate("fora")
    fast = replace(DEFINITION, background=(overdue_job(every_seconds=0.2),))
    async with platform.run(fast) as client:
        api = Api(platform, client)
        forum = await api.forum()

        async def action(title: str, due_on: str) -> str:
            body = {"title_en": title, "title_ar": title, "owner": "municipality",
                    "due_on": due_on, "created_on": "2026-09-01"}  # fmt: skip
            return (await api.post(f"/v1/fora/{forum}/actions", body))["action_id"]

        late = await action("Fix street lights", "2026-10-01")
        blocked = await action("Youth centre hours", "2026-10-15")
        done = await action("Patrol schedule", "2026-12-31")  # done before it could be late
        await action("Future work", "2027-01-31")
        await api.post(f"/v1/actions/{done}/progress", {"status": "done", "on": "2026-09-20"}, 200)
        await api.post(f"/v1/actions/{blocked}/progress", {"status": "blocked"}, 200)

        # The service's own background sweep finds the two overdue actions.
        await eventually(lambda: _count(overdue_rows(platform), 2))
        # More sweeps, concurrent ones included (the advisory lock and the marks hold).
        sessions = client.app.state.runtime.sessions
        today = datetime.now(UTC).date()
        await asyncio.gather(*(sweep_overdue(sessions, today) for _ in range(4)))
        assert await sweep_overdue(sessions, today) == 0
        rows = await overdue_rows(platform)
        assert sorted(r["p"]["action_id"] for r in rows) == sorted([late, blocked])
        by_action = {r["p"]["action_id"]: r["p"] for r in rows}
        assert by_action[late]["due_on"] == "2026-10-01"
        assert by_action[late]["days_overdue"] == (today - datetime(2026, 10, 1).date()).days
        # Blocked still counts as not done (the sweep may have seen it open or blocked).
        assert by_action[blocked]["status"] in {"open", "blocked"}

        # Rescheduling arms it again: one more event for the new due date. The background sweep
        # runs every 0.2 s, so it may be the one that finds it (a sweep of ours called now can
        # also meet its lock and return 0): wait for the event, then no sweep adds another.
        await api.post(f"/v1/actions/{late}/progress", {"due_on": "2026-11-01"}, 200)
        await eventually(lambda: _count(overdue_rows(platform), 3))
        await asyncio.gather(*(sweep_overdue(sessions, today) for _ in range(4)))
        assert await sweep_overdue(sessions, today) == 0
        rescheduled = [r["p"] for r in await overdue_rows(platform) if r["p"]["action_id"] == late]
        assert sorted(p["due_on"] for p in rescheduled) == ["2026-10-01", "2026-11-01"]
        listed = {a["action_id"]: a for a in await api.get(f"/v1/fora/{forum}/actions")}
        assert listed[late]["overdue"] and not listed[done]["overdue"]

        events = await fora_events(platform)
        assert count_types(events)["action.overdue"] == 3


async def _count(rows, n: int) -> bool:
    return len(await rows) == n
