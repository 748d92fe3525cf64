"""`GET /v1/baselines` filtered by the domestic flag and by victims' sex and age band, on a real
database: each week's observed count equals a count made here from the submitted rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from .conftest import monday, upload

SEXES = ("female", "male", "unknown")
BANDS = ("0-11", "18-24", "25-34", "65+")


def _history() -> list[dict]:
    """Three stations' incidents over 20 weeks; some domestic, some with victims."""
    rng = random.Random(14)
    rows = []
    for weeks_ago in range(1, 21):
        day = monday(weeks_ago) + timedelta(days=2)
        for i in range(rng.randint(2, 7)):
            station = rng.choice(["AM-01-S1", "AM-01-S2", "AM-02-S1"])
            domestic = rng.random() < 0.3
            offences = [{"iccs_code": "0201", "domestic": domestic}]
            if rng.random() < 0.3:  # a second, never domestic, theft
                offences.append({"iccs_code": "0502"})
            victims = [
                {"sex": rng.choice(SEXES), "age_band": rng.choice(BANDS)}
                for _ in range(rng.choice([0, 1, 1, 2, 3]))
            ]
            rows.append(
                {
                    "station_id": station,
                    "source_ref": f"f-{weeks_ago}-{i}",
                    "occurred_at": f"{day.isoformat()}T10:00:00+00:00",
                    "offences": offences,
                    "victims": victims,
                    "offenders": [{"sex": "male", "age_band": "35-44"}] if domestic else [],
                }
            )
    return rows


def _expected(rows, stations, category=None, domestic=None, sex=None, band=None) -> dict:
    by_week: dict[str, int] = {}
    for row in rows:
        if row["station_id"] not in stations:
            continue
        offences = [
            o for o in row["offences"] if category is None or o["iccs_code"].startswith(category)
        ]
        if not offences:
            continue
        if domestic is not None and any(o.get("domestic") for o in offences) != domestic:
            continue
        if (sex or band) and not any(
            (sex is None or v["sex"] == sex) and (band is None or v["age_band"] == band)
            for v in row["victims"]
        ):
            continue
        week = row["occurred_at"][:10]
        monday_of = datetime.fromisoformat(week).date()
        monday_of -= timedelta(days=monday_of.weekday())
        by_week[monday_of.isoformat()] = by_week.get(monday_of.isoformat(), 0) + 1
    return by_week


async def _observed(client, analyst, **params) -> dict:
    query = {"area": "AM-01", "from": str(monday(20)), "to": str(monday(1))} | params
    response = await client.get("/v1/baselines", params=query, headers=analyst)
    assert response.status_code == 200, response.text
    body = response.json()
    return body, {w["week_start"]: w["observed"] for w in body["weeks"] if w["observed"]}


async def test_filtered_series_count_what_the_rows_say(incidents):
    platform, client = incidents
    rows = _history()
    summary = await upload(platform, client, rows)
    assert summary["stored"] == len(rows)
    analyst = platform.token("ministry_analyst")
    district = {"AM-01-S1", "AM-01-S2"}

    cases = [
        {"category": "02", "domestic": True},
        {"category": "02", "domestic": False},
        {"category": "05", "domestic": True},  # thefts here are never domestic
        {"domestic": True},  # every category, each incident once
        {"category": "02", "victim_sex": "female"},
        {"victim_age_band": "0-11"},
        {"category": "02", "domestic": True, "victim_sex": "female", "victim_age_band": "25-34"},
    ]
    for case in cases:
        params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in case.items()}
        body, observed = await _observed(client, analyst, **params)
        expected = _expected(
            rows,
            district,
            category=case.get("category"),
            domestic=case.get("domestic"),
            sex=case.get("victim_sex"),
            band=case.get("victim_age_band"),
        )
        assert observed == expected, case
        assert body["domestic"] == case.get("domestic")
        assert body["victim_sex"] == case.get("victim_sex")
        assert body["category"] == case.get("category")
    assert _expected(rows, district, "02", domestic=True)  # the cases are not all empty
    assert _expected(rows, district, "05", domestic=True) == {}

    # domestic and the rest add up to the unfiltered series (which reads weekly_counts)
    _, everything = await _observed(client, analyst, category="02")
    _, yes = await _observed(client, analyst, category="02", domestic="true")
    _, no = await _observed(client, analyst, category="02", domestic="false")
    assert everything == {w: yes.get(w, 0) + no.get(w, 0) for w in everything}


async def test_a_reclassification_moves_an_incident_between_domestic_and_not(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    analyst = platform.token("ministry_analyst")
    occurred = f"{(monday(2) + timedelta(days=1)).isoformat()}T09:00:00+00:00"
    created = await client.post(
        "/v1/incidents",
        json={
            "station_id": "AM-01-S1",
            "occurred_at": occurred,
            "offences": [{"iccs_code": "0201"}],
            "victims": [{"sex": "female", "age_band": "18-24"}],
        },
        headers=officer,
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["incident_id"]
    before_change = datetime.now(UTC).isoformat()
    _, observed = await _observed(client, analyst, domestic="true")
    assert observed == {}
    fixed = await client.post(
        f"/v1/incidents/{incident_id}/reclassify",
        json={"offences": [{"iccs_code": "0201", "domestic": True}]},
        headers=officer,
    )
    assert fixed.status_code == 200, fixed.text
    _, observed = await _observed(client, analyst, domestic="true")
    assert observed == {str(monday(2)): 1}
    # victims do not change on a reclassification, so a past series by victim is exact
    _, past = await _observed(client, analyst, victim_sex="female", as_of=before_change)
    assert past == {str(monday(2)): 1}


async def test_bad_filters_are_refused_naming_the_parameter(incidents):
    platform, client = incidents
    analyst = platform.token("ministry_analyst")
    bad = [
        ({"category": "02", "domestic": "maybe"}, ["query", "domestic"]),
        ({"category": "02", "victim_sex": "woman"}, ["query", "victim_sex"]),
        ({"category": "02", "victim_age_band": "30"}, ["query", "victim_age_band"]),
        ({}, ["query", "category"]),  # no category and no filter
        (
            {"domestic": "true", "as_of": datetime.now(UTC).isoformat()},
            ["query", "domestic"],
        ),
    ]
    for params, loc in bad:
        response = await client.get(
            "/v1/baselines", params={"area": "AM-01"} | params, headers=analyst
        )
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"][0]["loc"] == loc, params
    station = platform.token("station_officer", station="AM-01-S1")
    refused = await client.get(
        "/v1/baselines", params={"area": "AM", "domestic": "true"}, headers=station
    )
    assert refused.status_code == 403
