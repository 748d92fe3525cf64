"""`jisr up --demo`, second part: complaints and fora activity through the services' HTTP
APIs, once they are up, so the accountability and engagement pages have something to show.

Everything goes through the public APIs with the role each step needs (a station counter
files, the complaints unit triages, an investigator records findings, an oversight body
recommends, coordinators run fora), so the events are exactly what production would publish.
Complainants and members are obviously fictitious ("Demo complainant 3"). Complaints can only
be received "now" through the API, so their days-to-close are short; fora meetings, concerns
and actions are dated over the last four months (the fora API takes past dates). Perception
survey waves in a few districts get synthetic responses (women feel less safe after dark than
men; trust in the police varies by station; a few skip an item or give no gender, so some cells
are suppressed) and are published as `survey.results_published`.
"""

from __future__ import annotations

import random
import time
import uuid
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
    survey_waves: int = 0
    survey_responses: int = 0


class _Api:
    """The services' HTTP APIs as the demo calls them: an answer the demo can wait out (429
    with Retry-After, a 502-504, a service restarting) is retried, and every POST carries an
    Idempotency-Key so a retry after a lost answer never creates a second record."""

    def __init__(
        self,
        client: httpx.Client,
        settings: Settings,
        base: str,
        progress: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.settings, self.base = client, settings, base
        self.progress, self.sleep = progress, sleep

    def token(self, role: str, **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, role=role, **claims)}"}

    def call(self, method: str, path: str, headers: dict, body: dict | None = None) -> dict:
        response = self.send(method, path, headers, body)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}

    def send(
        self, method: str, path: str, headers: dict, body: dict | None = None
    ) -> httpx.Response:
        """The response once it is not one to wait out (a 4xx other than 429 included)."""
        if method == "POST":
            headers = headers | {"Idempotency-Key": str(uuid.uuid4())}
        delay, waited = 0.5, 0.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response: httpx.Response | None = None
            try:
                response = self.client.request(method, self.base + path, json=body, headers=headers)
            except httpx.TransportError as exc:
                failure = type(exc).__name__
            else:
                failure = f"{response.status_code}"
                if response.status_code not in RETRIED_STATUSES:
                    return response
            if attempt == MAX_ATTEMPTS or waited > MAX_WAIT_SECONDS:
                break
            pause = delay
            if response is not None and response.status_code == 429:
                pause = _retry_after(response)
                self.progress(f"  {method} {path}: rate-limited; waiting {pause:.0f} s as told")
            else:
                delay = min(delay * 2, 8.0)
            self.sleep(pause)
            waited += pause
        raise RuntimeError(f"{method} {path}: gave up after {attempt} attempts ({failure})")


# 429: the caller is over a rate limit (wait as told); 502-504: a service restarting or busy.
RETRIED_STATUSES = {429, 502, 503, 504}
MAX_ATTEMPTS = 8
MAX_WAIT_SECONDS = 2 * 3600  # a rate-limit window is at most an hour: wait out two


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 60.0


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


def _waive_review(api: _Api, cid: str, filed: dict, officer: dict) -> None:
    """The complainant waives the review with their PIN; where only staff may record a
    waiver (older rules), the complaints unit closes it with that reason."""
    waiver = api.send(
        "POST",
        f"/v1/complaints/{filed['reference']}/review-waiver",
        {"X-Complaint-PIN": filed["pin"]},
    )
    if waiver.status_code in (404, 405):
        _walk(api, cid, [("closed", officer, {"reason": "review_waived"})])
    elif waiver.status_code >= 400:
        raise RuntimeError(f"review waiver: {waiver.status_code} {waiver.text[:300]}")


def complaints_activity(api: _Api, stations: list[str], count: int, rng: random.Random):
    """File `count` complaints at station counters and move most of them along."""
    officer = api.token("complaints_officer")
    api.call(
        "PUT",
        "/v1/oversight/bodies/ombudsman",
        api.token("admin"),
        {"body_id": "ombudsman", "title": "National Ombudsman (demo)", "national": True},
    )
    # The investigator's posting, where the staff directory decides who may be assigned.
    posted = api.send(
        "PUT", f"/v1/staff/{INVESTIGATOR}", api.token("admin"), {"unit_code": "PSD-HQ"}
    )
    if posted.status_code >= 400 and posted.status_code not in (404, 405):
        raise RuntimeError(f"staff posting: {posted.status_code} {posted.text[:300]}")
    oversight = api.token("oversight", oversight_body="ombudsman")
    closed = 0
    for n in range(1, count + 1):
        station = rng.choice(stations)
        counter = api.token("station_officer", station_id=station)
        filed = api.call("POST", "/v1/complaints", counter, _complaint_body(rng, n, station))
        cid = filed["complaint_id"]
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
        # Demo complainants leave no contact details, so no message can be sent: say so.
        notified = {"reason": "no_contact_details"}
        _walk(api, cid, [("complainant_notified", officer, notified)])
        # The review window opens by itself on notification (older rules: staff open it).
        if api.call("GET", f"/v1/complaints/{cid}", officer).get("status") != "review_window":
            _walk(api, cid, [("review_window", officer, {})])
        if path == 4:
            continue  # inside its review window
        # Demo complaints are all received today: their 28-day review windows are still open,
        # so the demo's complainants decline a review.
        _waive_review(api, cid, filed, officer)
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


# --- programme work: outreach and trainings, a safety plan, a SARA case ----------------------

ACTIVITY_KINDS = ("training", "training", "awareness_session", "safety_campaign", "school_visit",
                  "workshop", "dialogue_session")  # fmt: skip
AUDIENCES = ("youth", "women", "police_officers", "students", "community_members", "parents")
ORIGINS = ("programme_ngo", "police", "law")


def _programme_forum(api: _Api, coordinator: dict, station: str, origin: str) -> str:
    """A forum established by a programme, the police or the law (the origin the outreach
    page breaks activities down by); its members are counted as they join."""
    body = {"forum_type": "community_police_forum", "area_id": station, "origin": origin,
            "name_en": f"{station} safety council (demo)",
            "name_ar": f"مجلس السلامة في {station} (تجريبي)"}  # fmt: skip
    if origin == "programme_ngo":
        body["origin_programme"] = "iom"
    return api.call("POST", "/v1/fora", coordinator, body)["forum_id"]


def outreach_activity(
    api: _Api, stations: list[str], count: int, rng: random.Random, today: date
) -> int:
    """Outreach and trainings over the last five months, most run by a forum; a few women's
    fora members join too, so the membership page has groups and genders."""
    recorded = 0
    for k, station in enumerate(stations[: max(2, count // 4)]):
        coordinator = api.token("forum_coordinator", station_id=station)
        forum = _programme_forum(api, coordinator, station, ORIGINS[k % len(ORIGINS)])
        for i, role in enumerate(ROLES):  # a half, a third or a quarter women: some miss it
            api.call("POST", f"/v1/fora/{forum}/members", coordinator, {
                "name": f"Demo council member {i}", "role": role,
                "represents": rng.choice(GROUPS),
                "gender": "female" if i % (2 + k % 3) == 0 else "male",
                "joined_on": (today - timedelta(days=160)).isoformat()})  # fmt: skip
        for _ in range(max(3, count // len(stations[: max(2, count // 4)]))):
            women, men = rng.randint(2, 25), rng.randint(2, 25)
            kind = rng.choice(ACTIVITY_KINDS)
            api.call("POST", "/v1/activities", coordinator, {
                "kind": kind, "audience": rng.choice(AUDIENCES),
                "forum_id": forum if rng.random() < 0.8 else None, "area_id": station,
                "title_en": f"{kind.replace('_', ' ').capitalize()} (demo)",
                "title_ar": "نشاط تجريبي",
                "held_on": (today - timedelta(days=rng.randint(1, 150))).isoformat(),
                "participants": [{"count": women, "gender": "female"},
                                 {"count": men, "gender": "male"}],
                "direct_beneficiaries": women + men,
                "indirect_beneficiaries": (women + men) * rng.randint(2, 6)})  # fmt: skip
            recorded += 1
    return recorded


def _months(today: date, n: int) -> list[str]:
    months, day = [], today.replace(day=1)
    for _ in range(n):
        months.append(day.strftime("%Y-%m"))
        day = (day - timedelta(days=1)).replace(day=1)
    return months[::-1]


def plan_activity(api: _Api, station: str, today: date) -> int:
    """A safety plan for the station's area: a reported figure (street-lighting complaints,
    falling towards its target) and a qualitative assessment, valued month by month."""
    coordinator = api.token("forum_coordinator", station_id=station)
    start = today - timedelta(days=180)
    indicator = {"source": {"kind": "manual"}, "baseline": 40.0, "target": 20.0,
                 "title_en": "Street-lighting complaints per month",
                 "title_ar": "شكاوى الإنارة شهرياً"}  # fmt: skip
    rated = {"source": {"kind": "qualitative"}, "title_en": "Youth centre opened",
             "title_ar": "افتتاح مركز الشباب"}  # fmt: skip
    plan = api.call("POST", "/v1/plans", coordinator, {
        "area_id": station, "title_en": f"{station} community safety plan (demo)",
        "title_ar": f"خطة السلامة المجتمعية في {station} (تجريبية)",
        "period_start": start.isoformat(), "period_end": (start + timedelta(days=365)).isoformat(),
        "goals": [{"title_en": "Safer streets at night", "title_ar": "شوارع أكثر أماناً ليلاً",
                   "outcomes": [{"title_en": "Better lighting and youth activities",
                                 "title_ar": "إنارة أفضل وأنشطة للشباب",
                                 "indicators": [indicator, rated]}]}]})  # fmt: skip
    ids = [i["indicator_id"] for g in plan["goals"] for o in g["outcomes"] for i in o["indicators"]]
    ratings = ("not_started", "not_started", "some_progress", "some_progress", "some_progress",
               "achieved")  # fmt: skip
    months = _months(today, 6)
    for n, month in enumerate(months):
        recorded_on = min(today, date.fromisoformat(f"{month}-01") + timedelta(days=27))
        api.call("POST", f"/v1/plans/{plan['plan_id']}/progress", coordinator, {
            "period": month, "recorded_on": recorded_on.isoformat(),
            "values": [{"indicator_id": ids[0], "value": 40.0 - 3.5 * n},
                       {"indicator_id": ids[1], "rating": ratings[n]}]})  # fmt: skip
    return len(months)


def sara_activity(api: _Api, incidents: _Api, station: str, comparison: str, today: date) -> bool:
    """A SARA case on the station's most common offence section, linked to its incidents and
    taken through analysis and response to assessment (the WDD and E-test are fora's, from
    the incidents service); False when the station has too few incidents to link."""
    analyst = incidents.token("ministry_analyst")
    rows = incidents.call("GET", f"/v1/incidents?station_id={station}&limit=60", analyst)
    by_section: dict[str, list[str]] = {}
    for row in rows[:40]:
        detail = incidents.call("GET", f"/v1/incidents/{row['incident_id']}", analyst)
        if detail.get("status", "active") == "active" and detail.get("iccs_codes"):
            by_section.setdefault(detail["iccs_codes"][0][:2], []).append(row["incident_id"])
    if not by_section or max(len(v) for v in by_section.values()) < 3:
        return False
    section, linked = max(by_section.items(), key=lambda kv: len(kv[1]))
    coordinator = api.token("forum_coordinator", station_id=station)
    forum = _programme_forum(api, coordinator, station, "police")
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    case = api.call(
        "POST",
        f"/v1/fora/{forum}/sara-cases",
        coordinator,
        {
            "problem_statement": "Repeated offences around the market at night (demo case).",
            "area_id": station,
            "iccs_code": section,
            "comparison_area_id": comparison,
            "linked_incident_ids": linked[:6],
            "before_from": day(180),
            "before_to": day(91),
        },
    )
    cid = case["case_id"]
    api.call(
        "PUT",
        f"/v1/sara-cases/{cid}/analysis",
        coordinator,
        {
            "offender": "Groups gathering late",
            "victim": "Shop keepers closing up",
            "place": "The market's unlit side streets",
            "hypotheses": ["Poor lighting"],
        },
    )
    api.call(
        "PUT",
        f"/v1/sara-cases/{cid}/response",
        coordinator,
        {
            "interventions": [
                {
                    "title": "New street lights",
                    "responsible": ["municipality"],
                    "start_on": day(90),
                },
                {"title": "Evening foot patrols", "responsible": ["police"], "start_on": day(90)},
            ]
        },
    )
    api.call("POST", f"/v1/sara-cases/{cid}/assessment", coordinator, {
        "after_from": day(90), "after_to": day(1),
        "process": [{"done_as_planned": True}, {"done_as_planned": False}]})  # fmt: skip
    return True


# (days before today it opens, days it runs, responses), round the three districts: the first
# district is surveyed twice, and the wave still open is published again after late responses;
# the last two give the second and third districts a wave before the 90 days the evaluation
# page opens on as well as one within them (a pilot and a comparison surveyed before and after).
WAVES = ((150, 30, 100), (40, 30, 90), (70, 30, 90), (12, 30, 70), (160, 30, 80), (170, 30, 80))
LATE_RESPONSES = 15


def _scale_answer(rng: random.Random, p: float, positive: tuple, negative: tuple) -> str:
    if rng.random() < 0.04:
        return "dont_know"
    return rng.choice(positive) if rng.random() < p else rng.choice(negative)


def _yes_no(rng: random.Random, p: float, dont_know: bool = True) -> str:
    if dont_know and rng.random() < 0.08:
        return "dont_know"
    return "yes" if rng.random() < p else "no"


def survey_response(rng: random.Random, station: str, trust: float) -> dict:
    """One synthetic respondent at `station` (whose trust in the police is about `trust`)."""
    gender = rng.choices(("female", "male", None), (0.47, 0.43, 0.10))[0]
    safe = {"female": 0.42, "male": 0.74}.get(gender or "", 0.58) + (trust - 0.6) / 2
    answers = {
        "feel_safe_after_dark": _scale_answer(rng, safe, ("very_safe", "fairly_safe"),
                                              ("a_bit_unsafe", "very_unsafe")),
        "trust_police": _scale_answer(rng, trust, ("a_great_deal", "quite_a_lot"),
                                      ("not_very_much", "none_at_all")),
        "advise_report_theft": _yes_no(rng, 0.55 + trust / 3),
        "advise_report_assault": _yes_no(rng, 0.45 + trust / 3),
        "heard_of_council": _yes_no(rng, 0.3, dont_know=False),
    }  # fmt: skip
    if rng.random() < 0.85:  # the sensitive item is the one people skip
        p = trust * (0.85 if gender == "female" else 0.7)
        answers["advise_report_domestic_violence"] = _yes_no(rng, p)
    age = rng.choice(("18_29", "30_44", "45_59", "60_plus", None))
    return {"area_id": station, "gender": gender, "age_band": age, "answers": answers}


def _survey_districts(count: int) -> list[tuple[str, list[str]]]:
    """The districts with the most stations, so results by area have several areas."""
    stations: dict[str, list[str]] = {}
    for station in sorted(load_reference().stations.values(), key=lambda s: s.id):
        stations.setdefault(station.district_code, []).append(station.id)
    return sorted(stations.items(), key=lambda kv: -len(kv[1]))[:count]


def _respond(
    api: _Api, who: dict, wave: str, stations: list[tuple[str, float]], n: int, rng: random.Random
) -> None:
    # Uneven weights: the last station gets few respondents, so some of its cells are hidden.
    weights = [1.0] * (len(stations) - 1) + [0.15] if len(stations) > 1 else [1.0]
    for _ in range(n):
        station, trust = rng.choices(stations, weights)[0]
        api.call("POST", f"/v1/surveys/{wave}/responses", who, survey_response(rng, station, trust))


def survey_activity(api: _Api, rng: random.Random, today: date) -> tuple[int, int]:
    """Survey waves in a few districts, answered and published; (waves, responses)."""
    coordinator = api.token("forum_coordinator")
    districts = _survey_districts(3)
    trust = {s: round(rng.uniform(0.4, 0.8), 2) for _, stations in districts for s in stations}
    responses = 0
    for k, (opened, days, n) in enumerate(WAVES):
        district, stations = districts[k % len(districts)]
        opens_on = today - timedelta(days=opened)
        wave = api.call("POST", "/v1/surveys", coordinator, {
            "area_id": district, "title_en": f"Community safety survey {opens_on:%B %Y} (demo)",
            "title_ar": f"مسح السلامة المجتمعية {opens_on:%m/%Y} (تجريبي)",
            "opens_on": opens_on.isoformat(),
            "closes_on": (opens_on + timedelta(days=days)).isoformat()})["wave_id"]  # fmt: skip
        area = [(s, trust[s]) for s in stations]
        _respond(api, coordinator, wave, area, n, rng)
        api.call("POST", f"/v1/surveys/{wave}/publish", coordinator)
        responses += n
        if opens_on + timedelta(days=days) > today:  # still open: late answers, published again
            _respond(api, coordinator, wave, area, LATE_RESPONSES, rng)
            api.call("POST", f"/v1/surveys/{wave}/publish", coordinator)
            responses += LATE_RESPONSES
    return len(WAVES), responses


def load_activity(
    settings: Settings,
    urls: dict[str, str],
    *,
    scale: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> ActivitySummary:
    rng = random.Random(seed)
    known = sorted(load_reference().stations)
    stations = rng.sample(known, min(12, len(known)))
    complaints = max(5, round(40 * scale))
    fora = max(2, round(8 * scale))
    with httpx.Client(timeout=30) as client:

        def api(service: str) -> _Api:
            return _Api(client, settings, urls[service], progress)

        filed, closed = complaints_activity(api("complaints"), stations, complaints, rng)
        progress(f"  {filed} demo complaints filed, {closed} closed")
        made, held = fora_activity(api("fora"), stations, fora, rng)
        progress(f"  {made} demo fora with {held} meetings")
        waves, answered = survey_activity(api("fora"), rng, datetime.now(UTC).date())
        progress(f"  {waves} demo survey waves with {answered} responses, published")
        today = datetime.now(UTC).date()
        done = outreach_activity(api("fora"), stations, max(12, round(60 * scale)), rng, today)
        valued = plan_activity(api("fora"), stations[0], today)
        progress(f"  {done} demo outreach activities and trainings; a safety plan valued "
                 f"over {valued} months")  # fmt: skip
        if sara_activity(api("fora"), api("incidents"), stations[0], stations[1], today):
            progress("  a demo SARA case taken to assessment")
        else:
            progress(f"  no demo SARA case: {stations[0]} has too few incidents to link")
    return ActivitySummary(filed, closed, made, held, waves, answered)
