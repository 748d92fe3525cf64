"""Community safety plans: goals, outcomes, indicators, and progress each period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation

from ..domain import plans as rules
from ..repositories import plans
from ..schemas import GoalIn, PlanIn, PlanProgressIn
from .scope import check_forum_and_area, load_forum


def _today() -> date:
    return datetime.now(UTC).date()


def _with_ids(goals: Sequence[GoalIn]) -> list[dict[str, Any]]:
    """The plan's tree, each indicator given the id progress is recorded against."""
    tree = [g.model_dump() for g in goals]
    for goal in tree:
        for outcome in goal["outcomes"]:
            for indicator in outcome["indicators"]:
                indicator["indicator_id"] = str(uuid7())
    return tree


async def adopt(session: AsyncSession, body: PlanIn, principal: Principal) -> dict[str, Any]:
    await check_forum_and_area(session, body.forum_id, body.area_id, principal)
    rules.check_period(body.period_start, body.period_end)
    row = {
        "plan_id": uuid7(), "forum_id": body.forum_id, "area_id": body.area_id,
        "title_en": body.title_en, "title_ar": body.title_ar,
        "period_start": body.period_start, "period_end": body.period_end,
        "goals": _with_ids(body.goals), "adopted_on": _today(),
    }  # fmt: skip
    await plans.add(session, row)
    return row


async def _plan(session: AsyncSession, plan_id: UUID, principal: Principal) -> Row[Any]:
    """The plan, if its forum (a plan of an area alone: any) is in the principal's scope."""
    plan = await plans.plan(session, plan_id)
    if plan is None:
        raise RuleViolation.not_found(f"no plan {plan_id}")
    if plan.forum_id is not None:
        await load_forum(session, plan.forum_id, principal)
    return plan


async def record_progress(
    session: AsyncSession, plan_id: UUID, body: PlanProgressIn, principal: Principal
) -> dict[str, Any]:
    """Record a period's indicator values (again: replaced); returns the plan as it now is."""
    plan = await _plan(session, plan_id, principal)
    indicators = rules.indicators(plan.goals)
    recorded_on = body.recorded_on or _today()
    for i, v in enumerate(body.values):
        rules.check_value(indicators.get(str(v.indicator_id)), i, v.value, v.rating)
        await plans.record(
            session, plan_id, body.period, recorded_on, v.indicator_id, v.value, v.rating, v.note
        )
    return await plan_with_progress(session, plan_id, principal, None)


async def plan_with_progress(
    session: AsyncSession, plan_id: UUID, principal: Principal, on: date | None
) -> dict[str, Any]:
    """The plan with each indicator's latest value, its progress and status on `on` (default
    today), and its history."""
    plan = await _plan(session, plan_id, principal)
    rows = await plans.progress(session, plan_id)
    elapsed = rules.elapsed_share(plan.period_start, plan.period_end, on or _today())
    latest = {str(r.indicator_id): r for r in rows}  # ordered by period: the last one wins
    goals = plan.goals
    for indicator in rules.indicators(goals).values():
        row = latest.get(indicator["indicator_id"])
        result = rules.indicator_progress(
            indicator["source"]["kind"], indicator["baseline"], indicator["target"],
            row.value if row else None, row.rating if row else None, elapsed,
        )  # fmt: skip
        indicator["latest"] = (
            {"period": row.period, "value": row.value, "rating": row.rating} if row else None
        )
        indicator["progress"] = result.progress
        indicator["status"] = result.status
        indicator["history"] = [
            {"period": r.period, "value": r.value, "rating": r.rating}
            for r in rows
            if str(r.indicator_id) == indicator["indicator_id"]
        ]
    return {**plan._asdict(), "goals": goals, "elapsed_share": round(elapsed, 4)}
