"""Crime by victim sex and age band, and domestic-violence incidents per area over time with
their expected band: the JSON, the CSV and the page (both languages) equal a recomputation
from the topic records (tests/analytics/oracle.py), and no incident event names a person."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from libs.chassis.db import make_engine, make_session_factory
from services.analytics.crime.view import BandUnavailable, crime_view
from services.analytics.domain.crime import VICTIM_AGE_BANDS, VICTIM_SEXES
from services.analytics.domain.labels import code
from services.analytics.domain.scope import Filters

from . import oracle
from .page import as_number
from .test_views_match_events import filters, get, page_as, period

pytestmark = pytest.mark.slow


def _nonzero(counter) -> dict:
    return {k: v for k, v in counter.items() if v}


@pytest.mark.parametrize(("area", "category"), [(None, None), ("AM", "02")])
async def test_victim_and_domestic_tables_match_the_events(world, area, category):
    analyst = world.platform.token("ministry_analyst")
    start, end = period(world)
    expected = oracle.crime_by_victim(world.events, start, end, area=area, category=category)
    extra = {k: v for k, v in (("area", area), ("category", category)) if v}
    view = (await get(world, "/v1/stats/crime", analyst, **filters(start, end, **extra))).json()
    tables = view["tables"]

    sexes = {r["victim_sex"]: r["incidents"] for r in tables["by_victim_sex"]}
    assert [r["victim_sex"] for r in tables["by_victim_sex"]] == list(VICTIM_SEXES)
    assert _nonzero(sexes) == dict(expected["sexes"]) != {}
    domestic_sexes = {r["victim_sex"]: r["domestic"] for r in tables["by_victim_sex"]}
    assert _nonzero(domestic_sexes) == dict(expected["domestic_sexes"]) != {}
    bands = {r["victim_age_band"]: r["incidents"] for r in tables["by_victim_age_band"]}
    assert [r["victim_age_band"] for r in tables["by_victim_age_band"]] == list(VICTIM_AGE_BANDS)
    assert _nonzero(bands) == dict(expected["bands"])
    assert _nonzero(
        {r["victim_age_band"]: r["domestic"] for r in tables["by_victim_age_band"]}
    ) == dict(expected["domestic_bands"])
    # an incident counts once in every group its victims are in: groups may add up to more
    assert sum(sexes.values()) >= view["summary"]["incidents"]

    weeks = {r["period"]: r["incidents"] for r in tables["domestic_over_time"]}
    assert _nonzero(weeks) == dict(expected["domestic_weeks"]) != {}
    assert view["summary"]["domestic_incidents"] == sum(expected["domestic_weeks"].values())
    by_area = {r["area"]: r["domestic"] for r in tables["domestic_by_area"]}
    if area is None:
        assert _nonzero(by_area) == dict(expected["domestic_by_governorate"])
    else:
        assert sum(by_area.values()) == sum(expected["domestic_by_governorate"].values())
    for row in tables["domestic_by_area"]:
        share = row["domestic"] / row["incidents"] if row["incidents"] else None
        assert row["domestic_share"] == (round(share, 4) if share is not None else None)
    # incidents is not running here: both bands degrade to a note, once per reason
    assert len({n["code"] for n in view["notes"]}) == len(view["notes"])
    assert [n["code"] for n in view["notes"]].count("band_unavailable") == 1

    csv_text = (
        await get(
            world,
            "/v1/stats/crime.csv",
            analyst,
            table="by_victim_sex",
            **filters(start, end, **extra),
        )
    ).text.lstrip("\ufeff")
    from_csv = {r["victim_sex"]: int(r["incidents"]) for r in csv.DictReader(io.StringIO(csv_text))}
    assert from_csv == sexes

    query = "&".join(f"{k}={v}" for k, v in filters(start, end, **extra).items())
    for lang in ("en", "ar"):
        page, html = await page_as(world, f"/crime?{query}&lang={lang}")
        assert as_number(page.cards["domestic_incidents"]) == sum(
            expected["domestic_weeks"].values()
        )
        rows = {r["victim_sex"]: as_number(r["incidents"]) for r in page.tables["by_victim_sex"]}
        assert rows == {s: sexes[s] for s in VICTIM_SEXES}
        on_page = {
            r["victim_age_band"]: as_number(r["domestic"])
            for r in page.tables["by_victim_age_band"]
        }
        assert _nonzero(on_page) == dict(expected["domestic_bands"])
        per_area = {r["area"]: as_number(r["domestic"]) for r in page.tables["domestic_by_area"]}
        assert per_area == by_area
        assert code("female", lang) in html and code("no_victim_recorded", lang) in html
        assert "chart-domestic-time" in html


async def test_the_domestic_band_comes_from_incidents_domestic_baseline(world):
    """With a band source, the domestic series carries the band incidents answers for
    `domestic=true` (every category without one), and the general band keeps its own."""
    start, end = period(world, days=56)
    asked = []

    async def fetch(area, category, first, last, domestic=None):
        asked.append((area, category, domestic))
        if domestic:
            return {first.isoformat(): (1.5, 4.0)}
        raise BandUnavailable("general band not wanted here")

    settings = world.platform.settings
    engine = make_engine(settings.service_database_url("analytics"), "analytics", pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            view = await crime_view(session, Filters(start, end, "AM", None), fetch)
    finally:
        await engine.dispose()
    assert asked == [("AM", None, True)]  # no category: the general band is not asked for
    series = view["tables"]["domestic_over_time"]
    first = series[0]
    assert (first["expected"], first["upper_limit"]) == (1.5, 4.0)
    assert all(r["expected"] is None for r in series[1:])
    assert date.fromisoformat(first["period"]).weekday() == 0
    # the general band was refused for want of a category, not for the domestic one's sake
    assert [n["code"] for n in view["notes"]] == ["band_needs_category"]


async def test_no_incident_event_carries_a_person(world):
    """The published incident events hold victims as counts only: no relationship, no exact
    age, nothing of the people filed with the scenario's complaints."""
    recorded = [data for kind, data in world.events if kind == "incident.recorded"]
    assert any(data["victims"] for data in recorded)
    for data in recorded:
        for group in data["victims"] + data["offenders"]:
            assert set(group) == {"type", "sex", "age_band", "count"} and group["count"] >= 1
    seen = 0
    for record in world.records:
        if "incident" in record.topic:
            seen += 1
            text = record.value.decode()
            assert "relationship" not in text
            assert not any(p in text for p in world.personal)
    assert seen >= len(recorded)
