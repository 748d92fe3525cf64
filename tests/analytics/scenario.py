"""A realistic, seeded stream of domain events for the analytics tests, published to the
platform's topics as the producing services would (CloudEvents, keyed as the registry says).

The tests then read the topics back and recompute every figure from the raw records, without
any analytics code, to check what the pages and the API show.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from uuid6 import uuid7

from libs.chassis.kafka import make_producer, send_record
from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.complaints import (
    ComplaintClosed,
    ComplaintDeadlineBreached,
    ComplaintFindingRecorded,
    ComplaintReceived,
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
    ComplaintStatusChanged,
)
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.contracts.fora import (
    ActionStatusChanged,
    Attendance,
    ConcernRaised,
    ForumRegistered,
    GroupCount,
    MeetingHeld,
    SurveyCell,
    SurveyItemCount,
    SurveyResultsPublished,
    SurveyTable,
)
from libs.contracts.incidents import (
    IncidentMerged,
    IncidentReclassified,
    IncidentRecorded,
    IncidentVoided,
    Offence,
    PersonCount,
)
from libs.contracts.topics import topic_for_event
from libs.reference import load_reference

from .programme_scenario import ORIGINS, add_programme

STATIONS = ("AM-01-S1", "AM-01-S2", "AM-02-S1", "IR-01-S1", "IR-02-S1", "MA-01-S1", "KA-01-S1")
CODES = ("0201", "0501", "0502", "0401", "0701", "0301", "1101", "020101")
CATEGORIES = ("use_of_force", "discourtesy", "abuse_of_authority", "failure_in_duty")
FINDINGS = ("SUBSTANTIATED", "NOT_SUBSTANTIATED", "EXONERATED", "UNFOUNDED")
CLOCKS = ("acknowledgement", "progress_update", "outcome_notice")
GROUPS = ("youth", "womens_organisation", "business", "refugees_idps")
DAYS = 150  # events fall in the last DAYS days
SURVEY_ITEMS = (
    "feel_safe_after_dark",
    "trust_police",
    "advise_report_domestic_violence",
    "advise_report_theft",
    "advise_report_assault",
    "heard_of_council",
)
MIN_CELL = 5
SURVEY_TABLES = (("area", "gender"),)  # what fora publishes: no margins


def _hash(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Scenario:
    now: datetime
    seed: int = 11
    events: list = field(default_factory=list)  # (event model, key)
    forum_in: dict = field(default_factory=dict)  # area -> forum id

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.reference = load_reference()

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def add(self, event, key) -> None:
        self.events.append((event, str(key)))

    # --- incidents ---------------------------------------------------------------------------

    def incidents(self, n: int) -> None:
        rng = self.rng
        for i in range(n):
            station = self.reference.stations[rng.choice(STATIONS)]
            incident_id = uuid7()
            offences = [Offence(iccs_code=rng.choice(CODES)) for _ in range(rng.choice((1, 1, 2)))]
            occurred = self.at(rng.uniform(1, DAYS))
            # victims and domestic flags from their own generator: the draws above stay as before
            people = random.Random(f"{self.seed}-people-{i}")
            offences = [
                o.model_copy(update={"domestic": people.random() < 0.25}) for o in offences
            ]
            victims = [
                PersonCount(
                    sex=people.choice(("female", "female", "male", "unknown")),
                    age_band=people.choice(("0-11", "18-24", "25-34", "45-54", "unknown")),
                    count=people.choice((1, 1, 2)),
                )
                for _ in range(people.choice((0, 1, 1, 2)))
            ]
            self.add(
                IncidentRecorded(
                    incident_id=incident_id,
                    station_id=station.id,
                    district_code=station.district_code,
                    governorate_code=station.governorate_code,
                    offences=offences,
                    occurred_at=occurred,
                    recorded_at=occurred + timedelta(hours=5),
                    victims=victims,
                ),
                incident_id,
            )
            roll = rng.random()
            later = occurred + timedelta(days=1)
            if roll < 0.08:
                self.add(
                    IncidentVoided(
                        incident_id=incident_id,
                        station_id=station.id,
                        reason_code="NO_CRIME",
                        voided_at=later,
                    ),
                    incident_id,
                )
            elif roll < 0.12:
                self.add(
                    IncidentMerged(
                        incident_id=incident_id,
                        station_id=station.id,
                        merged_into=uuid7(),
                        merged_at=later,
                    ),
                    incident_id,
                )
            elif roll < 0.22:
                new = [Offence(iccs_code=rng.choice(CODES), domestic=people.random() < 0.5)]
                self.add(
                    IncidentReclassified(
                        incident_id=incident_id,
                        station_id=station.id,
                        offences=new,
                        reclassified_at=later,
                    ),
                    incident_id,
                )

    def alerts(self) -> None:
        monday = (self.now - timedelta(days=self.now.weekday() + 14)).date()
        for area, level, code in (
            ("AM-01", "district", "05"),
            ("IR", "governorate", "0501"),
            ("AM-01-S1", "station", "02"),
        ):
            stats = dict(
                alert_id=uuid7(),
                area_level=level,
                area_id=area,
                iccs_code=code,
                week_start=monday,
                observed=14,
                expected=5.5,
                upper_limit=10.2,
                score=3.1,
                method="farrington_flexible",
            )
            self.add(BaselineAlertRaised(raised_at=self.at(13), **stats), area)
            if area == "IR":
                self.add(BaselineAlertCleared(cleared_at=self.at(6), **stats), area)

    # --- complaints --------------------------------------------------------------------------

    def complaints(self, n: int) -> None:
        for i in range(n):
            self._complaint(i)

    def _complaint(self, i: int) -> None:
        rng = self.rng
        cid = uuid7()
        station = None if i % 9 == 0 else self.reference.stations[rng.choice(STATIONS)]
        governorate = station.governorate_code if station else rng.choice(("AM", "IR"))
        categories = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        received = self.at(rng.uniform(5, DAYS))
        self.add(
            ComplaintReceived(
                complaint_id=cid,
                channel=rng.choice(("web", "hotline")),
                station_id=station.id if station else None,
                governorate_code=governorate,
                allegation_categories=categories,
                received_at=received,
            ),
            cid,
        )
        seq = [0]

        def status(frm, to, when, findings=None):
            seq[0] += 1
            self.add(
                ComplaintStatusChanged(
                    complaint_id=cid,
                    from_status=frm,
                    to_status=to,
                    changed_at=when,
                    sequence=seq[0],
                    prev_hash=_hash(cid, seq[0] - 1),
                    hash=_hash(cid, seq[0]),
                    findings=findings,
                ),
                cid,
            )

        status(None, "received", received)
        status("received", "logged", received + timedelta(hours=2))
        if rng.random() < 0.3:
            self.add(
                ComplaintDeadlineBreached(
                    complaint_id=cid,
                    clock=rng.choice(CLOCKS),
                    due_at=received + timedelta(days=3),
                    breached_at=received + timedelta(days=3),
                ),
                cid,
            )
        if rng.random() < 0.35:
            return  # still open
        took = rng.uniform(1, min(60, (self.now - received).days - 1))
        decided = received + timedelta(days=took * 0.8)
        for category in categories:
            allegation = uuid7()
            for finding in [rng.choice(FINDINGS)] + ([rng.choice(FINDINGS)] if i % 7 == 0 else []):
                self.add(
                    ComplaintFindingRecorded(
                        complaint_id=cid,
                        allegation_id=allegation,
                        category=category,
                        finding=finding,
                        recorded_at=decided,
                    ),
                    cid,
                )
        status("logged", "review_requested", decided)
        to = "formal_investigation" if rng.random() < 0.3 else "closed"
        status("review_requested", to, decided + timedelta(hours=1))
        closed = received + timedelta(days=took)
        if to != "closed":
            status(to, "closed", closed)
        self.add(ComplaintClosed(complaint_id=cid, closed_at=closed), cid)
        if i % 5 == 0:
            rec = uuid7()
            made = closed + timedelta(hours=3)
            respond_by = made + timedelta(days=rng.choice((2, 56)))
            self.add(
                ComplaintRecommendationMade(
                    complaint_id=cid,
                    recommendation_id=rec,
                    oversight_body=rng.choice(("ombudsman", "nchr")),
                    category="training",
                    made_at=made,
                    respond_by=respond_by,
                ),
                cid,
            )
            if i % 10 == 0:
                self.add(
                    ComplaintRecommendationAnswered(
                        complaint_id=cid,
                        recommendation_id=rec,
                        answer=rng.choice(("accepted", "declined")),
                        reason="budget",
                        answered_at=made + timedelta(hours=1),
                    ),
                    cid,
                )

    # --- fora --------------------------------------------------------------------------------

    def fora(self) -> None:
        rng = self.rng
        places = [
            ("station", "AM-01-S1", "AM-01-S1"),
            ("station", "IR-01-S1", "IR-01-S1"),
            ("district", "AM-02", None),
            ("governorate", "MA", None),
            ("station", "AM-01-S2", "AM-01-S2"),
        ]
        for level, area, station in places:
            fid = self.forum_in[area] = uuid7()
            self.add(
                ForumRegistered(
                    forum_id=fid,
                    forum_type=rng.choice(
                        ("community_police_forum", "women_safety_forum", "youth_forum")
                    ),
                    level=level,
                    area_code=area,
                    station_id=station,
                    registered_at=self.at(DAYS + 10),
                    origin=ORIGINS.get(area),
                ),
                fid,
            )
            for _ in range(rng.randint(3, 8)):
                women, men = rng.randint(0, 12), rng.randint(2, 15)
                groups = [
                    GroupCount(group=g, count=rng.randint(0, 5)) for g in rng.sample(GROUPS, 2)
                ]
                mid = uuid7()
                held = self.at(rng.uniform(1, DAYS)).date()
                # some are public consultations: no quorum applies, not a failed one
                applies = rng.random() < 0.85
                self.add(
                    MeetingHeld(
                        forum_id=fid,
                        meeting_id=mid,
                        held_on=held,
                        attendance=Attendance(
                            women=women, men=men, total=women + men + rng.randint(0, 3)
                        ),
                        quorum_met=applies and rng.random() < 0.7,
                        kind=None if applies else "public_consultation",
                        quorum_applies=applies,
                        groups=groups,
                    ),
                    fid,
                )
            for _ in range(rng.randint(1, 4)):
                self.add(
                    ConcernRaised(
                        forum_id=fid,
                        concern_id=uuid7(),
                        category=rng.choice(("lighting", "drugs", "traffic")),
                        area_code=area,
                        raised_by_group="residents",
                        raised_at=self.at(rng.uniform(1, DAYS)),
                    ),
                    fid,
                )
            for _ in range(rng.randint(2, 6)):
                aid = uuid7()
                due = self.at(rng.uniform(-20, DAYS - 10)).date()
                self.add(
                    ActionStatusChanged(
                        forum_id=fid,
                        action_id=aid,
                        from_status=None,
                        to_status="open",
                        due_on=due,
                        changed_at=self.at(DAYS),
                    ),
                    fid,
                )
                end = rng.choice(("done", "done", "in_progress", "dropped"))
                when = datetime.combine(
                    due + timedelta(days=rng.randint(-5, 6)), datetime.min.time(), UTC
                )
                when = min(when, self.now - timedelta(hours=1))
                self.add(
                    ActionStatusChanged(
                        forum_id=fid,
                        action_id=aid,
                        from_status="open",
                        to_status=end,
                        changed_at=when,
                    ),
                    fid,
                )

    # --- perception surveys ------------------------------------------------------------------

    def _respondents(self, places: dict[str, int], items) -> list[dict]:
        """Anonymous respondents (area, gender, positive or not per item; some skip one)."""
        rng, out = self.rng, []
        for area, n in places.items():
            for _ in range(n):
                gender = rng.choices(("female", "male", "unknown"), (0.45, 0.45, 0.1))[0]
                leaning = 0.35 if gender == "female" else 0.6
                answers = {i: rng.random() < leaning for i in items if rng.random() > 0.1}
                out.append({"area": area, "gender": gender, "answers": answers})
        rng.shuffle(out)  # a publication counts those known by then, from every area
        return out

    def survey(self, wave_id, area, closes_ago, places, items=SURVEY_ITEMS, forum=None, at=(1,)):
        """A wave's results published once per entry of `at` (days after closing, in the
        order published): each publication counts the respondents known by then."""
        closes = self.at(closes_ago).date()
        everyone = self._respondents(places, items)
        for after in at:
            known = everyone[: max(1, round(len(everyone) * min(1.0, 0.4 + after / 8)))]
            event = SurveyResultsPublished(
                wave_id=wave_id,
                forum_id=forum,
                area_id=area,
                opens_on=closes - timedelta(days=30),
                closes_on=closes,
                min_cell_size=MIN_CELL,
                responses=len(known),
                tables=[survey_table(known, by, items) for by in SURVEY_TABLES],
                published_at=datetime.combine(closes, datetime.min.time(), UTC)
                + timedelta(days=after),
            )
            self.add(event, forum or area)

    def surveys(self) -> None:
        # A district wave published three times; the last to arrive is older than the second.
        self.survey(
            uuid7(), "AM-01", 40, {"AM-01-S1": 34, "AM-01-S2": 14, "AM-01": 3}, at=(1, 6, 3)
        )
        self.survey(uuid7(), "IR", 15, {"IR-01-S1": 22, "IR-02-S1": 9, "IR": 12}, at=(2,))
        self.survey(
            uuid7(),
            "AM-01-S1",
            70,
            {"AM-01-S1": 26},
            items=SURVEY_ITEMS[:2] + SURVEY_ITEMS[5:],
            forum=self.forum_in["AM-01-S1"],
        )
        self.survey(uuid7(), "KA-01-S1", 20, {"KA-01-S1": 3})  # every cell suppressed
        self.survey(uuid7(), "MA", DAYS + 60, {"MA-01-S1": 20})  # closed before the period

    def build(self) -> Scenario:
        self.incidents(240)
        self.alerts()
        self.complaints(70)
        self.fora()
        self.surveys()
        add_programme(self)  # its own generator: the figures above are unchanged
        return self


def survey_table(respondents: list[dict], by: tuple[str, ...], items) -> SurveyTable:
    """One results table as a producer publishes it: cells under MIN_CELL respondents hidden,
    and with a lone hidden cell the next smallest too; an item under MIN_CELL answers carries
    no positive count."""
    groups: dict[tuple, list[dict]] = {(): []} if not by else {}
    for r in respondents:
        groups.setdefault(tuple(r[dim] for dim in by), []).append(r)
    hidden = {key for key, rows in groups.items() if len(rows) < MIN_CELL}
    if len(hidden) == 1 and len(groups) > 1:
        shown = [key for key in groups if key not in hidden]
        hidden.add(min(shown, key=lambda key: (len(groups[key]), key)))
    cells = []
    for key in sorted(groups):
        where = dict(zip(by, key, strict=True))
        cell = {"area_id": where.get("area"), "gender": where.get("gender")}
        if key in hidden:
            cells.append(SurveyCell(**cell, suppressed=True))
            continue
        counts = []
        for item in items:
            answers = [r["answers"][item] for r in groups[key] if item in r["answers"]]
            positive = sum(answers) if len(answers) >= MIN_CELL else None
            counts.append(SurveyItemCount(item=item, answered=len(answers), positive=positive))
        cells.append(SurveyCell(**cell, suppressed=False, responses=len(groups[key]), items=counts))
    return SurveyTable(by=list(by), cells=cells)


async def publish(settings, events) -> int:
    """Send the events to their topics in order, as the producing services' relays would."""
    producer = make_producer(settings, "jisr-analytics-test-scenario")
    await producer.start()
    try:
        futures = []
        for event, key in events:
            env = new_envelope(event, source="/test/scenario", subject=key)
            topic = settings.topic(topic_for_event(event.event_type).name)
            futures.append(
                await send_record(
                    producer, topic, key.encode(), encode_value(event), encode_headers(env)
                )
            )
        for future in futures:
            await future
    finally:
        await producer.stop()
    return len(events)


def decoded(records) -> list[tuple[str, dict]]:
    """(short event type, data as plain JSON) of raw Kafka records, oldest first per key."""
    out = []
    for r in records:
        ce_type = dict((k, v.decode()) for k, v in r.headers)["ce_type"]
        out.append((ce_type.split(".", 1)[1].rsplit(".", 1)[0], json.loads(r.value)))
    return out


def as_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def as_date(value: str) -> date:
    return date.fromisoformat(value)


__all__ = ["Scenario", "publish", "decoded", "as_time", "as_date", "UUID"]
