"""Every fora route × every kind of caller × their own area and another one.

The routes come from the running app's OpenAPI document, so a route added without an
expectation here fails the test. Each caller is a real token: a national coordinator and a
ministry analyst reach both areas; a coordinator scoped to governorate AM, a coordinator and
a station officer scoped to station AM-01-S1 reach only the records of AM-01-S1's forum (the
"own" area) and never those of IR-01-S1's (the "other"): 403 or 404 there, never the data.
Roles first: no token is 401, a role the route does not admit 403 — whatever the area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tests.fora.helpers import Api, running_fora

TODAY = datetime.now(UTC).date()
DAY = TODAY.isoformat()
AREAS = {"own": "AM-01-S1", "other": "IR-01-S1"}

#: caller -> (role, claims, whether the caller reaches every area)
CALLERS = {
    "anonymous": (None, {}, True),
    "outsider": ("complaints_officer", {}, True),
    "analyst": ("ministry_analyst", {}, True),
    "coordinator": ("forum_coordinator", {}, True),
    "governorate_coordinator": ("forum_coordinator", {"governorate": "AM"}, False),
    "station_coordinator": ("forum_coordinator", {"station": "AM-01-S1"}, False),
    "officer": ("station_officer", {"station": "AM-01-S1"}, False),
}
#: who a route admits, by access class
ADMITS = {
    "public": set(CALLERS),
    "read": {"analyst", "coordinator", "governorate_coordinator", "station_coordinator",
             "officer"},
    "write": {"coordinator", "governorate_coordinator", "station_coordinator", "officer"},
    "personal": {"coordinator", "governorate_coordinator", "station_coordinator"},
}  # fmt: skip


@dataclass(frozen=True)
class Route:
    access: str  # a key of ADMITS
    scoped: bool  # whether the request names an area's records (own / other)
    build: object  # (records of the area) -> (url, json body or None, query params)


def _plan_body(t):
    return {
        "forum_id": t["forum"], "area_id": t["area"], "title_en": "Plan", "title_ar": "خطة",
        "period_start": "2026-01-01", "period_end": "2026-12-31",
        "goals": [{"title_en": "G", "title_ar": "غ", "outcomes": [{
            "title_en": "O", "title_ar": "ن", "indicators": [{
                "title_en": "Audit", "title_ar": "تدقيق", "source": {"kind": "qualitative"}}]}]}],
    }  # fmt: skip


def _activity_body(t):
    return {"kind": "workshop", "audience": "police_officers", "forum_id": t["forum"],
            "area_id": t["area"], "title_en": "W", "title_ar": "و", "held_on": DAY,
            "participants": [{"count": 10}], "direct_beneficiaries": 10}  # fmt: skip


INSTRUMENT = {
    "code": "matrix_check", "title_en": "Check", "title_ar": "فحص",
    "items": [{"code": "q1", "en": "Q?", "ar": "س؟", "positive": ["yes"], "scale": [
        {"code": "yes", "en": "Yes", "ar": "نعم"}, {"code": "no", "en": "No", "ar": "لا"}]}],
}  # fmt: skip
REPORT = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": DAY}

ROUTES: dict[str, Route] = {
    "GET /healthz": Route("public", False, lambda t: ("/healthz", None, {})),
    "GET /readyz": Route("public", False, lambda t: ("/readyz", None, {})),
    "GET /asyncapi.json": Route("public", False, lambda t: ("/asyncapi.json", None, {})),
    "GET /public/fora/{forum_id}": Route(
        "public", False, lambda t: (f"/public/fora/{t['forum']}", None, {})
    ),
    "GET /v1/vocabularies": Route("read", False, lambda t: ("/v1/vocabularies", None, {})),
    "GET /v1/fora": Route("read", False, lambda t: ("/v1/fora", None, {})),  # + list check
    "POST /v1/fora": Route("write", True, lambda t: ("/v1/fora", {
        "forum_type": "youth_forum", "area_id": t["area"], "name_en": "Y", "name_ar": "ش",
        "origin": "police"}, {})),  # fmt: skip
    "GET /v1/fora/{forum_id}": Route("read", True, lambda t: (f"/v1/fora/{t['forum']}", None, {})),
    "POST /v1/fora/{forum_id}/members": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/members",
        {"name": "Canary M", "role": "community_representative", "represents": "media"}, {})),
    "GET /v1/fora/{forum_id}/members": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/members", None, {})
    ),
    "GET /v1/fora/{forum_id}/members/{member_id}/personal-data": Route("personal", True, lambda t: (
        f"/v1/fora/{t['forum']}/members/{t['member']}/personal-data", None,
        {"purpose": "matrix check"})),
    "DELETE /v1/fora/{forum_id}/members/{member_id}/personal-data": Route(
        "personal", True,
        lambda t: (f"/v1/fora/{t['forum']}/members/{t['erasable']}/personal-data", None, {})),
    "POST /v1/fora/{forum_id}/meetings": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/meetings", {"scheduled_for": DAY, "kind": "town_hall"}, {})),
    "GET /v1/fora/{forum_id}/meetings": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/meetings", None, {})
    ),
    "GET /v1/meetings/{meeting_id}": Route(
        "read", True, lambda t: (f"/v1/meetings/{t['held']}", None, {})
    ),
    "POST /v1/meetings/{meeting_id}/agenda": Route("write", True, lambda t: (
        f"/v1/meetings/{t['scheduled']}/agenda", {"title_en": "A", "title_ar": "أ"}, {})),
    "POST /v1/meetings/{meeting_id}/attendance": Route("write", True, lambda t: (
        f"/v1/meetings/{t['scheduled']}/attendance", {"held_on": DAY}, {})),
    "PUT /v1/meetings/{meeting_id}/minutes": Route("write", True, lambda t: (
        f"/v1/meetings/{t['held']}/minutes", {"language": "en", "text": "Canary minutes"}, {})),
    "GET /v1/meetings/{meeting_id}/minutes": Route("read", True, lambda t: (
        f"/v1/meetings/{t['held']}/minutes", None, {"purpose": "matrix check"})),
    "POST /v1/meetings/{meeting_id}/cancel": Route(
        "write", True, lambda t: (f"/v1/meetings/{t['cancellable']}/cancel", None, {})
    ),
    "GET /v1/meetings/{meeting_id}/report": Route(
        "read", True, lambda t: (f"/v1/meetings/{t['held']}/report", None, {})
    ),
    "POST /v1/meetings/{meeting_id}/reviews": Route("write", True, lambda t: (
        f"/v1/meetings/{t['held']}/reviews", {"action_ids": [t["action"]]}, {})),
    "GET /v1/meetings/{meeting_id}/reviews": Route(
        "read", True, lambda t: (f"/v1/meetings/{t['held']}/reviews", None, {})
    ),
    "POST /v1/fora/{forum_id}/concerns": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/concerns",
        {"category": "domestic_violence", "raised_by_group": "parents"}, {})),
    "GET /v1/fora/{forum_id}/concerns": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/concerns", None, {})
    ),
    "POST /v1/fora/{forum_id}/priorities": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/priorities",
        {"period_start": "2026-10-01", "period_end": "2026-12-31", "candidates": [t["concern"]],
         "votes": {t["concern"]: 3}}, {})),  # fmt: skip
    "GET /v1/fora/{forum_id}/priorities": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/priorities", None, {})
    ),
    "POST /v1/fora/{forum_id}/actions": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/actions",
        {"title_en": "A", "title_ar": "أ", "owner": "municipality", "due_on": DAY}, {})),
    "GET /v1/fora/{forum_id}/actions": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/actions", None, {})
    ),
    "POST /v1/actions/{action_id}/progress": Route("write", True, lambda t: (
        f"/v1/actions/{t['action']}/progress", {"note": "checked"}, {})),
    "GET /v1/actions/{action_id}": Route(
        "read", True, lambda t: (f"/v1/actions/{t['action']}", None, {})
    ),
    "POST /v1/fora/{forum_id}/sara-cases": Route("write", True, lambda t: (
        f"/v1/fora/{t['forum']}/sara-cases",
        {"problem_statement": "Burglaries at night", "area_id": t["area"], "iccs_code": "0501",
         "comparison_area_id": t["area"], "linked_incident_ids": [str(uuid4()), str(uuid4())],
         "before_from": "2026-01-05", "before_to": "2026-06-28"}, {})),  # fmt: skip
    "GET /v1/sara-cases/{case_id}": Route(
        "read", True, lambda t: (f"/v1/sara-cases/{t['case']}", None, {})
    ),
    "PUT /v1/sara-cases/{case_id}/analysis": Route("write", True, lambda t: (
        f"/v1/sara-cases/{t['case']}/analysis",
        {"offender": "o", "victim": "v", "place": "p", "hypotheses": ["h"]}, {})),
    "PUT /v1/sara-cases/{case_id}/response": Route("write", True, lambda t: (
        f"/v1/sara-cases/{t['case']}/response",
        {"interventions": [{"title": "Lights", "responsible": ["municipality"],
                            "start_on": DAY}]}, {})),  # fmt: skip
    "POST /v1/sara-cases/{case_id}/assessment": Route("write", True, lambda t: (
        f"/v1/sara-cases/{t['case']}/assessment",
        {"after_from": "2026-07-06", "after_to": "2026-11-29",
         "process": [{"done_as_planned": True}]}, {})),  # fmt: skip
    "POST /v1/sara-cases/{case_id}/close": Route(
        "write", True, lambda t: (f"/v1/sara-cases/{t['case']}/close", None, {})
    ),
    "POST /v1/survey-instruments": Route(
        "write", False, lambda t: ("/v1/survey-instruments", INSTRUMENT, {})
    ),
    "GET /v1/survey-instruments": Route(
        "read", False, lambda t: ("/v1/survey-instruments", None, {})
    ),
    "GET /v1/survey-instruments/{code}": Route(
        "read", False, lambda t: ("/v1/survey-instruments/standard", None, {})
    ),
    "POST /v1/surveys": Route("write", True, lambda t: ("/v1/surveys", {
        "area_id": t["area"], "forum_id": t["forum"], "title_en": "W", "title_ar": "م",
        "opens_on": DAY, "closes_on": DAY}, {})),  # fmt: skip
    "POST /v1/surveys/{wave_id}/responses": Route("write", True, lambda t: (
        f"/v1/surveys/{t['wave']}/responses",
        {"area_id": t["area"], "answers": {"trust_police": "quite_a_lot"}}, {})),
    "GET /v1/surveys/{wave_id}/results": Route(
        "read", True, lambda t: (f"/v1/surveys/{t['wave']}/results", None, {})
    ),
    "POST /v1/surveys/{wave_id}/publish": Route(
        "write", True, lambda t: (f"/v1/surveys/{t['wave']}/publish", None, {})
    ),
    "POST /v1/plans": Route("write", True, lambda t: ("/v1/plans", _plan_body(t), {})),
    "POST /v1/plans/{plan_id}/progress": Route("write", True, lambda t: (
        f"/v1/plans/{t['plan']}/progress",
        {"period": "2026-Q3", "values": [{"indicator_id": t["indicator"],
                                          "rating": "some_progress"}]}, {})),  # fmt: skip
    "GET /v1/plans/{plan_id}": Route("read", True, lambda t: (f"/v1/plans/{t['plan']}", None, {})),
    "POST /v1/plans/{plan_id}/refresh": Route(
        "write", True, lambda t: (f"/v1/plans/{t['plan']}/refresh", None, {})
    ),
    "GET /public/plans/{plan_id}": Route(
        "public", False, lambda t: (f"/public/plans/{t['plan']}", None, {})
    ),
    "POST /v1/activities": Route(
        "write", True, lambda t: ("/v1/activities", _activity_body(t), {})
    ),
    "GET /v1/activities/report": Route("read", True, lambda t: (
        "/v1/activities/report", None, {"area_id": t["area"], **REPORT})),
    "GET /v1/fora/{forum_id}/health": Route(
        "read", True, lambda t: (f"/v1/fora/{t['forum']}/health", None, {})
    ),
    "GET /v1/health": Route("read", True, lambda t: ("/v1/health", None, {"area_id": t["area"]})),
}  # fmt: skip

#: The same routes on records of an area alone (a wave or a plan no forum adopted).
AREA_RECORDS: dict[str, object] = {
    "GET /v1/plans/{plan_id}": lambda t: (f"/v1/plans/{t['area_plan']}", None, {}),
    "POST /v1/plans/{plan_id}/refresh": lambda t: (
        f"/v1/plans/{t['area_plan']}/refresh", None, {}),
    "POST /v1/plans/{plan_id}/progress": lambda t: (
        f"/v1/plans/{t['area_plan']}/progress",
        {"period": "2026-Q3", "values": [{"indicator_id": t["area_indicator"],
                                          "rating": "some_progress"}]}, {}),
    "GET /v1/surveys/{wave_id}/results": lambda t: (
        f"/v1/surveys/{t['area_wave']}/results", None, {}),
    "POST /v1/surveys/{wave_id}/responses": lambda t: (
        f"/v1/surveys/{t['area_wave']}/responses",
        {"area_id": t["area"], "answers": {"trust_police": "quite_a_lot"}}, {}),
    "POST /v1/surveys/{wave_id}/publish": lambda t: (
        f"/v1/surveys/{t['area_wave']}/publish", None, {}),
    "POST /v1/plans": lambda t: ("/v1/plans", _plan_body(t) | {"forum_id": None}, {}),
    "POST /v1/surveys": lambda t: ("/v1/surveys", {
        "area_id": t["area"], "title_en": "W", "title_ar": "م", "opens_on": DAY,
        "closes_on": DAY}, {}),
    "POST /v1/activities": lambda t: (
        "/v1/activities", _activity_body(t) | {"forum_id": None}, {}),
}  # fmt: skip


async def _records(api: Api, platform, area: str) -> dict:
    """One of everything, in the forum of `area` (made by a national coordinator)."""
    forum = await api.forum(area, forum_type="community_police_forum")
    t = {"area": area, "forum": forum}
    t["member"] = await api.member(forum, "chair", "parents", "female")
    t["erasable"] = await api.member(forum, "secretary", "media", "male")
    t["held"] = await api.meeting(forum, DAY)
    await api.hold(t["held"], DAY, [t["member"]], [])
    await api.put(f"/v1/meetings/{t['held']}/minutes", {"language": "en", "text": "Canary"})
    later = (TODAY + timedelta(days=7)).isoformat()
    t["scheduled"] = await api.meeting(forum, DAY)
    t["cancellable"] = await api.meeting(forum, later)
    t["concern"] = (await api.post(f"/v1/fora/{forum}/concerns", {
        "category": "street_lighting", "raised_by_group": "youth"}))["concern_id"]  # fmt: skip
    t["action"] = (await api.post(f"/v1/fora/{forum}/actions", {
        "title_en": "Fix", "title_ar": "إصلاح", "owner": "municipality", "due_on": later,
        "created_on": DAY}))["action_id"]  # fmt: skip
    t["wave"] = (await api.post("/v1/surveys", {
        "area_id": area, "forum_id": forum, "title_en": "W", "title_ar": "م",
        "opens_on": DAY, "closes_on": later}))["wave_id"]  # fmt: skip
    plan = await api.post("/v1/plans", _plan_body(t))
    t["plan"] = plan["plan_id"]
    t["indicator"] = plan["goals"][0]["outcomes"][0]["indicators"][0]["indicator_id"]
    await api.post("/v1/activities", _activity_body(t))
    area_plan = await api.post("/v1/plans", _plan_body(t) | {"forum_id": None})
    t["area_plan"] = area_plan["plan_id"]
    t["area_indicator"] = area_plan["goals"][0]["outcomes"][0]["indicators"][0]["indicator_id"]
    t["area_wave"] = (await api.post("/v1/surveys", {
        "area_id": area, "title_en": "W", "title_ar": "م", "opens_on": DAY,
        "closes_on": later}))["wave_id"]  # fmt: skip
    t["case"] = str(uuid4())
    await platform.sql(
        "fora",
        "INSERT INTO sara_cases (case_id, forum_id, stage, problem_statement, area_level,"
        " area_id, iccs_code, comparison_area_id, linked_concern_ids, linked_incident_ids,"
        " baseline, opened_at) VALUES ($1, $2, 'scanning', 'Burglaries at night', 'station',"
        " $3, '0501', $3, '{}', '{}', '{}'::jsonb, now())",
        t["case"], forum, area,
    )  # fmt: skip
    return t


def _verdict(route: Route, caller: str, target: str, status: int) -> str | None:
    """What is wrong with `status`, or None."""
    if status >= 500:
        return "server error"
    if caller not in ADMITS[route.access]:
        want = 401 if caller == "anonymous" else 403
        return None if status == want else f"expected {want}"
    reaches = CALLERS[caller][2] or target == "own" or not route.scoped
    if reaches:
        return None if status not in (401, 403, 404) else "refused its own area"
    return None if status in (403, 404) else "reached another area"


@pytest.mark.slow
async def test_every_route_refuses_the_wrong_role_and_the_other_area(platform):
    async with running_fora(platform) as client:
        paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
        routes = {f"{m.upper()} {p}" for p, methods in paths.items() for m in methods}
        assert sorted(routes - ROUTES.keys()) == [], "routes without an expectation"
        assert sorted(ROUTES.keys() - routes) == [], "expectations of routes that are gone"

        api = Api(platform, client)
        records = {target: await _records(api, platform, area) for target, area in AREAS.items()}
        headers = {
            name: platform.token(role, **claims) if role else {}
            for name, (role, claims, _) in CALLERS.items()
        }
        failures = []
        cases = [(key, ROUTES[key], ROUTES[key].build, "") for key in sorted(ROUTES)]
        cases += [(k, ROUTES[k], build, " (area record)") for k, build in AREA_RECORDS.items()]
        for key, route, build, variant in cases:
            method = key.split()[0]
            for target in ("own", "other") if route.scoped else ("own",):
                for caller in CALLERS:
                    url, body, params = build(records[target])  # type: ignore[operator]
                    response = await client.request(
                        method, url, json=body, params=params, headers=headers[caller]
                    )
                    problem = _verdict(route, caller, target, response.status_code)
                    if problem:
                        failures.append(
                            f"{key}{variant} {caller} {target}: {response.status_code}"
                            f" ({problem})"
                        )
        # Lists are filtered, not refused: a scoped caller lists no forum of the other area.
        for caller in ("governorate_coordinator", "station_coordinator", "officer"):
            listed = (await client.get("/v1/fora", headers=headers[caller])).json()
            ids = {f["forum_id"] for f in listed}
            if records["other"]["forum"] in ids or records["own"]["forum"] not in ids:
                failures.append(f"GET /v1/fora {caller}: lists {sorted(ids)}")
        assert failures == [], "\n".join(failures)
