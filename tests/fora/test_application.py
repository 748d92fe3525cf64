"""The fora use cases run on a rolled-back session: no service, no lifespan, no Kafka. They
show the seam: an application function takes the open session and leaves committing to the
caller, so a test can look at the rows and the outbox before everything is undone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from services.fora.application import follow_up, meetings, registry
from services.fora.schemas import (
    ActionIn,
    ActionProgressIn,
    AttendanceIn,
    ConcernIn,
    ForumIn,
    MeetingIn,
)

COORDINATOR = Principal(subject="coordinator-1", roles=frozenset({"forum_coordinator"}))
TODAY = datetime.now(UTC).date()


def forum_in(area_id: str = "AM-01", **extra) -> ForumIn:
    body = {
        "forum_type": "local_security_council",
        "area_id": area_id,
        "name_en": f"{area_id} council",
        "name_ar": f"مجلس {area_id}",
    }
    return ForumIn.model_validate(body | extra)


async def outbox_types(session) -> list[str]:
    rows = await session.execute(text("SELECT event_type FROM outbox ORDER BY id"))
    return [r.event_type for r in rows]


async def test_register_a_forum_and_raise_a_concern(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        forum = await registry.register_forum(session, forum_in(), COORDINATOR)
        assert forum["level"] == "district" and forum["station_id"] is None
        raised = await follow_up.raise_concern(
            session,
            forum["forum_id"],
            ConcernIn(category="street_lighting", raised_by_group="youth"),
            COORDINATOR,
        )
        assert raised["area_id"] == "AM-01" and raised["raised_on"] == TODAY
        [concern] = await follow_up.list_concerns(session, forum["forum_id"], COORDINATOR)
        assert concern.category == "street_lighting"
        # One transaction's events, each staged by the one publish.
        assert await outbox_types(session) == [
            "jisr.forum.registered.v1",
            "jisr.concern.raised.v1",
            "jisr.forum.health_changed.v1",
        ]


async def test_a_broken_rule_names_the_field_and_writes_nothing(rollback):
    sessions = await rollback("fora")
    async with sessions() as session:
        with pytest.raises(RuleViolation) as refused:
            async with session.begin():
                await registry.register_forum(
                    session, forum_in(forum_type="coordination_council", area_id="AM-01-S1"),
                    COORDINATOR,
                )  # fmt: skip
        assert refused.value.loc == ("body", "area_id") and refused.value.status == 422
        assert await session.scalar(text("SELECT count(*) FROM fora")) == 0


async def test_a_station_token_does_not_see_another_stations_forum(rollback):
    sessions = await rollback("fora")
    elsewhere = Principal(
        subject="officer", roles=frozenset({"station_officer"}), station_id="AM-01-S2"
    )
    async with sessions() as session, session.begin():
        forum = await registry.register_forum(session, forum_in("AM-01-S1"), COORDINATOR)
        with pytest.raises(RuleViolation) as missing:
            await follow_up.list_concerns(session, forum["forum_id"], elsewhere)
        assert missing.value.status == 404
        assert await registry.list_fora(session, elsewhere, None) == []


async def test_attendance_then_an_action_done_late(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        forum = await registry.register_forum(session, forum_in(), COORDINATOR)
        meeting = await meetings.schedule(
            session, forum["forum_id"], MeetingIn(scheduled_for=TODAY), COORDINATOR
        )
        held = await meetings.record_attendance(
            session,
            meeting["meeting_id"],
            AttendanceIn(held_on=TODAY, walk_ins=[{"count": 3, "gender": "female"}]),
            COORDINATOR,
        )
        assert held["attendance"]["women"] == 3 and held["quorum_met"] is False
        with pytest.raises(RuleViolation, match="recorded once"):
            await meetings.record_attendance(
                session, meeting["meeting_id"], AttendanceIn(held_on=TODAY), COORDINATOR
            )
        due = TODAY - timedelta(days=3)
        action = await follow_up.create_action(
            session,
            forum["forum_id"],
            ActionIn(title_en="Lights", title_ar="إنارة", owner="municipality", due_on=due,
                     created_on=due - timedelta(days=7)),
            COORDINATOR,
        )  # fmt: skip
        done = await follow_up.action_progress(
            session, action["action_id"], ActionProgressIn(status="done"), COORDINATOR
        )
        assert done["closed_on"] == TODAY
        with pytest.raises(RuleViolation, match="allowed") as illegal:
            await follow_up.action_progress(
                session, action["action_id"], ActionProgressIn(status="dropped"), COORDINATOR
            )
        assert illegal.value.loc == ("body", "status")


async def test_overdue_actions_are_claimed_once(rollback):
    sessions = await rollback("fora")
    async with sessions() as session, session.begin():
        forum = await registry.register_forum(session, forum_in(), COORDINATOR)
        due = date(2026, 1, 10)
        await follow_up.create_action(
            session,
            forum["forum_id"],
            ActionIn(title_en="x", title_ar="x", owner="police_liaison", due_on=due,
                     created_on=date(2026, 1, 1)),
            COORDINATOR,
        )  # fmt: skip
        assert await follow_up.publish_overdue(session, date(2026, 1, 20)) == 1
        assert await follow_up.publish_overdue(session, date(2026, 1, 21)) == 0
        assert (await outbox_types(session)).count("jisr.action.overdue.v1") == 1
