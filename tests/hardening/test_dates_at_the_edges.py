"""Dates and weeks at the edges of the calendar: a 422 naming the parameter and the valid
range, never a 500 (each of these answered 500 before)."""

from __future__ import annotations

import pytest


def _refused(response, loc: list) -> None:
    assert response.status_code == 422, response.text
    locs = [item["loc"] for item in response.json()["detail"]]
    assert loc in locs, locs


async def test_occurred_at_in_year_one_east_of_utc(stack):
    platform, clients = stack
    response = await clients["incidents"].post(
        "/v1/incidents",
        json={
            "station_id": "AM-01-S1",
            "occurred_at": "0001-01-01T00:00:00+14:00",
            "offences": [{"iccs_code": "0201"}],
        },
        headers=platform.token("station_officer", "AM-01-S1"),
    )
    _refused(response, ["body", "occurred_at"])


@pytest.mark.parametrize("field", ["reported_at", "occurred_to"])
async def test_other_incident_times_at_the_edges(stack, field):
    platform, clients = stack
    response = await clients["incidents"].post(
        "/v1/incidents",
        json={
            "station_id": "AM-01-S1",
            "occurred_at": "2026-09-01T00:00:00+03:00",
            field: "9999-12-31T23:59:59-14:00",
            "offences": [{"iccs_code": "0201"}],
        },
        headers=platform.token("station_officer", "AM-01-S1"),
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "query, loc",
    [
        ({"to": "9999-12-31"}, ["query", "to"]),
        ({"from": "0001-01-01"}, ["query", "from"]),
        ({"from": "2020-01-01", "to": "2199-12-31"}, ["query", "from"]),  # the span,
    ],
)
async def test_crime_statistics_range(stack, query, loc):
    platform, clients = stack
    response = await clients["analytics"].get(
        "/v1/stats/crime", params=query, headers=platform.token("ministry_analyst")
    )
    _refused(response, loc)


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "0001-01"])
async def test_public_report_month(stack, month):
    _, clients = stack
    response = await clients["analytics"].get(
        "/public/report", params={"month": month, "format": "json"}
    )
    _refused(response, ["query", "month"])


@pytest.mark.parametrize("edge", ["0001-01-01", "0001-W01", "9999-12-27", "9999-W52"])
async def test_baselines_range(stack, edge):
    platform, clients = stack
    for name in ("from", "to"):
        response = await clients["incidents"].get(
            "/v1/baselines",
            params={"area": "AM-01-S1", "category": "05", name: edge},
            headers=platform.token("ministry_analyst"),
        )
        _refused(response, ["query", name])


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "0001-01-01", "9999-12-27"])
async def test_closing_a_period_at_the_edges(stack, week):
    platform, clients = stack
    response = await clients["incidents"].post(
        f"/v1/stations/AM-01-S1/periods/{week}/close",
        headers=platform.token("station_officer", "AM-01-S1"),
    )
    _refused(response, ["path", "week"])


async def test_evaluation_week_at_the_edges(stack):
    platform, clients = stack
    for week in ("0001-W01", "9999-W52"):
        response = await clients["incidents"].post(
            "/v1/alerts/evaluate", params={"week": week}, headers=platform.token("admin")
        )
        assert response.status_code in (404, 405, 422), response.text
