"""Community safety plans: goals, outcomes, indicators, and progress each period.

An indicator tied to an incidents baseline series or a survey item computes itself: its
baseline and current value are fetched (incidents' API, between transactions; the area's
published survey waves), each with the day it is as of. Manual and qualitative indicators are
typed in and marked as manual. Every value recorded, typed or computed, is published as
`plan.indicator_valued`.
"""

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
from libs.chassis.outbox import publish
from libs.contracts.fora import PlanIndicatorValued
from libs.reference import load_reference

from ..domain import plans as rules
from ..domain.areas import UnknownArea, known_level
from ..incidents_client import IncidentsClient, answered
from ..repositories import plans
from ..schemas import PlanIn, PlanProgressIn
from . import surveys
from .scope import check_forum_and_area, check_record

#: incidents figures of a plan's indicators: indicator id (or its position) -> weekly series
Series = dict[str, dict[str, Any]]


def _today() -> date:
    return datetime.now(UTC).date()


def _paths(body: PlanIn) -> list[tuple[tuple[str | int, ...], Any]]:
    """(the request path of each indicator, the indicator), in the plan's order."""
    return [
        (("goals", g, "outcomes", o, "indicators", i), indicator)
        for g, goal in enumerate(body.goals)
        for o, outcome in enumerate(goal.outcomes)
        for i, indicator in enumerate(outcome.indicators)
    ]


# --- adopting: check the sources, fetch the incidents baselines, write ------------------------


async def check_plan(session: AsyncSession, body: PlanIn, principal: Principal) -> None:
    """Before incidents is asked: the plan in the principal's scope, its period, and every
    indicator's source (a known area, an ICCS code, an item of a known instrument)."""
    await check_forum_and_area(session, body.forum_id, body.area_id, principal)
    rules.check_period(body.period_start, body.period_end)
    reference = load_reference()
    for path, indicator in _paths(body):
        source = indicator.source
        rules.check_indicator(path, source.kind, indicator.baseline)
        if source.kind not in rules.COMPUTED:
            continue
        area = source.area_id or body.area_id
        try:
            known_level(reference, area)
        except (UnknownArea, RuleViolation) as exc:
            raise RuleViolation((*path, "source", "area_id"), "not a known area") from exc
        if source.kind == "incidents_baseline":
            if not reference.is_valid_iccs(source.iccs_code or ""):
                raise RuleViolation((*path, "source", "iccs_code"), "not an ICCS code")
            rules.baseline_window(body.period_start, source.baseline_from, source.baseline_to)
        else:
            asked = await surveys.instrument(
                session, source.instrument, None, (*path, "source", "instrument")
            )
            if asked.item(source.item or "") is None:
                raise RuleViolation(
                    (*path, "source", "item"),
                    f"not an item of instrument {asked.code}: {list(asked.item_codes)}",
                )


async def fetch_baselines(incidents: IncidentsClient, body: PlanIn) -> Series:
    """Each incidents indicator's series over its baseline window, by position."""
    fetched: Series = {}
    for n, (_, indicator) in enumerate(_paths(body)):
        source = indicator.source
        if source.kind == "incidents_baseline":
            start, end = rules.baseline_window(
                body.period_start, source.baseline_from, source.baseline_to
            )
            fetched[str(n)] = await answered(
                incidents.series(source.area_id, source.iccs_code, start, end)
            )
    return fetched


async def adopt(
    session: AsyncSession, body: PlanIn, principal: Principal, baselines: Series
) -> dict[str, Any]:
    await check_plan(session, body, principal)
    tree = [g.model_dump(mode="json") for g in body.goals]
    n = 0
    for goal in tree:
        for outcome in goal["outcomes"]:
            for indicator in outcome["indicators"]:
                indicator["indicator_id"] = str(uuid7())
                source = indicator["source"]
                kind = source["kind"]
                indicator["origin"] = "computed" if kind in rules.COMPUTED else "manual"
                indicator["baseline_as_of"] = None
                if kind == "survey_item":
                    source["area_id"] = source["area_id"] or body.area_id
                if kind == "incidents_baseline":
                    start, end = rules.baseline_window(
                        body.period_start,
                        date.fromisoformat(source["baseline_from"])
                        if source["baseline_from"]
                        else None,
                        date.fromisoformat(source["baseline_to"])
                        if source["baseline_to"]
                        else None,
                    )
                    source["baseline_from"], source["baseline_to"] = (
                        start.isoformat(),
                        end.isoformat(),
                    )
                    figure = rules.weekly_mean(baselines[str(n)], start, end)
                    indicator["baseline"] = figure.value
                    indicator["baseline_as_of"] = figure.as_of and figure.as_of.isoformat()
                n += 1
    row = {
        "plan_id": uuid7(), "forum_id": body.forum_id, "area_id": body.area_id,
        "title_en": body.title_en, "title_ar": body.title_ar,
        "period_start": body.period_start, "period_end": body.period_end,
        "goals": tree, "adopted_on": _today(),
    }  # fmt: skip
    await plans.add(session, row)
    return row


# --- reading: fetch the current figures, then compute ----------------------------------------


async def _plan(session: AsyncSession, plan_id: UUID, principal: Principal | None) -> Row[Any]:
    """The plan, if its forum (a plan of an area alone: any) is in the principal's scope; the
    public page (no principal) reaches every plan."""
    plan = await plans.plan(session, plan_id)
    if plan is None:
        raise RuleViolation.not_found(f"no plan {plan_id}")
    if principal is not None:
        await check_record(session, plan.forum_id, plan.area_id, principal, "plan", plan_id)
    return plan


async def plan_to_read(
    session: AsyncSession, plan_id: UUID, principal: Principal | None
) -> dict[str, Any]:
    return (await _plan(session, plan_id, principal))._asdict()


async def fetch_current(incidents: IncidentsClient, plan: dict[str, Any], on: date) -> Series:
    """Each incidents indicator's series from its baseline window to `on`, by indicator id."""
    fetched: Series = {}
    for indicator in rules.indicators(plan["goals"]).values():
        source = indicator["source"]
        if source["kind"] == "incidents_baseline":
            fetched[indicator["indicator_id"]] = await answered(
                incidents.series(
                    source["area_id"], source["iccs_code"],
                    date.fromisoformat(source["baseline_from"]), min(on, plan["period_end"]),
                )
            )  # fmt: skip
    return fetched


async def _computed(
    session: AsyncSession, plan: Row[Any], indicator: dict[str, Any], series: Series, on: date
) -> tuple[rules.Figure, rules.Figure, list[dict[str, Any]]]:
    """(baseline, current, trend) of a computed indicator."""
    source = indicator["source"]
    if source["kind"] == "incidents_baseline":
        data = series.get(indicator["indicator_id"], {})
        window_start = date.fromisoformat(source["baseline_from"])
        until = min(on, plan.period_end)
        current = rules.weekly_mean(data, plan.period_start, until)
        as_of = indicator.get("baseline_as_of")
        baseline = rules.Figure(indicator["baseline"], as_of and date.fromisoformat(as_of))
        return baseline, current, rules.quarterly_trend(data, window_start, until)
    shares = await surveys.published_shares(session, source["area_id"], source["item"])
    return rules.survey_figures((day, share) for day, share, _ in shares if day <= on)


async def plan_with_progress(
    session: AsyncSession, plan_id: UUID, principal: Principal | None, on: date | None,
    series: Series | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The plan with each indicator's baseline and current value (each with its as-of day and
    whether computed or manual), progress and status on `on` (default today), and trend."""
    plan = await _plan(session, plan_id, principal)
    on = on or _today()
    rows = await plans.progress(session, plan_id)
    elapsed = rules.elapsed_share(plan.period_start, plan.period_end, on)
    latest = {str(r.indicator_id): r for r in rows}  # ordered by period: the last one wins
    goals = plan.goals
    for indicator in rules.indicators(goals).values():
        kind = indicator["source"]["kind"]
        history = [
            {"period": r.period, "value": r.value, "rating": r.rating, "origin": r.origin,
             "as_of": r.as_of}
            for r in rows if str(r.indicator_id) == indicator["indicator_id"]
        ]  # fmt: skip
        if kind in rules.COMPUTED:
            baseline, current, trend = await _computed(session, plan, indicator, series or {}, on)
            indicator["baseline"] = baseline.value
            value, rating = current.value, None
            indicator["latest"] = {"value": current.value, "as_of": current.as_of,
                                   "origin": "computed"}  # fmt: skip
            indicator["trend"] = trend
        else:
            baseline = rules.Figure(indicator.get("baseline"), None)
            row = latest.get(indicator["indicator_id"])
            value, rating = (row.value, row.rating) if row else (None, None)
            indicator["latest"] = (
                {"period": row.period, "value": row.value, "rating": row.rating,
                 "origin": "manual", "as_of": row.as_of or row.recorded_on}
                if row else None
            )  # fmt: skip
            indicator["trend"] = [
                {"period": h["period"], "value": h["value"], "rating": h["rating"]} for h in history
            ]
        indicator["baseline_as_of"] = baseline.as_of
        indicator["origin"] = "computed" if kind in rules.COMPUTED else "manual"
        result = rules.indicator_progress(
            kind, baseline.value, indicator["target"], value, rating, elapsed
        )
        indicator["progress"] = result.progress
        indicator["status"] = result.status
        indicator["history"] = history
    return {**plan._asdict(), "goals": goals, "elapsed_share": round(elapsed, 4), "as_of": on}


# --- recording values: typed in (manual), or the computed ones (refresh) ---------------------


def _event(
    plan: Row[Any], indicator: dict[str, Any], origin: str, period: str, at: datetime
) -> PlanIndicatorValued:
    source = indicator["source"]
    latest = indicator.get("latest") or {}
    return PlanIndicatorValued(
        plan_id=plan.plan_id, forum_id=plan.forum_id, area_id=plan.area_id,
        indicator_id=UUID(indicator["indicator_id"]), source=source["kind"], origin=origin,
        source_area_id=source.get("area_id"), iccs_code=source.get("iccs_code"),
        item=source.get("item"), period=period, value=latest.get("value"),
        rating=latest.get("rating"), baseline=indicator.get("baseline"),
        target=indicator.get("target"), status=indicator["status"],
        as_of=latest.get("as_of"), recorded_at=at,
    )  # fmt: skip


async def record_progress(
    session: AsyncSession, plan_id: UUID, body: PlanProgressIn, principal: Principal
) -> dict[str, Any]:
    """Record a period's values of manual and qualitative indicators (again: replaced);
    returns the plan as it now is. A computed indicator's value is refused (422)."""
    plan = await _plan(session, plan_id, principal)
    indicators = rules.indicators(plan.goals)
    recorded_on = body.recorded_on or _today()
    for i, v in enumerate(body.values):
        rules.check_value(indicators.get(str(v.indicator_id)), i, v.value, v.rating)
        await plans.record(
            session, plan_id, body.period, recorded_on, v.indicator_id, v.value, v.rating,
            v.note, "manual", recorded_on,
        )  # fmt: skip
    result = await plan_with_progress(session, plan_id, principal, None)
    now, by_id = datetime.now(UTC), rules.indicators(result["goals"])
    await publish(
        session,
        [_event(plan, by_id[str(v.indicator_id)], "manual", body.period, now)
         for v in body.values],
    )  # fmt: skip
    return result


async def refresh(
    session: AsyncSession,
    plan_id: UUID,
    principal: Principal,
    series: Series,
    period: str | None,
) -> dict[str, Any]:
    """Record the computed indicators' current values for `period` (default this quarter),
    each with its as-of day, and publish them; returns the plan as it now is."""
    today = _today()
    period = period or rules.quarter_of(today)
    plan = await _plan(session, plan_id, principal)
    result = await plan_with_progress(session, plan_id, principal, None, series)
    now, events = datetime.now(UTC), []
    for indicator in rules.indicators(result["goals"]).values():
        if indicator["origin"] != "computed":
            continue
        latest = indicator["latest"]
        await plans.record(
            session, plan_id, period, today, UUID(indicator["indicator_id"]), latest["value"],
            None, None, "computed", latest["as_of"],
        )  # fmt: skip
        events.append(_event(plan, indicator, "computed", period, now))
    await publish(session, events)
    return await plan_with_progress(session, plan_id, principal, None, series)


def indicator_list(plan: dict[str, Any]) -> Sequence[dict[str, Any]]:
    return list(rules.indicators(plan["goals"]).values())
