"""Closing a week records completeness and evaluates alerts; alerts reach the topic."""

from __future__ import annotations

from datetime import timedelta

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import decode
from libs.contracts.topics import INCIDENTS_BASELINES
from tests.support.platform import eventually

from .conftest import monday, upload, weekly_history


def week_path(station: str, weeks_ago: int) -> str:
    return f"/v1/stations/{station}/periods/{monday(weeks_ago).isoformat()}/close"


async def test_closing_a_week_is_idempotent_and_scoped(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {1: 2}))

    first = await client.post(week_path("AM-01-S1", 1), headers=officer)
    again = await client.post(week_path("AM-01-S1", 1), headers=officer)
    assert first.status_code == 201 and again.status_code == 200, first.text
    assert first.json()["incident_count"] == again.json()["incident_count"] == 2

    assert (await client.post(week_path("AM-01-S2", 1), headers=officer)).status_code == 403
    current = await client.post(week_path("AM-01-S1", 0), headers=officer)
    assert current.status_code == 422 and "not ended" in current.text
    tuesday = monday(2) + timedelta(days=1)
    wrong_day = await client.post(f"/v1/stations/AM-01-S1/periods/{tuesday}/close", headers=officer)
    assert wrong_day.status_code == 422 and "Monday" in wrong_day.text


async def test_completeness_tells_zero_incidents_from_no_report(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AJ-01-S1")
    closed = await client.post(week_path("AJ-01-S1", 1), headers=officer)
    assert closed.status_code == 201 and closed.json()["incident_count"] == 0

    week = monday(1).isoformat()
    analyst = platform.token("ministry_analyst")
    body = (
        await client.get(f"/v1/completeness?from={week}&to={week}&governorate=AJ", headers=analyst)
    ).json()
    assert "AJ-01-S1" not in body["not_reported"]
    assert body["not_reported"] and body["complete"] == 1
    assert body["stations"] == body["complete"] + len(body["not_reported"])


async def test_a_rise_raises_an_alert_and_a_normal_week_clears_it(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    history = {w: 3 for w in range(3, 75)} | {2: 20, 1: 3}
    await upload(platform, client, weekly_history("AM-01-S1", "0502", history))

    raised = (await client.post(week_path("AM-01-S1", 2), headers=officer)).json()["alerts"]
    station_alert = next(
        a for a in raised if a["area_id"] == "AM-01-S1" and a["iccs_code"] == "0502"
    )
    assert station_alert["action"] == "raise"
    assert station_alert["observed"] == 20
    assert station_alert["upper_limit"] < 20 and station_alert["expected"] < 6
    assert station_alert["method"] == "noufaily_2013"  # the default rule pack's method
    assert station_alert["method_version"] == "1"
    assert {(a["area_id"], a["iccs_code"]) for a in raised} == {
        (area, code) for area in ("AM-01-S1", "AM-01", "AM", "JO") for code in ("05", "0502")
    }

    cleared = (await client.post(week_path("AM-01-S1", 1), headers=officer)).json()["alerts"]
    assert {a["action"] for a in cleared} == {"clear"} and len(cleared) == 8

    analyst = platform.token("ministry_analyst")
    listed = (await client.get("/v1/alerts?area=AM-01", headers=analyst)).json()
    assert {(a["iccs_code"], a["status"]) for a in listed} == {
        ("05", "cleared"),
        ("0502", "cleared"),
    }

    records = await platform.topic_records(INCIDENTS_BASELINES.name, 16)
    events = [decode(r.headers, r.value, CATALOGUE).data for r in records]
    assert (
        sorted(e.event_type for e in events)
        == ["baseline.alert_cleared"] * 8 + ["baseline.alert_raised"] * 8
    )
    assert {r.key.decode() for r in records} == {"AM-01-S1", "AM-01", "AM", "JO"}


async def test_baselines_endpoint_gives_expected_band_and_rates(incidents):
    platform, client = incidents
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {w: 3 for w in range(1, 70)}))
    analyst = platform.token("ministry_analyst")
    response = await client.get(
        f"/v1/baselines?area=AM-01&category=0502&from={monday(4)}&to={monday(1)}",
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    weeks = response.json()["weeks"]
    assert len(weeks) == 4
    for week in weeks:
        assert week["observed"] == 3 and not week["flag"]
        assert 2 <= week["expected"] <= 4 and week["upper_limit"] >= week["expected"]
        assert week["rate_per_100k"] == round(3 / 855955 * 100_000, 4)
        assert week["statistic"] == 3  # noufaily_2013 compares the week's count
        assert week["trend_used"] is False and week["converged"] is None  # < 3 years: no trend
    body = response.json()
    assert (body["method"], body["method_version"], body["statistic"]) == (
        "noufaily_2013",
        "1",
        "week_count",
    )
    stroup = (
        await client.get(
            f"/v1/baselines?area=AM-01&category=0502&to={monday(1)}&method=stroup_1989",
            headers=analyst,
        )
    ).json()
    assert stroup["statistic"] == "four_week_total"
    assert stroup["weeks"][-1]["statistic"] == 12 and stroup["weeks"][-1]["expected"] == 12
    legacy = (
        await client.get(
            f"/v1/baselines?area=AM-01&category=0502&to={monday(1)}&method=historical_limits",
            headers=analyst,
        )
    ).json()
    assert legacy["method"] == "historical_limits_weekly"
    methods = (await client.get("/v1/baselines/methods", headers=analyst)).json()
    assert methods["alert_method"] == "noufaily_2013"
    by_name = {m["name"]: m for m in methods["methods"]}
    assert by_name["noufaily_2013"]["parameters"]["pThresholdTrend"] == 1.0
    assert by_name["stroup_1989"]["reference"].startswith("Stroup")
    unknown = await client.get("/v1/baselines?area=XX&category=0502", headers=analyst)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "area"]
    station = platform.token("station_officer", station="AM-01-S1")
    assert (
        await client.get("/v1/baselines?area=AM&category=05", headers=station)
    ).status_code == 403


async def test_a_counting_rules_change_restarts_the_baseline(incidents, monkeypatch):
    platform, client = incidents
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {w: 3 for w in range(3, 70)}))
    monkeypatch.setattr("services.incidents.domain.submission.COUNTING_RULES_VERSION", "2")
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {2: 4, 1: 30}, prefix="v2"))
    analyst = platform.token("ministry_analyst")
    query = {"area": "AM-01-S1", "category": "0502", "from": str(monday(4)), "to": str(monday(1))}

    new = (await client.get("/v1/baselines", params=query, headers=analyst)).json()
    assert new["counting_rules_version"] == "2" and new["series_start"] == str(monday(2))
    observed = [w["observed"] for w in new["weeks"]]
    assert observed == [0, 0, 4, 30]  # weeks under the old rules are not in the new series
    assert all(w["expected"] is None and not w["flag"] for w in new["weeks"])  # no history yet

    old = await client.get(
        "/v1/baselines", params=query | {"counting_rules_version": "1"}, headers=analyst
    )
    assert [w["observed"] for w in old.json()["weeks"]] == [3, 3, 0, 0]

    officer = platform.token("station_officer", station="AM-01-S1")
    closed = await client.post(week_path("AM-01-S1", 1), headers=officer)
    assert closed.json()["alerts"] == []  # 30 against no baseline is not an alarm


AREAS = ("AM-01-S1", "AM-01", "AM", "JO")


async def _raised_events(platform, expected: int, timeout: float = 20.0) -> list:
    records = await platform.topic_records(
        INCIDENTS_BASELINES.name, expected, timeout=timeout, distinct=True
    )
    events = [decode(r.headers, r.value, CATALOGUE).data for r in records]
    return [e for e in events if e.event_type == "baseline.alert_raised"]


async def test_a_late_upload_into_a_closed_week_raises_exactly_one_alert_event(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {w: 3 for w in range(2, 75)}))
    closed = (await client.post(week_path("AM-01-S1", 2), headers=officer)).json()
    assert closed["alerts"] == []  # an ordinary week

    # The rest of the week arrives after it was closed: 17 more incidents, one upload.
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {2: 17}, prefix="late"))
    analyst = platform.token("ministry_analyst")

    async def raised():
        body = (await client.get("/v1/alerts?status=raised", headers=analyst)).json()
        return body if len(body) == 8 else None

    alerts = await eventually(raised, timeout=20)
    assert {(a["area_id"], a["iccs_code"]) for a in alerts} == {
        (area, code) for area in AREAS for code in ("05", "0502")
    }
    assert all(a["week_start"] == str(monday(2)) and a["observed"] == 20 for a in alerts)
    assert {(a["method"], a["method_version"]) for a in alerts} == {("noufaily_2013", "1")}
    assert await platform.scalar("incidents", "SELECT count(*) FROM alert_rechecks") == 0

    # Another change to the same closed week is evaluated too, and keeps the open episode.
    await upload(platform, client, weekly_history("AM-01-S1", "0502", {2: 1}, prefix="later"))

    async def drained():
        return await platform.scalar("incidents", "SELECT count(*) FROM alert_rechecks") == 0

    await eventually(drained, timeout=10)
    events = await _raised_events(platform, 9, timeout=3)
    assert len(events) == 8  # one raise per area x category, not one per change
    assert len({(e.area_id, e.iccs_code) for e in events}) == 8
    assert all(e.method == "noufaily_2013" and e.method_version == "1" for e in events)
    assert all(e.observed == 20 and e.statistic == 20 for e in events)


async def test_a_correction_that_removes_the_rise_of_a_closed_week_clears_its_alert(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    history = {w: 3 for w in range(3, 75)} | {2: 20}
    summary = await upload(platform, client, weekly_history("AM-01-S1", "0502", history))
    assert summary["stored"] == sum(history.values())
    raised = (await client.post(week_path("AM-01-S1", 2), headers=officer)).json()["alerts"]
    assert len(raised) == 8

    # Void 17 of the week's 20 incidents: the alarm that raised the alerts is gone.
    rows = await platform.sql(
        "incidents", "SELECT incident_id FROM incidents WHERE source_ref LIKE 'h-2-%' LIMIT 17"
    )
    assert len(rows) == 17
    for (incident_id,) in rows:
        response = await client.post(
            f"/v1/incidents/{incident_id}/void",
            json={"reason_code": "DUPLICATE"},
            headers=officer | {"Idempotency-Key": f"void-{incident_id}"},
        )
        assert response.status_code in (200, 201), response.text
    analyst = platform.token("ministry_analyst")

    async def cleared():
        body = (await client.get("/v1/alerts?status=cleared", headers=analyst)).json()
        return body if len(body) == 8 else None

    assert {a["area_id"] for a in await eventually(cleared, timeout=20)} == set(AREAS)
