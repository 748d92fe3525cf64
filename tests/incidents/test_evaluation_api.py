"""Before/after evaluation over HTTP: window counts from stored incidents, WDD and E-test."""

from __future__ import annotations

import math

from .conftest import upload

BEFORE = ("2026-03-02", "2026-03-29")  # four weeks
AFTER = ("2026-04-06", "2026-05-03")  # four weeks


def rows(station: str, day: str, n: int, prefix: str) -> list[dict]:
    return [
        {
            "station_id": station,
            "source_ref": f"{prefix}-{i}",
            "occurred_at": f"{day}T10:00:00+03:00",
            "offences": [{"iccs_code": "0502"}],
        }
        for i in range(n)
    ]


async def test_counts_wdd_and_etest_for_treated_comparison_and_displacement(incidents):
    platform, client = incidents
    seed = (
        rows("AM-01-S1", "2026-03-10", 40, "t-b")  # treated: 40 before, 22 after
        + rows("AM-01-S1", "2026-04-14", 22, "t-a")
        + rows("AM-02-S1", "2026-03-10", 30, "c-b")  # comparison: 30 -> 31
        + rows("AM-02-S1", "2026-04-14", 31, "c-a")
        + rows("AM-01-S2", "2026-03-10", 12, "d-b")  # displacement: 12 -> 15
        + rows("AM-01-S2", "2026-04-14", 15, "d-a")
        + rows("AM-01-S1", "2026-05-20", 9, "late")  # outside both windows
    )
    await upload(platform, client, seed)
    analyst = platform.token("forum_coordinator")
    params = {
        "treated": "AM-01-S1",
        "comparison": "AM-02-S1",
        "displacement": "AM-01-S2",
        "category": "05",
        "before_from": BEFORE[0],
        "before_to": BEFORE[1],
        "after_from": AFTER[0],
        "after_to": AFTER[1],
    }
    response = await client.get("/v1/evaluations/before-after", params=params, headers=analyst)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["treated"] == {"area": "AM-01-S1", "before": 40, "after": 22}
    assert body["comparison"] == {"area": "AM-02-S1", "before": 30, "after": 31}
    assert body["displacement"] == {"area": "AM-01-S2", "before": 12, "after": 15}
    # one comparison area controls both: dT - dC + dD - dC, comparison variance counted 4x
    assert body["wdd"] == (22 - 40) - (31 - 30) + (15 - 12) - (31 - 30)
    assert body["wdd_variance"] == 62 + 27 + 4 * 61
    assert math.isclose(body["wdd_z"], -17 / math.sqrt(333))
    assert 0 < body["etest_p"] < 0.05  # 40 -> 22 over equal windows is a real fall

    no_displacement = await client.get(
        "/v1/evaluations/before-after",
        params={k: v for k, v in params.items() if k != "displacement"},
        headers=analyst,
    )
    assert no_displacement.json()["wdd"] == -18 - 1
    assert no_displacement.json()["wdd_variance"] == 62 + 61


async def test_evaluation_refuses_overlapping_windows_and_unknown_areas(incidents):
    platform, client = incidents
    analyst = platform.token("ministry_analyst")
    base = {
        "treated": "AM-01-S1",
        "comparison": "AM-02-S1",
        "before_from": "2026-03-01",
        "before_to": "2026-04-10",
        "after_from": "2026-04-01",
        "after_to": "2026-05-01",
    }
    overlap = await client.get("/v1/evaluations/before-after", params=base, headers=analyst)
    assert overlap.status_code == 422
    assert overlap.json()["detail"][0]["loc"] == ["query", "after_from"]
    unknown = await client.get(
        "/v1/evaluations/before-after",
        params=base | {"comparison": "ZZ-9", "before_to": "2026-03-20"},
        headers=analyst,
    )
    assert unknown.status_code == 422 and "ZZ-9" in unknown.text
