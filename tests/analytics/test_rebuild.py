"""`jisr analytics rebuild` (the real CLI, in a child process, while analytics is serving)
empties the read models and reproduces them identically from a replay of the topics."""

from __future__ import annotations

import re

import pytest

from services.analytics.tables import READ_MODELS
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow


async def snapshot(platform) -> dict[str, list]:
    tables = {}
    for table in READ_MODELS:
        keys = ", ".join(c.name for c in table.primary_key.columns)
        rows = await platform.sql("analytics", f"SELECT * FROM {table.name} ORDER BY {keys}")
        tables[table.name] = [
            tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in rows
        ]
    return tables


async def test_rebuild_reproduces_identical_tables(world):
    platform = world.platform
    before = await snapshot(platform)
    assert all(
        before[t]
        for t in (
            "incident_facts",
            "complaint_facts",
            "meeting_facts",
            "baseline_alerts",
            "recommendations",
            "action_facts",
            "survey_waves",
            "survey_cells",
            "survey_cell_items",
            "forum_origins",
            "programme_activities",
            "membership_counts",
            "membership_cells",
            "plan_indicator_values",
            "sara_cases",
            "sara_stages",
            "sara_assessments",
        )
    )
    inbox = await platform.scalar("analytics", "SELECT count(*) FROM inbox")
    # Disturb the read models the way a projection bug would, then rebuild.
    await platform.sql("analytics", "UPDATE incident_facts SET status = 'voided'")
    await platform.sql("analytics", "DELETE FROM complaint_findings")
    await platform.sql("analytics", "DELETE FROM survey_cell_items WHERE positive IS NOT NULL")
    await platform.sql("analytics", "UPDATE plan_indicator_values SET value = -1")
    await platform.sql("analytics", "DELETE FROM sara_stages")

    out = await run_cli(platform, "analytics", "rebuild")

    assert "analytics read models rebuilt" in out
    replayed = sum(int(n) for n in re.findall(r"records=(\d+)", out))
    assert replayed == len(world.events)  # every record of the four topics
    assert "rejected=0" in out and "undecodable=0" in out
    after = await snapshot(platform)
    for name in before:
        gone = set(before[name]) - set(after[name])
        new = set(after[name]) - set(before[name])
        assert not gone and not new, (name, sorted(gone)[:3], sorted(new)[:3])
    assert after == before
    assert await platform.scalar("analytics", "SELECT count(*) FROM inbox") == inbox
    # The service kept running: its consumers treat the replayed events as duplicates.
    response = await world.analytics.get(
        "/v1/stats/crime", headers=platform.token("ministry_analyst")
    )
    assert response.status_code == 200
