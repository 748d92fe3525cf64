"""`jisr up --demo`, second part: complaints and fora activity through the services' HTTP
APIs, once they are up, so the accountability and engagement pages have something to show.

Everything goes through the public APIs with the role each step needs (a station counter
files, the complaints unit triages, an investigator records findings, an oversight body
recommends, coordinators run fora), so the events are exactly what production would publish.
Complainants and members are obviously fictitious ("Demo complainant 3"). Complaints can only
be received "now" through the API, so their days-to-close are short; fora meetings, concerns
and actions are dated over the last four months (the fora API takes past dates).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx

from libs.chassis.auth import mint_token
from libs.chassis.settings import Settings
from libs.reference import load_reference

MARKER = "demo-activity.done"
INVESTIGATOR = "demo-investigator-1"
CATEGORIES = ("use_of_force", "discourtesy", "abuse_of_authority", "failure_in_duty",
              "unlawful_arrest_or_detention", "corruption_or_bribery")  # fmt: skip
FINDINGS = ("SUBSTANTIATED", "NOT_SUBSTANTIATED", "EXONERATED", "UNFOUNDED")
CONCERNS = ("street_lighting", "traffic", "youth_idleness", "harassment", "drugs", "05", "0501")
GROUPS = ("youth", "womens_organisation", "host_community", "refugees_idps", "business")
ROLES = ("chair", "vice_chair", "secretary", "police_liaison", "community_representative",
         "community_representative", "community_representative")  # fmt: skip


@dataclass
class ActivitySummary:
    complaints: int
    closed: int
    fora: int
    meetings: int


class _Api:
    def __init__(self, client: httpx.Client, settings: Settings, base: str) -> None:
        self.client, self.settings, self.base = client, settings, base

    def token(self, role: str, **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, role=role, **claims)}"}

    def call(self, method: str, path: str, headers: dict, body: dict | None = None) -> dict:
        response = self.client.request(method, self.base + path, json=body, headers=headers)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}


def _complaint_body(rng: random.Random, n: int, station: str) -> dict:
    return {
        "narrative": f"Demo complaint {n}: synthetic text for the local demo, not a real event.",
        "station_id": station,
        "allegations": [
            {"category": c, "against": "station", "station_id": station}
            for c in rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        ],
        "complainant": {"name": f"Demo complainant {n}", "age_band": "25_34"},
    }


def _walk(api: _Api, cid: str, steps: list[tuple[str, dict, dict]]) -> None:
    for to, who, extra in steps:
        api.call("POST", f"/v1/complaints/{cid}/transitions", who, {"to": to, **extra})


def _investigate(api: _Api, cid: str, officer: dict, rng: random.Random) -> None:
    investigator = api.token("investigator", subject=INVESTIGATOR)
    assign = {"investigator": {"investigator_id": INVESTIGATOR, "unit_code": "PSD-HQ"}}
    _walk(api, cid, [("formal_investigation", officer, {}), ("assigned", officer, assign),
                     ("under_investigation", investigator, {})])  # fmt: skip
    case = api.call("GET", f"/v1/complaints/{cid}", investigator)
    findings = [{"allegation_id": a["allegation_id"], "finding": rng.choice(FINDINGS)}
                for a in case["allegations"]]  # fmt: skip
    _walk(api, cid, [("findings", investigator, {"findings": findings}),
                     ("outcome", officer, {"reason": "learning"})])  # fmt: skip


def complaints_activity(api: _Api, stations: list[str], count: int, rng: random.Random):
    """File `count` complaints at station counters and move most of them along."""
    officer = api.token("complaints_officer")
    api.call(
        "PUT",
        "/v1/oversight/bodies/ombudsman",
        api.token("admin"),
        {"body_id": "ombudsman", "title": "National Ombudsman (demo)", "national": True},
    )
    oversight = api.token("oversight", oversight_body="ombudsman")
    closed = 0
    for n in range(1, count + 1):
        station = rng.choice(stations)
        counter = api.token("station_officer", station_id=station)
        cid = api.call("POST", "/v1/complaints", counter, _complaint_body(rng, n, station))[
            "complaint_id"
        ]
        path = n % 5
        _walk(api, cid, [("logged", officer, {}), ("triage", officer, {})])
        if path == 0:
            continue  # still being triaged
        if path == 1:
            _walk(api, cid, [("informal_resolution", officer, {"complainant_agreed": True}),
                             ("outcome", officer, {})])  # fmt: skip
        elif path == 2:
            _walk(api, cid, [("not_accepted", officer, {"reason": "out_of_time"}),
                             ("closed", officer, {})])  # fmt: skip
            closed += 1
            continue
        else:
            _investigate(api, cid, officer, rng)
        _walk(api, cid, [("complainant_notified", officer, {}), ("review_window", officer, {})])
        if path == 4:
            continue  # inside its review window
        _walk(api, cid, [("closed", officer, {})])
        closed += 1
        if n % 3 == 0:
            rec = api.call("POST", f"/v1/complaints/{cid}/recommendations", oversight,
                           {"category": "training", "text": "Refresher training on conduct.",
                            "respond_within_days": 56})  # fmt: skip
            if n % 2 == 0:
                api.call("POST", f"/v1/recommendations/{rec['recommendation_id']}/answer",
                         officer, {"answer": "accepted"})  # fmt: skip
    return count, closed


def _forum(api: _Api, coordinator: dict, station: str, rng: random.Random, today: date) -> int:
    forum = api.call("POST", "/v1/fora", coordinator, {
        "forum_type": rng.choice(("community_police_forum", "women_safety_forum", "youth_forum")),
        "area_id": station, "name_en": f"{station} community forum (demo)",
        "name_ar": f"منتدى {station} المجتمعي (تجريبي)"})["forum_id"]  # fmt: skip
    joined = (today - timedelta(days=150)).isoformat()
    members = [
        api.call("POST", f"/v1/fora/{forum}/members", coordinator, {
            "name": f"Demo member {i}", "role": role, "represents": rng.choice(GROUPS),
            "gender": "female" if i % 2 else "male", "joined_on": joined})["member_id"]
        for i, role in enumerate(ROLES)
    ]  # fmt: skip
    held = 0
    for k in range(4):
        day = (today - timedelta(days=120 - 28 * k + rng.randint(0, 5))).isoformat()
        meeting = api.call("POST", f"/v1/fora/{forum}/meetings", coordinator,
                           {"scheduled_for": day})["meeting_id"]  # fmt: skip
        present = rng.sample(members, rng.randint(3, len(members)))
        walk_ins = [{"count": rng.randint(1, 8), "gender": g, "group": rng.choice(GROUPS)}
                    for g in ("female", "male")]  # fmt: skip
        api.call(
            "POST",
            f"/v1/meetings/{meeting}/attendance",
            coordinator,
            {"held_on": day, "members_present": present, "walk_ins": walk_ins},
        )
        held += 1
        concern = api.call("POST", f"/v1/fora/{forum}/concerns", coordinator, {
            "category": rng.choice(CONCERNS), "raised_by_group": rng.choice(GROUPS),
            "meeting_id": meeting})["concern_id"]  # fmt: skip
        due = date.fromisoformat(day) + timedelta(days=21)
        action = api.call("POST", f"/v1/fora/{forum}/actions", coordinator, {
            "concern_id": concern, "title_en": "Follow up with the municipality",
            "title_ar": "المتابعة مع البلدية", "owner": "police_liaison",
            "due_on": due.isoformat(), "created_on": day})["action_id"]  # fmt: skip
        if rng.random() < 0.7 and due - timedelta(days=3) <= today:
            on = min(due + timedelta(days=rng.randint(-6, 4)), today)
            api.call(
                "POST",
                f"/v1/actions/{action}/progress",
                coordinator,
                {"status": "done", "on": on.isoformat()},
            )
    return held


def fora_activity(api: _Api, stations: list[str], count: int, rng: random.Random):
    today = datetime.now(UTC).date()
    meetings = 0
    for station in stations[:count]:
        coordinator = api.token("forum_coordinator", station_id=station)
        meetings += _forum(api, coordinator, station, rng, today)
    return min(count, len(stations)), meetings


def load_activity(
    settings: Settings,
    urls: dict[str, str],
    *,
    scale: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> ActivitySummary:
    rng = random.Random(seed)
    stations = rng.sample(sorted(load_reference().stations), 12)
    complaints = max(5, round(40 * scale))
    fora = max(2, round(8 * scale))
    with httpx.Client(timeout=30) as client:
        filed, closed = complaints_activity(
            _Api(client, settings, urls["complaints"]), stations, complaints, rng
        )
        progress(f"  {filed} demo complaints filed, {closed} closed")
        made, held = fora_activity(_Api(client, settings, urls["fora"]), stations, fora, rng)
        progress(f"  {made} demo fora with {held} meetings")
    return ActivitySummary(filed, closed, made, held)
