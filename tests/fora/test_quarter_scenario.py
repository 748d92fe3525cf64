"""A forum's quarter over HTTP (Q3 2026), with the real incidents service behind its SARA case.

Registration, three meetings and a women-only session, concerns, priorities, actions (two
late), a SARA case from scanning to an impact assessment that calls the incidents service's
evaluation API, and the health figures and events checked against a hand calculation.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.fora.definition import DEFINITION
from services.fora.incidents_client import IncidentsClient
from services.fora.overdue import sweep_overdue
from tests.fora.helpers import Api, count_types, fora_events

QUARTER = "2026-07-01"


async def record_incidents(platform, incidents, station: str, days: list[str]) -> list[str]:
    officer = platform.token("station_officer", station=station)
    ids = []
    for day in days:
        body = {"station_id": station, "occurred_at": f"{day}T10:00:00+03:00",
                "offences": [{"iccs_code": "0501"}]}  # fmt: skip
        response = await incidents.post("/v1/incidents", json=body, headers=officer)
        assert response.status_code == 201, response.text
        ids.append(response.json()["incident_id"])
    return ids


JUNE = ["2026-06-02", "2026-06-04", "2026-06-09", "2026-06-11", "2026-06-16", "2026-06-18",
        "2026-06-23", "2026-06-25"]  # fmt: skip
SUMMER = ["2026-07-15", "2026-07-22", "2026-07-29", "2026-08-05", "2026-08-06"]


@pytest.fixture
async def services(platform):
    await platform.migrate("incidents", "fora")
    # The overdue sweep is called by hand below, at a known moment, instead of every minute.
    by_hand = replace(DEFINITION, background=())
    async with platform.run("incidents") as incidents, platform.run(by_hand) as fora:
        # fora reaches the real incidents API over HTTP (in-process transport, same routes).
        fora.app.state.service_apis = {"incidents": IncidentsClient(incidents, platform.settings)}
        yield platform, incidents, fora


async def registration(api: Api) -> tuple[str, dict[str, str]]:
    forum = await api.forum("AM-01")
    people = {
        "chair": await api.member(forum, "chair", "tribal", "male"),
        "vice": await api.member(forum, "vice_chair", "womens_organisation", "female"),
        "secretary": await api.member(forum, "secretary", "youth", "female"),
        "police": await api.member(forum, "police_liaison", "police", "male"),
        "rep_m": await api.member(forum, "community_representative", "refugees_idps", "male",
                                  name="Canary Yusuf Haddad"),
        "rep_f": await api.member(forum, "community_representative", "host_community",
                                  "female", name="Canary Lina Saleh"),
    }  # fmt: skip
    return forum, people


async def meetings(api: Api, forum: str, p: dict) -> dict[str, str]:
    m = {
        "m1": await api.meeting(forum, "2026-07-08"),
        "m2": await api.meeting(forum, "2026-08-12"),
        "women": await api.meeting(forum, "2026-08-20", kind="women_only"),
        "m3": await api.meeting(forum, "2026-09-09"),
        "m4": await api.meeting(forum, "2026-09-23"),
    }
    first = await api.hold(
        m["m1"], "2026-07-08", [p["chair"], p["vice"], p["secretary"], p["police"]],
        [{"count": 3, "gender": "female", "group": "youth"},
         {"count": 5, "gender": "male", "group": "host_community"}],
    )  # fmt: skip
    assert first["quorum_met"] and first["quorum_needed"] == 4
    assert first["attendance"] | {"groups": None} == {
        "members_present": 4, "walk_ins": 8, "total": 12, "women": 5, "men": 7, "groups": None,
        "age_bands": {}}  # fmt: skip
    second = await api.hold(m["m2"], "2026-08-12", [p["chair"], p["police"], p["rep_m"]],
                            [{"count": 1, "gender": "female", "group": "ngo"},
                             {"count": 4, "gender": "male", "group": "business"}])  # fmt: skip
    assert not second["quorum_met"]
    women = await api.hold(
        m["women"], "2026-08-20", [p["vice"], p["secretary"], p["rep_f"]],
        [{"count": 10, "gender": "female", "group": "womens_organisation"}],
    )  # fmt: skip
    assert women["quorum_met"]  # all three women members came
    await api.hold(m["m3"], "2026-09-09", list(p.values()),
                   [{"count": 4, "gender": "female", "group": "womens_organisation"},
                    {"count": 2, "gender": "male", "group": "youth"}])  # fmt: skip
    await api.post(f"/v1/meetings/{m['m4']}/cancel", expect=200)
    await api.put(f"/v1/meetings/{m['m1']}/minutes", {"language": "ar", "text": "محضر الاجتماع"})
    return m


async def concerns(api: Api, forum: str, m: dict, p: dict) -> dict[str, str]:
    async def concern(category, group, **extra):
        body = {"category": category, "raised_by_group": group} | extra
        return (await api.post(f"/v1/fora/{forum}/concerns", body))["concern_id"]

    return {
        "lighting": await concern("street_lighting", "womens_organisation", meeting_id=m["m1"],
                                  summary_en="Dark streets near the girls' school",
                                  summary_ar="شوارع مظلمة قرب مدرسة البنات"),
        "burglary": await concern("0501", "host_community", meeting_id=m["m1"],
                                  summary_en="Burglaries in the market quarter",
                                  summary_ar="سرقات في حي السوق"),
        "harassment": await concern("harassment", "youth", meeting_id=m["m2"]),
        "traffic": await concern("traffic", "refugees_idps", raised_on="2026-08-25",
                                 raised_by_member_id=p["rep_m"]),
        "idleness": await concern("youth_idleness", "youth", meeting_id=m["m3"]),
    }  # fmt: skip


async def priorities_and_actions(api: Api, forum: str, c: dict) -> dict[str, str]:
    vote = {
        "period_start": QUARTER, "period_end": "2026-09-30", "method": "votes", "top": 3,
        "candidates": [c["lighting"], c["burglary"], c["harassment"], c["traffic"]],
        "votes": {c["burglary"]: 9, c["lighting"]: 7, c["harassment"]: 7, c["traffic"]: 2},
    }  # fmt: skip
    chosen = (await api.post(f"/v1/fora/{forum}/priorities", vote, expect=200))["priorities"]
    assert [x["concern_id"] for x in chosen] == [c["burglary"], c["lighting"], c["harassment"]]
    priority = {x["concern_id"]: x["priority_id"] for x in chosen}

    async def action(concern, title, owner, created, due, priority_id=None):
        body = {"concern_id": concern, "title_en": title, "title_ar": f"إجراء: {title}",
                "owner": owner, "created_on": created, "due_on": due}  # fmt: skip
        if priority_id:
            body["priority_id"] = priority_id
        return (await api.post(f"/v1/fora/{forum}/actions", body))["action_id"]

    a = {
        "lights": await action(c["lighting"], "Repair street lights", "municipality",
                               "2026-07-08", "2026-08-01", priority[c["lighting"]]),
        "patrols": await action(c["burglary"], "Evening foot patrols", "police_liaison",
                                "2026-07-08", "2026-08-15", priority[c["burglary"]]),
        "awareness": await action(c["harassment"], "Awareness sessions", "ngo",
                                  "2026-08-12", "2026-09-15"),
        "cctv": await action(c["harassment"], "CCTV at the bus stop", "municipality",
                             "2026-08-12", "2026-09-30"),
        "phase2": await action(c["lighting"], "Second lighting phase", "municipality",
                               "2026-07-08", "2026-09-01"),
        "centre": await action(c["idleness"], "Youth centre evenings", "municipality",
                               "2026-09-09", "2026-12-15"),
    }  # fmt: skip

    async def progress(key, status, on, note=None):
        body = {"status": status, "on": on, "note": note}
        await api.post(f"/v1/actions/{a[key]}/progress", body, expect=200)

    await progress("lights", "done", "2026-07-28", "12 lamps replaced")
    await progress("patrols", "in_progress", "2026-08-10")
    await progress("patrols", "done", "2026-08-20")  # five days late
    await progress("awareness", "in_progress", "2026-09-01")
    await progress("cctv", "blocked", "2026-09-20", "waiting for the municipality budget")
    await progress("phase2", "dropped", "2026-08-25")
    return a


async def sara_case(platform, api: Api, incidents, forum: str, c: dict) -> dict:
    treated = await record_incidents(platform, incidents, "AM-01-S1", JUNE)
    await record_incidents(platform, incidents, "AM-01-S1", SUMMER[:2])
    await record_incidents(platform, incidents, "AM-03-S1", JUNE[:5] + SUMMER)
    await record_incidents(platform, incidents, "AM-02-S1", JUNE[:3] + SUMMER[:4])
    body = {
        "problem_statement": "Night-time burglaries of shops in the market quarter",
        "area_id": "AM-01", "iccs_code": "0501", "comparison_area_id": "AM-03",
        "displacement_area_id": "AM-02", "linked_concern_ids": [c["burglary"]],
        "linked_incident_ids": treated[:2], "before_from": "2026-06-01",
        "before_to": "2026-06-28",
    }  # fmt: skip
    case = await api.post(f"/v1/fora/{forum}/sara-cases", body)
    assert case["baseline"]["observed"] == 8 and case["baseline"]["weeks"] == 4
    # A late record for the before period: the frozen baseline does not move.
    await record_incidents(platform, incidents, "AM-01-S1", ["2026-06-10"])
    url = f"/v1/sara-cases/{case['case_id']}"
    analysis = {
        "offender": "Groups of two or three, on foot", "victim": "Shops without shutters",
        "place": "Market lanes without lighting", "hypotheses": ["Darkness after 22:00"],
    }  # fmt: skip
    await api.put(f"{url}/analysis", analysis)
    await api.put(f"{url}/response", {"interventions": [
        {"title": "Foot patrols 20:00-02:00", "responsible": ["police"], "start_on": "2026-07-13"},
        {"title": "Shutter grants", "responsible": ["chamber_of_commerce"],
         "start_on": "2026-07-13"}]})  # fmt: skip
    await api.post(f"{url}/assessment", {
        "after_from": "2026-07-13", "after_to": "2026-08-09",
        "process": [{"done_as_planned": True},
                    {"done_as_planned": False, "note": "grants paid late"}],
    }, expect=200)  # fmt: skip
    await api.post(f"{url}/close", expect=200)
    return await api.get(url)


async def test_a_forum_quarter_adds_up(services):
    platform, incidents, fora = services
    api = Api(platform, fora)
    forum, people = await registration(api)
    m = await meetings(api, forum, people)
    c = await concerns(api, forum, m, people)
    a = await priorities_and_actions(api, forum, c)
    case = await sara_case(platform, api, incidents, forum, c)
    sessions = fora.app.state.runtime.sessions
    assert await sweep_overdue(sessions, datetime.now(UTC).date()) == 2

    # --- SARA: the frozen before period, the real evaluation, judged by hand --------------
    impact = case["assessment"]["impact"]
    assert case["stage"] == "closed" and case["baseline"]["observed"] == 8
    assert case["assessment"]["evaluation_query"]["before_to"] == "2026-06-28"
    assert (impact["treated_before"], impact["treated_after"]) == (9, 2)  # 8 + the late one
    assert (impact["comparison_before"], impact["comparison_after"]) == (5, 5)
    assert (impact["displacement_before"], impact["displacement_after"]) == (3, 4)
    assert impact["before_revised"] is True
    # Buffer term 4/5 - 3/5 = +0.2: displacement; WDQ = 0.2 / (2/5 - 9/5) = -0.142857
    assert impact["displacement"] == "displacement"
    assert impact["wdq"] == pytest.approx(-0.1429, abs=1e-4)
    expected = (
        "reduction" if impact["wdd_p"] < 0.05 and impact["wdd"] < 0 else "no_significant_change"
    )
    assert impact["impact"] == expected
    assert case["assessment"]["process"]["interventions_as_planned"] == 1

    # --- health for Q3, by hand ---------------------------------------------------------
    health = await api.get(
        f"/v1/fora/{forum}/health", period_start=QUARTER, period_end="2026-09-30"
    )
    assert health["meetings"] == {"planned": 4, "held": 3, "held_rate": 0.75, "with_quorum": 2,
                                  "quorum_rate": 0.6667, "women_only_sessions": 1}  # fmt: skip
    # attendances 12 + 8 + 12 = 32; women 5 + 1 + 7 = 13
    assert health["attendance"] == {
        "attendees": 32, "women": 13, "women_share": round(13 / 32, 4),
        "women_target": 0.3333, "meets_women_target": True,
        "group_shares": {g: round(n / 32, 4) for g, n in {
            "business": 4, "host_community": 6, "ngo": 1, "police": 3, "refugees_idps": 2,
            "tribal": 3, "womens_organisation": 6, "youth": 7}.items()},
    }  # fmt: skip
    # due in Q3 (dropped excluded): lights (on time), patrols (late), awareness, cctv (open)
    assert health["actions"] == {"due": 4, "closed_on_time": 1, "on_time_share": 0.25}
    assert health["concerns"] == {"raised": 5, "on_agenda": 4, "agenda_share": 0.8}

    # --- events, by hand ----------------------------------------------------------------
    events = await fora_events(platform)
    counts = count_types(events)
    assert {k: v for k, v in counts.items() if k != "forum.health_changed"} == {
        "forum.registered": 1, "member.joined": 6, "forum.membership_counted": 6,
        "meeting.held": 4, "concern.raised": 5,
        "action.status_changed": 6 + 6, "action.overdue": 2, "sara_case.opened": 1,
        "sara_case.stage_changed": 4, "sara_case.assessed": 1,
    }  # fmt: skip
    overdue = {e["data"]["action_id"] for e in events if e["type"] == "jisr.action.overdue.v1"}
    assert overdue == {a["awareness"], a["cctv"]}
    held = [e["data"] for e in events if e["type"] == "jisr.meeting.held.v1"]
    seen = [(h["attendance"]["women"], h["attendance"]["total"], h["quorum_met"]) for h in held]
    assert seen == [(5, 12, True), (1, 8, False), (13, 13, True), (7, 12, True)]
    opened = next(e["data"] for e in events if e["type"] == "jisr.sara_case.opened.v1")
    assert opened["baseline"]["observed"] == 8 and opened["linked_incidents"] == 2
    q3 = [e["data"] for e in events if e["type"] == "jisr.forum.health_changed.v1"
          and e["data"]["period_start"] == QUARTER]  # fmt: skip
    last = q3[-1]
    assert (last["meetings_planned"], last["meetings_held"], last["meetings_with_quorum"]) == (
        4,
        3,
        2,
    )
    assert (last["attendees"], last["women_attendees"], last["meets_women_target"]) == (
        32,
        13,
        True,
    )
    assert (last["actions_due"], last["actions_closed_on_time"]) == (4, 1)
    assert (last["concerns_raised"], last["concerns_on_agenda"]) == (5, 4)
    # A health event only when a figure changed: no two consecutive ones alike.
    figures = [json.dumps({k: v for k, v in e.items() if k != "computed_at"}) for e in q3]
    assert all(a != b for a, b in zip(figures, figures[1:], strict=False))

    # --- the closing report and the public page -----------------------------------------
    report = await api.get(f"/v1/meetings/{m['m1']}/report")
    assert len(report["concerns_raised"]) == 2 and report["minutes"] == {
        "language": "ar",
        "recorded": True,
    }
    assert {x["title_en"] for x in report["actions_agreed"]} >= {"Repair street lights"}
    page = (await fora.get(f"/public/fora/{forum}", params={"lang": "ar"})).json()
    lighting = next(
        x for x in page["you_said_we_did"] if x["you_said"] == "شوارع مظلمة قرب مدرسة البنات"
    )
    assert {(w["status"], w["done_on"]) for w in lighting["we_did"]} == {
        ("منجز", "2026-07-28"),
        ("ملغى", None),
    }
    assert "Canary" not in str(page)
