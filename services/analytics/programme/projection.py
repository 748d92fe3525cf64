"""The fora consumer's effect on the programme read models. Each handler takes the envelope:
a restated figure keeps the latest by event time, then event id (the envelope's), so a
redelivery or an older restatement arriving late changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.envelope import Envelope
from libs.contracts.fora import (
    ActivityRecorded,
    ForumMembershipCounted,
    ForumRegistered,
    PlanIndicatorValued,
    SaraCaseAssessed,
    SaraCaseOpened,
    SaraStageChanged,
)

from ..domain.areas import area_columns
from ..domain.programme import gender_counts, period_start
from . import repository


async def _registered(session: AsyncSession, env: Envelope, e: ForumRegistered) -> None:
    await repository.insert_origin(
        session,
        {"forum_id": e.forum_id, "origin": e.origin, "origin_programme": e.origin_programme},
    )


async def _activity(session: AsyncSession, env: Envelope, e: ActivityRecorded) -> None:
    await repository.upsert_latest(
        session,
        "programme_activities",
        ["activity_id"],
        {
            "activity_id": e.activity_id,
            "forum_id": e.forum_id,
            "area_id": e.area_id,
            **area_columns(e.area_id),
            "kind": e.kind,
            "audience": e.audience,
            "held_on": e.held_on,
            "participants": e.participants,
            **gender_counts((p.gender, p.count) for p in e.participants_by_gender),
            "direct_beneficiaries": e.direct_beneficiaries,
            "indirect_beneficiaries": e.indirect_beneficiaries,
            "event_time": env.time,
            "event_id": env.id,
        },
        ("event_time", "event_id"),
    )


async def _membership(session: AsyncSession, env: Envelope, e: ForumMembershipCounted) -> None:
    cells: dict[tuple[str, str], int] = {}
    for c in e.by_group_and_gender:  # a group and gender listed twice add up
        cells[(c.group, c.gender)] = cells.get((c.group, c.gender), 0) + c.members
    await repository.insert_membership(
        session,
        {
            "event_id": env.id,
            "forum_id": e.forum_id,
            "members": e.members,
            "counted_at": e.counted_at,
        },
        [
            {"event_id": env.id, "group_code": g, "gender": gender, "members": n}
            for (g, gender), n in sorted(cells.items())
        ],
    )


async def _indicator(session: AsyncSession, env: Envelope, e: PlanIndicatorValued) -> None:
    await repository.upsert_latest(
        session,
        "plan_indicator_values",
        ["indicator_id", "period"],
        {
            "indicator_id": e.indicator_id,
            "period": e.period,
            "period_start": period_start(e.period),
            "plan_id": e.plan_id,
            "forum_id": e.forum_id,
            "area_id": e.area_id,
            **area_columns(e.area_id),
            "source": e.source,
            "origin": e.origin,
            "iccs_code": e.iccs_code,
            "item": e.item,
            "value": e.value,
            "rating": e.rating,
            "baseline": e.baseline,
            "target": e.target,
            "status": e.status,
            "as_of": e.as_of,
            "recorded_at": e.recorded_at,
            "event_id": env.id,
        },
        ("recorded_at", "event_id"),
    )


async def _case_opened(session: AsyncSession, env: Envelope, e: SaraCaseOpened) -> None:
    await repository.insert_case(
        session,
        {
            "case_id": e.case_id,
            "forum_id": e.forum_id,
            "area_level": e.area_level,
            "area_id": e.area_id,
            **area_columns(e.area_id),
            "iccs_code": e.iccs_code,
            "comparison_area_id": e.comparison_area_id,
            "linked_incidents": e.linked_incidents,
            "opened_at": e.opened_at,
        },
    )


async def _stage(session: AsyncSession, env: Envelope, e: SaraStageChanged) -> None:
    await repository.upsert_latest(
        session,
        "sara_stages",
        ["case_id"],
        {"case_id": e.case_id, "stage": e.to_stage, "changed_at": e.changed_at, "event_id": env.id},
        ("changed_at", "event_id"),
    )


async def _assessed(session: AsyncSession, env: Envelope, e: SaraCaseAssessed) -> None:
    values = e.model_dump(
        include={
            "case_id", "forum_id", "interventions_planned", "interventions_as_planned",
            "before_from", "before_to", "after_from", "after_to", "treated_before",
            "treated_after", "comparison_before", "comparison_after", "wdd", "wdd_p",
            "etest_p", "impact", "displacement", "assessed_at",
        }
    )  # fmt: skip
    await repository.upsert_latest(
        session,
        "sara_assessments",
        ["case_id"],
        values | {"event_id": env.id},
        ("assessed_at", "event_id"),
    )


HANDLERS: dict[type, Callable[[AsyncSession, Envelope, Any], Awaitable[None]]] = {
    ForumRegistered: _registered,
    ActivityRecorded: _activity,
    ForumMembershipCounted: _membership,
    PlanIndicatorValued: _indicator,
    SaraCaseOpened: _case_opened,
    SaraStageChanged: _stage,
    SaraCaseAssessed: _assessed,
}


async def apply_programme_event(session: AsyncSession, env: Envelope) -> None:
    """Project one fora event if it is programme work (forum.registered: its origin only)."""
    handler = HANDLERS.get(type(env.data))
    if handler is not None:
        await handler(session, env, env.data)
