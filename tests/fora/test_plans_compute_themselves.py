"""A Jenin-style community safety plan (issue 13, point 6), with the real incidents service:
an indicator tied to a district's theft series gets its baseline and current value fetched,
each with its as-of day; a survey-item indicator reads the area's published wave; manual and
qualitative indicators stay typed in, marked as such; an unknown source area is refused; the
plan's public page renders in Arabic (right to left) and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.fora.definition import DEFINITION
from services.fora.incidents_client import IncidentsClient
from tests.fora.helpers import Api, fora_events

BASELINE_FROM, BASELINE_TO = date(2026, 1, 5), date(2026, 6, 28)  # 25 weeks, Monday to Sunday
PERIOD_START, PERIOD_END = date(2026, 6, 29), date(2027, 6, 27)
THEFTS_BEFORE = ["2026-01-07", "2026-01-20", "2026-02-11", "2026-02-12", "2026-03-03",
                 "2026-03-30", "2026-04-14", "2026-05-05", "2026-05-27", "2026-06-24"]  # fmt: skip
THEFTS_SINCE = ["2026-07-08", "2026-08-19", "2026-09-02", "2026-10-14"]


@pytest.fixture
async def services(platform):
    await platform.migrate("incidents", "fora")
    quiet = replace(DEFINITION, background=())
    async with platform.run("incidents") as incidents, platform.run(quiet) as fora:
        fora.app.state.service_apis = {"incidents": IncidentsClient(incidents, platform.settings)}
        yield platform, incidents, fora


async def thefts(platform, incidents, days: list[str], station: str = "IR-01-S1") -> None:
    officer = platform.token("station_officer", station=station)
    for day in days:
        body = {"station_id": station, "occurred_at": f"{day}T21:00:00+03:00",
                "offences": [{"iccs_code": "0502"}]}  # fmt: skip
        response = await incidents.post("/v1/incidents", json=body, headers=officer)
        assert response.status_code == 201, response.text


def complete_weeks(start: date, until: date) -> tuple[int, date]:
    """Mondays from `start` whose week has ended by `until`, and the last such Sunday."""
    weeks, monday = 0, start
    while monday + timedelta(days=6) <= until:
        weeks, monday = weeks + 1, monday + timedelta(days=7)
    return weeks, monday - timedelta(days=1)


def plan_body(forum: str, area_of_theft: str = "IR-01") -> dict:
    theft = {"title_en": "Thefts a week in the district", "title_ar": "السرقات أسبوعياً في اللواء",
             "source": {"kind": "incidents_baseline", "area_id": area_of_theft,
                        "iccs_code": "0502", "baseline_from": BASELINE_FROM.isoformat(),
                        "baseline_to": BASELINE_TO.isoformat()},
             "target": 0.3}  # fmt: skip
    safe = {"title_en": "Residents who feel safe after dark",
            "title_ar": "نسبة من يشعرون بالأمان ليلاً",
            "source": {"kind": "survey_item", "item": "feel_safe_after_dark"},
            "target": 0.8}  # fmt: skip
    patrols = {"title_en": "Joint patrols held", "title_ar": "الدوريات المشتركة المنفذة",
               "source": {"kind": "manual"}, "baseline": 0, "target": 24}  # fmt: skip
    lights = {"title_en": "Street lighting restored", "title_ar": "إعادة إنارة الشوارع",
              "source": {"kind": "qualitative"}}  # fmt: skip
    return {
        "forum_id": forum, "area_id": "IR-01", "title_en": "Irbid district safety plan",
        "title_ar": "خطة السلامة المجتمعية للواء قصبة إربد",
        "period_start": PERIOD_START.isoformat(), "period_end": PERIOD_END.isoformat(),
        "goals": [{"title_en": "Safer streets at night", "title_ar": "شوارع أكثر أماناً ليلاً",
                   "outcomes": [{"title_en": "Less theft, more confidence",
                                 "title_ar": "سرقات أقل وثقة أكبر",
                                 "indicators": [theft, safe, patrols, lights]}]}],
    }  # fmt: skip


async def test_a_plan_indicator_tied_to_a_theft_series_computes_itself(services):
    platform, incidents, fora = services
    api = Api(platform, fora)
    await thefts(platform, incidents, THEFTS_BEFORE + THEFTS_SINCE)
    await thefts(platform, incidents, ["2026-03-04"], station="AM-01-S1")  # another district
    forum = await api.forum("IR-01")

    # --- sources are validated -----------------------------------------------------------
    unknown = await fora.post("/v1/plans", json=plan_body(forum, "XX-99"), headers=api.headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == [
        "body", "goals", 0, "outcomes", 0, "indicators", 0, "source", "area_id"]  # fmt: skip
    assert "XX-99" not in unknown.text
    typed = plan_body(forum)
    typed["goals"][0]["outcomes"][0]["indicators"][0]["baseline"] = 999999
    refused = await fora.post("/v1/plans", json=typed, headers=api.headers)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "baseline"
    bad_item = plan_body(forum)
    bad_item["goals"][0]["outcomes"][0]["indicators"][1]["source"]["item"] = "no_such_item"
    refused = await fora.post("/v1/plans", json=bad_item, headers=api.headers)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "item"

    # --- a survey wave of the district, published ----------------------------------------
    wave = (await api.post("/v1/surveys", {
        "area_id": "IR-01", "forum_id": forum, "title_en": "Autumn", "title_ar": "خريف",
        "items": ["feel_safe_after_dark"], "opens_on": "2026-10-01",
        "closes_on": "2026-10-31"}))["wave_id"]  # fmt: skip
    for n in range(10):
        answer = "very_safe" if n < 6 else "very_unsafe"
        await api.post(f"/v1/surveys/{wave}/responses", {
            "area_id": "IR-01-S1", "answers": {"feel_safe_after_dark": answer}})  # fmt: skip
    await api.post(f"/v1/surveys/{wave}/publish", expect=200)

    # --- adopted: the baseline fetched and frozen ----------------------------------------
    plan = await api.post("/v1/plans", plan_body(forum))
    [theft, safe, patrols, lights] = plan["goals"][0]["outcomes"][0]["indicators"]
    assert theft["origin"] == "computed" and theft["baseline"] == round(10 / 25, 3)
    assert theft["baseline_as_of"] == BASELINE_TO.isoformat()
    assert patrols["origin"] == "manual" and lights["origin"] == "manual"

    today = datetime.now(UTC).date()
    weeks, last_sunday = complete_weeks(PERIOD_START, min(today, PERIOD_END))
    got = await api.get(f"/v1/plans/{plan['plan_id']}")
    [theft, safe, patrols, lights] = got["goals"][0]["outcomes"][0]["indicators"]
    since = sum(1 for d in THEFTS_SINCE if date.fromisoformat(d) <= last_sunday)
    assert theft["latest"] == {"value": round(since / weeks, 3),
                               "as_of": last_sunday.isoformat(), "origin": "computed"}  # fmt: skip
    assert theft["baseline"] == 0.4 and theft["status"] in ("achieved", "on_track", "behind")
    assert [p["period"] for p in theft["trend"]][:2] == ["2026-Q1", "2026-Q2"]
    assert safe["baseline"] == 0.6 and safe["latest"]["value"] == 0.6
    assert safe["latest"]["as_of"] == "2026-10-31" and safe["origin"] == "computed"
    assert patrols["latest"] is None and patrols["status"] == "no_data"

    # --- manual values stay possible, computed ones are not typed in ---------------------
    url = f"/v1/plans/{plan['plan_id']}/progress"
    typed_theft = await fora.post(url, headers=api.headers, json={"period": "2026-Q3",
        "values": [{"indicator_id": theft["indicator_id"], "value": 0.1}]})  # fmt: skip
    assert typed_theft.status_code == 422
    done = await api.call("POST", url, 200, json={"period": "2026-Q3", "values": [
        {"indicator_id": patrols["indicator_id"], "value": 9},
        {"indicator_id": lights["indicator_id"], "rating": "some_progress"}]})  # fmt: skip
    [_, _, patrols, lights] = done["goals"][0]["outcomes"][0]["indicators"]
    assert patrols["latest"]["value"] == 9 and patrols["latest"]["origin"] == "manual"
    assert lights["latest"]["rating"] == "some_progress"

    refreshed = await api.call("POST", f"/v1/plans/{plan['plan_id']}/refresh", 200,
                               params={"period": "2026-Q4"})  # fmt: skip
    theft = refreshed["goals"][0]["outcomes"][0]["indicators"][0]
    assert theft["history"][-1]["origin"] == "computed"
    assert theft["history"][-1]["value"] == round(since / weeks, 3)
    events = [e["data"] for e in await fora_events(platform)
              if e["type"] == "jisr.plan.indicator_valued.v1"]  # fmt: skip
    assert sorted((e["source"], e["origin"]) for e in events) == [
        ("incidents_baseline", "computed"), ("manual", "manual"), ("qualitative", "manual"),
        ("survey_item", "computed")]  # fmt: skip
    computed = next(e for e in events if e["source"] == "incidents_baseline")
    assert (computed["source_area_id"], computed["iccs_code"]) == ("IR-01", "0502")
    assert computed["baseline"] == 0.4 and computed["as_of"] == last_sunday.isoformat()

    # --- the public page, in Arabic and English ------------------------------------------
    ar = await fora.get(f"/public/plans/{plan['plan_id']}", params={"lang": "ar"})
    assert ar.status_code == 200 and ar.headers["content-type"].startswith("text/html")
    assert 'dir="rtl"' in ar.text and 'lang="ar"' in ar.text
    assert "خطة السلامة المجتمعية للواء قصبة إربد" in ar.text and "خط الأساس" in ar.text
    assert "السرقات أسبوعياً في اللواء" in ar.text and "0.4" in ar.text
    en = await fora.get(f"/public/plans/{plan['plan_id']}", params={"lang": "en"})
    assert 'dir="ltr"' in en.text and "Irbid district safety plan" in en.text
    assert "Baseline" in en.text and "Target" in en.text and "2026-Q1" in en.text
    assert "Some progress" in en.text and "entered by hand" in en.text
    missing = await fora.get("/public/plans/0190a4b4-0000-7000-8000-000000000000")
    assert missing.status_code == 404
