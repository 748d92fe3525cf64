"""The incidents service on a real PostgreSQL and broker, and ways to feed it history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest


@pytest.fixture
async def incidents(platform):
    await platform.migrate("incidents")
    async with platform.run("incidents") as client:
        yield platform, client


def monday(weeks_ago: int) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_ago)


def jsonl(rows: list[dict]) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


def weekly_history(
    station: str, code: str, counts: dict[int, int], prefix: str = "h"
) -> list[dict]:
    """Incident rows: counts[w] incidents in the week `w` weeks ago (Tuesday noon UTC)."""
    rows = []
    for weeks_ago, n in counts.items():
        day = monday(weeks_ago) + timedelta(days=1)
        for i in range(n):
            rows.append(
                {
                    "station_id": station,
                    "source_ref": f"{prefix}-{weeks_ago}-{i}",
                    "occurred_at": f"{day.isoformat()}T12:00:00+00:00",
                    "offences": [{"iccs_code": code}],
                }
            )
    return rows


async def upload(platform, client, rows: list[dict]) -> dict:
    response = await client.post(
        "/v1/incidents/bulk",
        content=jsonl(rows),
        headers=platform.token("admin") | {"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    return response.json()
