"""Alert evaluation: when a week closes, when a closed week's counts change (late upload,
correction, reclassification: `recheck_changed_weeks`), or on demand, compare each candidate
area-category's count with its baseline and raise or clear alerts, with events on
jisr.incidents.baselines.v1. The method is the rule pack's (config.py) unless one is named.

Candidates are the pairs that could alarm (>= 5 incidents in the 4 weeks ending at the week,
the Farrington minimum) and the pairs with an open alert (which may need clearing); anything
else cannot change state, so it is not evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis import outbox
from libs.chassis.errors import RuleViolation
from libs.contracts.base import EventModel
from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.reference.model import Reference

from ..config import baseline_pack
from ..domain import submission
from ..domain.alerts import alert_action, alert_statistics, every_area
from ..domain.baseline_methods import (
    MIN_CASES,
    MIN_CASES_WEEKS,
    WeekEstimate,
    estimate_many,
    resolve,
)
from ..domain.baselines import area_level, series
from ..domain.weeks import WEEK, week_of
from ..repositories import alerts as stored
from ..repositories import counts

Change = tuple[dict[str, Any], EventModel]


async def evaluate_week(
    session: AsyncSession,
    reference: Reference,
    week: date,
    now: datetime,
    areas: Sequence[str] | None = None,
    method: str | None = None,
) -> list[dict[str, Any]]:
    """Evaluate one week; returns the alerts raised or cleared (their events published)."""
    changed = await changes(session, reference, week, now, areas, method)
    await outbox.publish(session, [event for _, event in changed])
    return [change for change, _ in changed]


async def evaluate(
    session: AsyncSession,
    reference: Reference,
    week_named: str,
    areas: Sequence[str] | None,
    method: str | None,
    now: datetime,
) -> dict[str, Any]:
    """An analyst's evaluation of a week (a date of it or its ISO week), for the areas named
    or all of them."""
    week = week_of(week_named, ("query", "week"))
    for area in areas or ():
        area_level(reference, area, ("query", "area"))
    changed = await evaluate_week(session, reference, week, now, areas, method)
    return {"week_start": week, "changed": changed}


async def changes(
    session: AsyncSession,
    reference: Reference,
    week: date,
    now: datetime,
    areas: Sequence[str] | None = None,
    method: str | None = None,
) -> list[Change]:
    """Evaluate one week and store the alerts' changes; the events are the caller's to
    publish (with the others of its transaction)."""
    method = resolve(method) if method else baseline_pack().alert_method
    version = submission.COUNTING_RULES_VERSION  # read at call time: a rules change restarts
    areas = list(areas) if areas else every_area(reference)
    window = (week - (MIN_CASES_WEEKS - 1) * WEEK, week)
    pairs = await stored.candidates(session, reference, areas, version, method, window, MIN_CASES)
    first = await counts.epoch_start(session, version, None)
    if not pairs or first is None:
        return []
    by_week = await counts.counts_by_week(session, reference, pairs, version, week)
    open_alerts = await stored.open_alerts(session, method)
    if week < first:
        return []
    # One vectorised pass over every candidate's series (same start, same week).
    matrix = [series(by_week.get(pair, {}), first, week) for pair in pairs]
    results = estimate_many(matrix, len(matrix[0]) - 1, method)
    changed = []
    for (area, code), est in zip(pairs, results, strict=True):
        if est is None:
            continue
        change = await _apply(
            session, reference, area, code, week, est, open_alerts.get((area, code)), now
        )
        if change:
            changed.append(change)
    return changed


async def _apply(
    session: AsyncSession,
    reference: Reference,
    area: str,
    code: str,
    week: date,
    est: WeekEstimate,
    open_alert: dict[str, Any] | None,
    now: datetime,
) -> Change | None:
    action = alert_action(open_alert["week_start"] if open_alert else None, week, est.alarm)
    stats = alert_statistics(reference, area, code, week, est)
    event: EventModel
    if action == "raise":
        alert_id = uuid7()
        await stored.insert_raised(session, alert_id, week, now, stats)
        event = BaselineAlertRaised(
            alert_id=alert_id, raised_at=now, trend_used=est.trend_used, **stats
        )
    elif action == "keep" and open_alert is not None:
        await stored.keep_open(session, open_alert["alert_id"], max(week, open_alert["last_week"]))
        return None
    elif action == "clear" and open_alert is not None:
        await stored.clear(session, open_alert["alert_id"], week, now)
        event = BaselineAlertCleared(
            alert_id=open_alert["alert_id"], cleared_at=now, trend_used=est.trend_used, **stats
        )
    else:
        return None
    return {"action": action, **event.model_dump(mode="json")}, event


async def recheck_changed_weeks(
    session: AsyncSession, reference: Reference, now: datetime, limit: int = 500
) -> list[dict[str, Any]]:
    """Evaluate again the closed weeks whose counts changed since they closed.

    The trigger on weekly_counts (migration 0003) queues (station, week) in the transaction of
    the change; this takes queued rows (skipping rows another replica holds), evaluates each
    week for the areas of its stations and publishes the events, all in one transaction, so
    each change is evaluated once. The episode rules decide: a week that now alarms raises an
    alert unless one is open; a correction that takes away the alarm of the week that raised
    an alert clears it.
    """
    queued = await stored.take_rechecks(session, limit)
    by_week: dict[date, set[str]] = {}
    for station_id, week in queued:
        if station_id in reference.stations:
            by_week.setdefault(week, set()).update(reference.area_chain(station_id).values())
    changed: list[Change] = []
    for week in sorted(by_week):
        changed += await changes(session, reference, week, now, sorted(by_week[week]))
    await outbox.publish(session, [event for _, event in changed])
    return [change for change, _ in changed]


async def newest(
    session: AsyncSession,
    status: str | None,
    area: str | None,
    category: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    return await stored.newest(session, status, area, category, limit)


async def one(session: AsyncSession, alert_id: UUID) -> dict[str, Any]:
    """One alert, however old (fora checks the alert a SARA case cites)."""
    found = await stored.one(session, alert_id)
    if found is None:
        raise RuleViolation.not_found("no alert has this id", ("path", "alert_id"))
    return found
