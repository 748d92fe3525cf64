"""The programme projections on a rollback session: idempotent, latest-wins by event time
then id whatever order events arrive in, and the views read back what was projected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.contracts.envelope import new_envelope
from libs.contracts.fora import (
    ActivityParticipants,
    ActivityRecorded,
    ForumMembershipCounted,
    ForumRegistered,
    MembershipCount,
    PlanIndicatorValued,
    SaraStageChanged,
)
from services.analytics.application.views import load_view
from services.analytics.domain import programme
from services.analytics.engagement.projection import apply_fora_events
from services.analytics.tables import plan_indicator_values, programme_activities, sara_stages

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
ANALYST = Principal("test:analyst", frozenset({"ministry_analyst"}))
STATION = Principal("test:station", frozenset({"station_officer"}), station_id="AM-01-S2")
PERIOD = {"start": "2026-01-01", "end": "2026-06-15"}


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02}:00:00+00:00")


def env(event, time: datetime, event_id: UUID | None = None):
    e = new_envelope(event, source="test", time=time)
    return e if event_id is None else replace(e, id=event_id)


def forum(station: str, origin: str | None = "police") -> ForumRegistered:
    return ForumRegistered(
        forum_id=uuid4(),
        forum_type="community_police_forum",
        level="station",
        area_code=station,
        station_id=station,
        registered_at=at("2026-01-02"),
        origin=origin,
    )


def activity(activity_id, forum_id, women: int, men: int, kind="training") -> ActivityRecorded:
    return ActivityRecorded(
        activity_id=activity_id,
        forum_id=forum_id,
        area_id="AM-01-S1",
        kind=kind,
        audience="youth",
        held_on=date(2026, 5, 3),
        participants=women + men,
        participants_by_gender=[
            ActivityParticipants(gender="female", count=women),
            ActivityParticipants(gender="male", count=men),
        ],
        direct_beneficiaries=women + men,
        indirect_beneficiaries=3 * (women + men),
    )


async def test_an_activity_recorded_again_keeps_the_latest_whatever_the_order(rollback):
    sessions = await rollback("analytics")
    f = forum("AM-01-S1")
    aid = uuid4()
    first = env(activity(aid, f.forum_id, 4, 6), at("2026-05-03", 10))
    later = env(activity(aid, f.forum_id, 9, 1), at("2026-05-04", 10))
    async with sessions() as session, session.begin():
        await apply_fora_events(session, [env(f, at("2026-01-02"))])
        await apply_fora_events(session, [later, first, later])  # older late; a redelivery
    async with sessions() as session:
        [row] = (await session.execute(select(programme_activities))).all()
        view = await load_view(session, "outreach", ANALYST, None, **PERIOD, now=NOW)
    assert (row.women, row.men, row.event_id) == (9, 1, later.id)
    s = view["summary"]
    assert (s["activities"], s["trainings"], s["women_participants"]) == (1, 1, 9)
    assert view["tables"]["by_origin"][0]["origin"] == "police"
    assert s["indirect_beneficiaries"] == 30


async def test_same_time_restatements_are_decided_by_event_id(rollback):
    sessions = await rollback("analytics")
    indicator, when = uuid4(), at("2026-04-01")

    def valued(value: float) -> PlanIndicatorValued:
        return PlanIndicatorValued(
            plan_id=uuid4(), area_id="AM-01", indicator_id=indicator, source="manual",
            origin="manual", period="2026-Q2", value=value, baseline=10.0, target=5.0,
            status="on_track", recorded_at=when,
        )  # fmt: skip

    low = env(valued(8.0), when, UUID(int=1))
    high = env(valued(7.0), when, UUID(int=2))
    async with sessions() as session, session.begin():
        await apply_fora_events(session, [high, low])
    async with sessions() as session:
        [row] = (await session.execute(select(plan_indicator_values))).all()
    assert (row.value, row.period_start) == (7.0, date(2026, 4, 1))


async def test_a_stage_change_read_before_its_case_still_wins_by_time(rollback):
    sessions = await rollback("analytics")
    case, fid = uuid4(), uuid4()

    def stage(to: str, day: str) -> SaraStageChanged:
        return SaraStageChanged(
            forum_id=fid, case_id=case, from_stage="scanning", to_stage=to, changed_at=at(day)
        )

    async with sessions() as session, session.begin():
        await apply_fora_events(session, [env(stage("response", "2026-03-01"), NOW)])
        await apply_fora_events(session, [env(stage("analysis", "2026-02-01"), NOW)])
    async with sessions() as session:
        [row] = (await session.execute(select(sara_stages))).all()
    assert row.stage == "response"


async def test_membership_is_the_latest_count_as_of_the_period_end(rollback):
    sessions = await rollback("analytics")
    mine, other = forum("AM-01-S2"), forum("AM-01-S1", origin=None)

    def counted(f, women: int, men: int, day: str) -> ForumMembershipCounted:
        return ForumMembershipCounted(
            forum_id=f.forum_id,
            members=women + men,
            by_group_and_gender=[
                MembershipCount(group="youth", gender="female", members=women),
                MembershipCount(group="youth", gender="male", members=men),
            ],
            counted_at=at(day),
        )

    async with sessions() as session, session.begin():
        await apply_fora_events(session, [env(mine, NOW), env(other, NOW)])
        batch = [
            env(counted(mine, 1, 5, "2026-02-01"), NOW),
            env(counted(mine, 4, 4, "2026-05-01"), NOW),
            env(counted(other, 2, 2, "2026-03-01"), NOW),
        ]
        await apply_fora_events(session, batch + batch[:1])
    async with sessions() as session:
        now = await load_view(session, "membership", ANALYST, None, **PERIOD, now=NOW)
        march = await load_view(
            session, "membership", ANALYST, None, start="2026-01-01", end="2026-03-31", now=NOW
        )
        theirs = await load_view(session, "membership", STATION, None, **PERIOD, now=NOW)
        with pytest.raises(RuleViolation) as wider:
            await load_view(session, "membership", STATION, None, area="AM", now=NOW)
    assert (now["summary"]["members"], now["summary"]["women_members"]) == (12, 6)
    assert now["summary"]["women_member_share"] == 0.5
    assert now["summary"]["fora_meeting_target"] == 2
    assert (march["summary"]["members"], march["summary"]["women_members"]) == (10, 3)
    assert march["summary"]["fora_meeting_target"] == 1  # 1 of 6 is under a third
    assert theirs["summary"]["members"] == 8 and theirs["scope"]["who"] == "station"
    assert wider.value.status == 403


def value(period: str, v: float | None, baseline=10.0, target=5.0, source="manual"):
    return programme.IndicatorValue(
        plan_id=1, indicator_id=1, area_id="AM-01", source=source, origin="manual",
        measure=None, period=period, period_start=programme.period_start(period), value=v,
        rating=None, baseline=baseline, target=target, status="on_track", as_of=None,
    )  # fmt: skip


def test_periods_and_trends() -> None:
    assert programme.period_start("2026-Q3") == date(2026, 7, 1)
    assert programme.period_start("2026-11") == date(2026, 11, 1)
    down = [value("2026-Q1", 9.0), value("2026-Q2", 8.0)]
    assert programme.trend(down) == "improving"  # towards a lower target
    assert programme.trend([value("2026-Q1", 8.0), value("2026-Q2", 9.0)]) == "worsening"
    assert programme.trend([value("2026-Q1", 8.0), value("2026-Q2", 8.0)]) == "steady"
    assert programme.trend(down[:1]) == "first_value"
    assert programme.trend([value("2026-Q1", None)]) == "no_trend"
    no_target = [value("2026-Q1", 1.0, target=None), value("2026-Q2", 2.0, target=None)]
    assert programme.trend(no_target) == "up"


def test_the_one_third_target() -> None:
    assert programme.meets_target(1, 3) is True
    assert programme.meets_target(1, 4) is False
    assert programme.meets_target(0, 0) is None
    assert programme.origin_of(None, "police") == programme.NO_FORUM
    assert programme.origin_of(uuid4(), None) == programme.UNKNOWN_ORIGIN
