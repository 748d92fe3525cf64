"""SARA scanning evidence checked with the real incidents service (issue 13, point 5): random
incident or alert ids, an incident of another area or category, and a theft alert behind a
homicide case are refused with a 422 naming the rule; a late-recorded incident of the frozen
before period is reported by the assessment, which says which figures it used."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.fora.definition import DEFINITION
from services.fora.incidents_client import IncidentsClient
from tests.fora.helpers import Api, fora_events


@pytest.fixture
async def services(platform):
    await platform.migrate("incidents", "fora")
    quiet = replace(DEFINITION, background=())
    async with platform.run("incidents") as incidents, platform.run(quiet) as fora:
        fora.app.state.service_apis = {"incidents": IncidentsClient(incidents, platform.settings)}
        yield platform, incidents, fora


async def record(platform, incidents, station: str, day: str, code: str = "0501") -> str:
    body = {"station_id": station, "occurred_at": f"{day}T10:00:00+03:00",
            "offences": [{"iccs_code": code}]}  # fmt: skip
    officer = platform.token("station_officer", station=station)
    response = await incidents.post("/v1/incidents", json=body, headers=officer)
    assert response.status_code == 201, response.text
    return response.json()["incident_id"]


async def stored_alert(platform, area: str, code: str) -> str:
    """An alert as the incidents service's weekly evaluation stores it."""
    alert_id = uuid4()
    await platform.sql(
        "incidents",
        "INSERT INTO alerts (alert_id, area_level, area_id, iccs_code, method, status,"
        " week_start, last_week, observed, expected, upper_limit, score, raised_at)"
        " VALUES ($1, 'district', $2, $3, 'farrington_flexible', 'raised', '2026-06-22',"
        " '2026-06-22', 9, 2.5, 6.0, 2.1, $4)",
        alert_id, area, code, datetime.now(UTC),
    )  # fmt: skip
    return str(alert_id)


CASE = {
    "problem_statement": "Night-time burglaries of shops in the market quarter",
    "area_id": "AM-01", "iccs_code": "0501", "comparison_area_id": "AM-03",
    "before_from": "2026-06-01", "before_to": "2026-06-28",
}  # fmt: skip


def rule_of(response) -> tuple[list, str]:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    return error["loc"], error["msg"].split(":")[0]


async def test_scanning_evidence_is_checked_with_the_incidents_service(services):
    platform, incidents, fora = services
    api = Api(platform, fora)
    forum = await api.forum("AM-01")
    url = f"/v1/fora/{forum}/sara-cases"
    ours = [await record(platform, incidents, "AM-01-S1", d) for d in ("2026-06-02", "2026-06-09")]
    elsewhere = await record(platform, incidents, "IR-01-S1", "2026-06-03")
    homicide = await record(platform, incidents, "AM-01-S2", "2026-06-04", "0101")

    async def refused(**changes):
        return rule_of(await fora.post(url, json=CASE | changes, headers=api.headers))

    random_id = str(uuid4())
    assert await refused(linked_incident_ids=[ours[0], random_id]) == (
        ["body", "linked_incident_ids", 1],
        "incident_exists",
    )
    assert await refused(linked_incident_ids=[elsewhere, ours[0]]) == (
        ["body", "linked_incident_ids", 0],
        "incident_in_area",
    )
    assert await refused(linked_incident_ids=[ours[0], homicide]) == (
        ["body", "linked_incident_ids", 1],
        "incident_in_category",
    )
    assert await refused(alert_id=random_id) == (["body", "alert_id"], "alert_exists")
    theft = await stored_alert(platform, "AM-01", "0502")
    homicide_case = CASE | {"iccs_code": "0101", "alert_id": theft}
    assert rule_of(await fora.post(url, json=homicide_case, headers=api.headers)) == (
        ["body", "alert_id"],
        "alert_in_category",
    )
    irbid = await stored_alert(platform, "IR-01", "0501")
    assert await refused(alert_id=irbid) == (["body", "alert_id"], "alert_in_area")
    assert await platform.scalar("fora", "SELECT count(*) FROM sara_cases") == 0
    assert random_id not in str(await fora.post(url, json=CASE | {"alert_id": random_id},
                                                 headers=api.headers))  # fmt: skip

    burglary = await stored_alert(platform, "AM-01", "05")  # a section alert over a division
    case = await api.post(url, CASE | {"alert_id": burglary})
    assert case["alert_id"] == burglary
    case = await api.post(url, CASE | {"linked_incident_ids": ours})
    assert case["baseline"]["observed"] == 2

    # --- a late record for the frozen before period, reported by the assessment ----------
    await record(platform, incidents, "AM-01-S1", "2026-06-16")
    await record(platform, incidents, "AM-01-S1", "2026-07-20")
    await record(platform, incidents, "AM-03-S1", "2026-06-10")
    await record(platform, incidents, "AM-03-S1", "2026-07-21")
    step = f"/v1/sara-cases/{case['case_id']}"
    await api.put(f"{step}/analysis", {"offender": "o", "victim": "v", "place": "p",
                                       "hypotheses": ["dark lanes"]})  # fmt: skip
    await api.put(
        f"{step}/response",
        {
            "interventions": [
                {"title": "Foot patrols", "responsible": ["police"], "start_on": "2026-07-13"}
            ]
        },
    )
    assessed = await api.post(f"{step}/assessment", {
        "after_from": "2026-07-13", "after_to": "2026-08-09",
        "process": [{"done_as_planned": True}]}, expect=200)  # fmt: skip
    figures = assessed["assessment"]["before_figures"]
    assert figures == {"used": "revised", "frozen": 2, "revised": 3, "late_recorded": 1}
    assert assessed["assessment"]["impact"]["before_revised"] is True
    events = [e["data"] for e in await fora_events(platform)
              if e["type"] == "jisr.sara_case.assessed.v1"]  # fmt: skip
    assert [(e["before_frozen"], e["late_recorded_before"], e["before_figures"])
            for e in events] == [(2, 1, "revised")]  # fmt: skip
