"""Issue 13 on a rolled-back session: each point reproduced (it failed before the change) and
kept: long concern codes, coordinators' scope, vocabularies as reference data (meeting kinds,
forum origins, audiences), follow-up meetings, one agenda item per rise, reports by scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import text

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.envelope import new_envelope
from services.fora.application import alerts, follow_up, health, meetings, outreach, registry
from services.fora.domain.registry import check_origin
from services.fora.schemas import (
    ActionIn,
    ActionProgressIn,
    ActivityIn,
    AttendanceIn,
    ConcernIn,
    ForumIn,
    MeetingIn,
    ReviewIn,
)

TODAY = datetime.now(UTC).date()
NATIONAL = Principal(subject="coordinator", roles=frozenset({"forum_coordinator"}))
IRBID = Principal(subject="irbid", roles=frozenset({"forum_coordinator"}), governorate="IR")
STATION = Principal(subject="s1", roles=frozenset({"forum_coordinator"}), station_id="AM-01-S1")
OFFICER = Principal(subject="o1", roles=frozenset({"station_officer"}), station_id="AM-01-S1")


def forum_in(area_id: str = "AM-01", **extra) -> ForumIn:
    body = {"forum_type": "local_security_council", "area_id": area_id,
            "name_en": f"{area_id} council", "name_ar": f"مجلس {area_id}"}  # fmt: skip
    return ForumIn.model_validate(body | extra)


async def new_forum(session, area_id: str = "AM-01", principal=NATIONAL, **extra):
    return (await registry.register_forum(session, forum_in(area_id, **extra), principal))[
        "forum_id"
    ]


def activity(area_id: str, kind: str, audience: str, count: int, forum_id=None) -> ActivityIn:
    return ActivityIn.model_validate(
        {"kind": kind, "audience": audience, "forum_id": forum_id, "area_id": area_id,
         "title_en": f"{kind} {area_id}", "title_ar": "نشاط", "held_on": TODAY.isoformat(),
         "participants": [{"count": count, "gender": "female"}], "direct_beneficiaries": count}
    )  # fmt: skip


# --- 1. long concern categories ---------------------------------------------------------------


async def test_long_concern_categories_are_stored_and_unknown_ones_name_the_field(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        forum = await new_forum(session)
        for category in ("domestic_violence", "abandoned_buildings", "0501"):
            body = ConcernIn(category=category, raised_by_group="parents")
            await follow_up.raise_concern(session, forum, body, NATIONAL)
        stored = await session.scalars(text("SELECT category FROM concerns ORDER BY category"))
        assert list(stored) == ["0501", "abandoned_buildings", "domestic_violence"]
        with pytest.raises(RuleViolation) as unknown:
            body = ConcernIn(category="flying_saucers", raised_by_group="youth")
            await follow_up.raise_concern(session, forum, body, NATIONAL)
        assert unknown.value.loc == ("body", "category") and unknown.value.status == 422
        assert "flying_saucers" not in unknown.value.rule  # the value sent is never echoed
        assert "domestic_violence" in unknown.value.rule  # the codes allowed are listed


# --- 2. coordinators are scoped ---------------------------------------------------------------


async def test_a_governorate_coordinator_reaches_only_its_governorate(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        amman = await new_forum(session, "AM-01")
        irbid = await new_forum(session, "IR-01", IRBID)
        await new_forum(session, "IR", IRBID, forum_type="coordination_council")
        with pytest.raises(RuleViolation) as elsewhere:
            await registry.register_forum(session, forum_in("AM-02"), IRBID)
        assert elsewhere.value.status == 403 and elsewhere.value.loc == ("body", "area_id")
        assert {f.area_id for f in await registry.list_fora(session, IRBID, None)} == {
            "IR", "IR-01"}  # fmt: skip
        for read in (
            registry.list_members(session, amman, IRBID),
            meetings.list_meetings(session, amman, IRBID),
            follow_up.list_concerns(session, amman, IRBID),
            follow_up.list_actions(session, amman, IRBID),
            follow_up.create_action(
                session, amman, ActionIn(title_en="x", title_ar="x", owner="police_liaison",
                                         due_on=TODAY), IRBID),  # fmt: skip
        ):
            with pytest.raises(RuleViolation) as hidden:
                await read
            assert hidden.value.status == 404
        assert await follow_up.list_concerns(session, irbid, IRBID) == []
        # An activity of an area alone: only inside the governorate.
        await outreach.record_activity(session, activity("IR-01", "training", "youth", 5), IRBID)
        with pytest.raises(RuleViolation) as outside:
            await outreach.record_activity(
                session, activity("AM-01", "training", "youth", 5), IRBID
            )
        assert outside.value.status == 403


async def test_a_station_coordinator_lists_only_its_stations_fora(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        await new_forum(session, "AM-01")
        own = await new_forum(session, "AM-01-S1", STATION, forum_type="community_police_forum")
        assert [f.forum_id for f in await registry.list_fora(session, STATION, None)] == [own]
        with pytest.raises(RuleViolation) as district:
            await registry.register_forum(session, forum_in("AM-01"), STATION)
        assert district.value.status == 403
        unknown = Principal(subject="x", roles=frozenset({"forum_coordinator"}), governorate="ZZ")
        with pytest.raises(RuleViolation) as nowhere:
            await registry.list_fora(session, unknown, None)
        assert nowhere.value.status == 403


# --- 4. vocabularies: meeting kinds, origins, audiences ---------------------------------------


async def test_a_public_consultation_with_no_members_is_not_a_failed_quorum(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        forum = await new_forum(session)
        consultation = await meetings.schedule(
            session, forum, MeetingIn(scheduled_for=TODAY, kind="public_consultation"), NATIONAL
        )
        held = await meetings.record_attendance(
            session, consultation["meeting_id"],
            AttendanceIn(held_on=TODAY, walk_ins=[{"count": 60, "group": "media"}]), NATIONAL,
        )  # fmt: skip
        assert held["quorum_met"] is None and held["attendance"]["groups"] == {"media": 60}
        event = await session.scalar(
            text("SELECT payload FROM outbox WHERE event_type = 'jisr.meeting.held.v1'")
        )
        assert '"quorum_applies":false' in event.replace(" ", "")
        assert '"kind":"public_consultation"' in event.replace(" ", "")
        regular = await meetings.schedule(session, forum, MeetingIn(scheduled_for=TODAY), NATIONAL)
        held = await meetings.record_attendance(
            session, regular["meeting_id"], AttendanceIn(held_on=TODAY), NATIONAL
        )
        assert held["quorum_met"] is False  # a regular meeting with no members fails
        figures = await health.forum_health_report(session, forum, NATIONAL, None, None, None)
        # The consultation is outreach: neither planned nor held as one of the forum's meetings.
        assert figures["meetings"]["planned"] == figures["meetings"]["held"] == 1
        follow = await meetings.schedule(
            session, forum, MeetingIn(scheduled_for=TODAY, kind="follow_up"), NATIONAL
        )
        assert follow["kind"] == "follow_up"


async def test_forum_origin_is_recorded_and_activities_report_by_audience_and_origin(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        iom = await new_forum(session, "AM-01", origin="programme_ngo", origin_programme="iom")
        police = await new_forum(session, "AM-02", origin="police")
        [listed] = await registry.list_fora(session, NATIONAL, None, "police")
        assert listed.forum_id == police and listed.origin == "police"
        outbox = await session.scalar(
            text("SELECT payload FROM outbox WHERE event_type = 'jisr.forum.registered.v1' "
                 "ORDER BY id LIMIT 1")
        )  # fmt: skip
        assert '"origin_programme":"iom"' in outbox.replace(" ", "")
        for body in (
            activity("AM-01", "workshop", "police_officers", 30, iom),
            activity("AM-02", "training", "police_officers", 20, police),
            activity("AM-02", "awareness_campaign", "parents", 50),
        ):
            await outreach.record_activity(session, body, NATIONAL)
        report = await outreach.report(session, "AM", TODAY, TODAY, NATIONAL)
        assert report["by_kind"] == {"awareness_campaign": 1, "training": 1, "workshop": 1}
        assert report["by_audience"] == {"parents": 1, "police_officers": 2}
        assert report["by_origin"] == {"no_forum": 1, "police": 1, "programme_ngo": 1}
        assert report["participants_by_origin"] == {"no_forum": 50, "police": 20,
                                                    "programme_ngo": 30}  # fmt: skip
        assert report["participants_by_audience"] == {"parents": 50, "police_officers": 50}


def test_codes_outside_the_vocabulary_are_refused_naming_the_field():
    with pytest.raises(ValueError) as refused:
        ActivityIn.model_validate(
            {"kind": "juggling", "audience": "youth", "area_id": "AM", "title_en": "x",
             "title_ar": "x", "held_on": "2026-01-01", "participants": [{"count": 1}],
             "direct_beneficiaries": 1}
        )  # fmt: skip
    [error] = refused.value.errors()
    assert error["loc"] == ("kind",) and "workshop" in error["msg"]
    with pytest.raises(ValueError):
        ForumIn.model_validate(forum_in().model_dump() | {"origin": "aliens"})
    with pytest.raises(RuleViolation) as programme:
        check_origin("police", "iom")
    assert programme.value.loc == ("body", "origin_programme")


# --- 8. follow-up meetings --------------------------------------------------------------------


async def test_a_follow_up_meeting_lists_reviewed_actions_their_progress_and_closures(rollback):
    sessions = await rollback("fora")
    day = TODAY - timedelta(days=20)
    async with sessions() as session, session.begin():
        forum = await new_forum(session)
        other_forum = await new_forum(session, "AM-02")
        first = await meetings.schedule(session, forum, MeetingIn(scheduled_for=day), NATIONAL)
        await meetings.record_attendance(
            session, first["meeting_id"], AttendanceIn(held_on=day), NATIONAL
        )
        concern = await follow_up.raise_concern(
            session, forum,
            ConcernIn(category="street_lighting", raised_by_group="parents",
                      meeting_id=first["meeting_id"]), NATIONAL,
        )  # fmt: skip

        async def action(due: date, forum_id=forum, created=day, **extra):
            body = ActionIn(title_en="Fix", title_ar="إصلاح", owner="municipality", due_on=due,
                            created_on=created, **extra)  # fmt: skip
            return (await follow_up.create_action(session, forum_id, body, NATIONAL))["action_id"]

        lights = await action(TODAY - timedelta(days=5), concern_id=concern["concern_id"])
        patrols = await action(TODAY + timedelta(days=10))
        signs = await action(TODAY - timedelta(days=2))
        stranger = await action(TODAY, other_forum)
        await follow_up.action_progress(
            session, lights,
            ActionProgressIn(status="in_progress", on=day + timedelta(days=5)), NATIONAL,
        )  # fmt: skip

        review_day = TODAY - timedelta(days=1)
        follow = await meetings.schedule(
            session, forum, MeetingIn(scheduled_for=review_day, kind="follow_up"), NATIONAL
        )
        follow_id = follow["meeting_id"]
        # Progress reported at the follow-up meeting: the meeting reviewed it.
        await follow_up.action_progress(
            session, lights,
            ActionProgressIn(status="done", note="lamps fixed", on=review_day,
                             meeting_id=follow_id), NATIONAL,
        )  # fmt: skip
        await meetings.review_actions(session, follow_id, ReviewIn(action_ids=[patrols, signs]),
                                      NATIONAL)  # fmt: skip
        with pytest.raises(RuleViolation) as foreign:
            await meetings.review_actions(session, follow_id, ReviewIn(action_ids=[stranger]),
                                          NATIONAL)  # fmt: skip
        assert foreign.value.loc == ("body", "action_ids", 0)
        await meetings.record_attendance(
            session, follow_id, AttendanceIn(held_on=review_day), NATIONAL
        )

        report = await meetings.closing_report(session, follow_id, NATIONAL)
        reviewed = {r["action_id"]: r for r in report["actions_reviewed"]}
        assert set(reviewed) == {lights, patrols, signs}
        done = reviewed[lights]
        assert (done["status_before"], done["status_at_review"], done["closed"]) == (
            "open", "done", True)  # fmt: skip
        assert [n["to_status"] for n in done["progress_since"]] == ["in_progress", "done"]
        assert reviewed[signs]["overdue"] and not reviewed[patrols]["overdue"]
        assert report["review_counts"] == {
            "reviewed": 3, "closed": 1, "progressed": 1, "still_open": 2, "overdue": 1,
            "by_status": {"done": 1, "open": 2},
        }  # fmt: skip
        assert [a.action_id for a in (await meetings.closing_report(
            session, first["meeting_id"], NATIONAL))["actions_agreed"]] == [lights]  # fmt: skip

        # The next follow-up shows only what moved since this one.
        later = await meetings.schedule(
            session, forum, MeetingIn(scheduled_for=TODAY, kind="follow_up"), NATIONAL
        )
        await follow_up.action_progress(
            session, patrols,
            ActionProgressIn(status="blocked", on=TODAY, meeting_id=later["meeting_id"]), NATIONAL,
        )  # fmt: skip
        seen = await meetings.reviews(session, later["meeting_id"], NATIONAL)
        [again] = seen["actions"]
        assert again["previously_reviewed_on"] == review_day
        assert (again["status_before"], again["status_at_review"]) == ("open", "blocked")
        assert [n["to_status"] for n in again["progress_since"]] == ["blocked"]


# --- 9. one agenda item per rise --------------------------------------------------------------


def alert(iccs_code: str, method: str, week: date) -> BaselineAlertRaised:
    return BaselineAlertRaised(
        alert_id=uuid4(), area_level="district", area_id="AM-01", iccs_code=iccs_code,
        week_start=week, observed=14, expected=5.2, upper_limit=9.8, score=3.1, method=method,
        raised_at=datetime.now(UTC),
    )  # fmt: skip


async def test_one_rise_is_one_agenda_item_whatever_the_methods_and_levels(rollback):
    sessions = await rollback("fora")
    week = TODAY - timedelta(days=TODAY.weekday() + 7)
    async with sessions() as session, session.begin():
        district = await new_forum(session, "AM-01")
        governorate = await new_forum(session, "AM", forum_type="coordination_council")
        meeting = await meetings.schedule(session, district, MeetingIn(scheduled_for=TODAY),
                                          NATIONAL)  # fmt: skip
        rise = [
            alert(code, method, week)
            for code in ("05", "0501")
            for method in ("farrington_flexible", "ewma")
        ]
        added = [await alerts.propose_alert(session, a) for a in rise]
        assert added == [2, 0, 0, 0]  # one item in each covering forum, from the first alert
        items = (await session.execute(text(
            "SELECT forum_id, meeting_id, details FROM agenda_items ORDER BY forum_id"
        ))).all()  # fmt: skip
        assert sorted(str(i.forum_id) for i in items) == sorted(
            str(f) for f in (district, governorate))  # fmt: skip
        on_meeting = next(i for i in items if i.forum_id == district)
        assert on_meeting.meeting_id == meeting["meeting_id"]
        assert {(a["iccs_code"], a["method"]) for a in on_meeting.details["alerts"]} == {
            (a.iccs_code, a.method) for a in rise}  # fmt: skip
        # The same alert again (a replay) changes nothing.
        assert await alerts.propose_alert(session, rise[0]) == 0

        # Discussed, but a method still flags the rise: a late alert joins the same item.
        await meetings.record_attendance(session, meeting["meeting_id"], AttendanceIn(
            held_on=TODAY), NATIONAL)  # fmt: skip
        late = alert("0501", "historical_limits", week + timedelta(days=7))
        assert await alerts.propose_alert(session, late) == 0
        # Every alert cleared and the item discussed: the episode is over; a new rise is new.
        cleared = [
            new_envelope(BaselineAlertCleared(**a.model_dump(exclude={"raised_at"}),
                                              cleared_at=datetime.now(UTC)), source="test")
            for a in [*rise, late]
        ]  # fmt: skip
        await alerts.apply_alert_events(session, cleared)
        assert await alerts.propose_alert(session, alert("0502", "ewma", week)) == 1
        count = await session.scalar(text("SELECT count(*) FROM agenda_items"))
        assert count == 3  # the district's new item; the council's first one was still pending


# --- 10. reports within the reader's scope ---------------------------------------------------


async def test_a_station_officer_reads_only_its_own_areas_activities(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        own = await new_forum(session, "AM-01-S1", forum_type="community_police_forum")
        await outreach.record_activity(
            session, activity("AM-01-S1", "training", "youth", 12, own), NATIONAL
        )
        await outreach.record_activity(session, activity("AM-01-S2", "workshop", "youth", 40),
                                       NATIONAL)  # fmt: skip
        await outreach.record_activity(session, activity("AM-02", "workshop", "youth", 7),
                                       NATIONAL)  # fmt: skip
        with pytest.raises(RuleViolation) as other:
            await outreach.report(session, "AM-02", TODAY, TODAY, OFFICER)
        assert other.value.status == 403 and other.value.loc == ("query", "area_id")
        mine = await outreach.report(session, "AM", TODAY, TODAY, OFFICER)
        assert mine["activities"] == 1 and mine["participants"] == 12  # not AM-01-S2, AM-02
        everything = await outreach.report(session, "AM", TODAY, TODAY, NATIONAL)
        assert everything["participants"] == 59
        with pytest.raises(RuleViolation) as health_elsewhere:
            await health.area_health_report(session, "IR", OFFICER, None, None, None, 0.3)
        assert health_elsewhere.value.status == 403
