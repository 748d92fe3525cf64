"""Alert evaluation: when a week closes (or on demand), compare each candidate area-category's
count with its baseline and raise or clear alerts, with events on jisr.incidents.baselines.v1.

Candidates are the pairs that could alarm (>= 5 incidents in the 4 weeks ending at the week,
the Farrington minimum) and the pairs with an open alert (which may need clearing); anything
else cannot change state, so it is not evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.reference.model import Reference

from . import domain
from .baseline_methods import (
    DEFAULT_METHOD,
    MIN_CASES,
    MIN_CASES_WEEKS,
    Method,
    WeekEstimate,
    estimate_many,
)
from .baselines import WEEK, counts_by_week, epoch_start, series
from .domain import alert_action
from .recording import stage_events
from .tables import alerts


async def candidates(
    session: AsyncSession,
    reference: Reference,
    week: date,
    areas: Sequence[str],
    version: str,
    method: str,
) -> list[tuple[str, str]]:
    mapping = [(s, a) for a in areas for s in reference.stations_in(a)]
    rows = await session.execute(
        text(
            "SELECT m.a, iccs_code FROM weekly_counts"
            " JOIN unnest(CAST(:stations AS varchar[]), CAST(:areas AS varchar[])) AS m(s, a)"
            " ON station_id = m.s"
            " WHERE counting_rules_version = :v AND week_start BETWEEN :from AND :week"
            " GROUP BY m.a, iccs_code HAVING sum(n) >= :min"
            " UNION SELECT area_id, iccs_code FROM alerts WHERE status = 'raised'"
            " AND method = :method AND area_id = ANY(CAST(:all_areas AS varchar[]))"
            " ORDER BY 1, 2"
        ),
        {
            "stations": [m[0] for m in mapping],
            "areas": [m[1] for m in mapping],
            "all_areas": list(areas),
            "v": version,
            "from": week - (MIN_CASES_WEEKS - 1) * WEEK,
            "week": week,
            "min": MIN_CASES,
            "method": method,
        },
    )
    return [tuple(r) for r in rows]


def every_area(reference: Reference) -> list[str]:
    return [
        reference.national_code,
        *sorted(reference.governorates),
        *sorted(reference.districts),
        *sorted(reference.stations),
    ]


async def evaluate_week(
    session: AsyncSession,
    reference: Reference,
    week: date,
    now: datetime,
    areas: Sequence[str] | None = None,
    method: Method = DEFAULT_METHOD,
) -> list[dict]:
    """Evaluate one week; returns the alerts raised or cleared (also staged as events)."""
    version = domain.COUNTING_RULES_VERSION  # read at call time: a rules change restarts
    areas = list(areas) if areas else every_area(reference)
    pairs = await candidates(session, reference, week, areas, version, method)
    first = await epoch_start(session, reference, version, None)
    if not pairs or first is None:
        return []
    counts = await counts_by_week(session, reference, pairs, version, week)
    open_alerts = {
        (r.area_id, r.iccs_code): r
        for r in (
            await session.execute(
                select(alerts).where(alerts.c.status == "raised", alerts.c.method == method)
            )
        ).all()
    }
    if week < first:
        return []
    # One vectorised pass over every candidate's series (same start, same week).
    matrix = [series(counts.get(pair, {}), first, week) for pair in pairs]
    results = estimate_many(matrix, len(matrix[0]) - 1, method)
    changed = []
    for pair, est in zip(pairs, results, strict=True):
        if est is None:
            continue
        change = await _apply(session, reference, pair, week, est, open_alerts.get(pair), now)
        if change:
            changed.append(change)
    return changed


async def _apply(session, reference, pair, week, est: WeekEstimate, open_alert, now) -> dict | None:
    action = alert_action(open_alert.week_start if open_alert else None, week, est.alarm)
    area, code = pair
    stats = {
        "area_level": reference.area_level(area),
        "area_id": area,
        "iccs_code": code,
        "week_start": week,
        "observed": est.observed,
        "expected": round(est.expected, 4),
        "upper_limit": round(est.upper_limit, 4),
        "score": round(est.score, 4),
        "method": est.method,
    }
    if action == "raise":
        alert_id = uuid7()
        await session.execute(
            alerts.insert().values(
                alert_id=alert_id, status="raised", last_week=week, raised_at=now, **stats
            )
        )
        event = BaselineAlertRaised(alert_id=alert_id, raised_at=now, **stats)
    elif action == "keep":
        await session.execute(
            update(alerts)
            .where(alerts.c.alert_id == open_alert.alert_id)
            .values(last_week=max(week, open_alert.last_week))
        )
        return None
    elif action == "clear":
        await session.execute(
            update(alerts)
            .where(alerts.c.alert_id == open_alert.alert_id)
            .values(status="cleared", cleared_at=now, last_week=week)
        )
        event = BaselineAlertCleared(alert_id=open_alert.alert_id, cleared_at=now, **stats)
    else:
        return None
    await stage_events(session, [event])
    return {"action": action, **event.model_dump(mode="json")}
