"""`jisr up --demo` / `jisr demo load`: synthetic incidents so baselines and alerts mean
something on day one.

The generator (services.incidents.demo_data) plans three years of weekly incidents over the
reference geography with seasonality, busier and quieter stations and a few injected rises.
The loader stores them through the incidents service's own recording code (same rows, counts
and outbox events as an upload), closes every station's past weeks, then evaluates the recent
weeks' alerts, so analytics and fora receive what a real deployment would publish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from libs.chassis.db import in_transaction, make_engine, make_session_factory
from libs.chassis.settings import Settings
from libs.reference import load_reference
from services.incidents import demo_data
from services.incidents.application.alerts import evaluate_week
from services.incidents.application.recording import MAX_BATCH, record_incidents
from services.incidents.domain.weeks import WEEK, weeks_between
from services.incidents.repositories import periods
from services.incidents.schemas import IncidentIn

DEMO_ACTOR = "jisr-demo"
ALERT_WEEKS = 26  # recent weeks whose alerts are evaluated after loading (about 1.4 s each)


@dataclass
class DemoSummary:
    incidents: int
    periods_closed: int
    alerts_raised: int
    seconds: float
    skipped: bool = False


def _incident(item: demo_data.DemoIncident) -> IncidentIn:
    return IncidentIn(
        station_id=item.station_id,
        source_ref=item.source_ref,
        occurred_at=item.occurred_at,
        offences=[
            {
                "iccs_code": code,
                "attempted": item.attempted and i == 0,
                "domestic": item.domestic and i == 0,
            }
            for i, code in enumerate(item.iccs_codes)
        ],
        victims=[{"sex": sex, "age_band": band} for sex, band in item.victims],
        offenders=[{"sex": sex, "age_band": band} for sex, band in item.offenders],
    )


async def load_demo(
    settings: Settings,
    *,
    scale: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> DemoSummary:
    started = time.monotonic()
    reference = load_reference()
    engine = make_engine(settings.service_database_url("incidents"), "incidents")
    sessions = make_session_factory(engine)
    try:
        if await in_transaction(sessions, partial(periods.any_closed_by, actor=DEMO_ACTOR)):
            progress("demo data already loaded; skipping")
            return DemoSummary(0, 0, 0, time.monotonic() - started, skipped=True)
        plan = demo_data.plan(reference, seed=seed)
        stored = await _store(sessions, reference, plan, scale, seed, progress)
        closed = await _close_periods(sessions, reference, plan)
        raised = await _evaluate_recent(sessions, reference, plan, progress)
    finally:
        await engine.dispose()
    return DemoSummary(stored, closed, raised, time.monotonic() - started)


async def _store(sessions, reference, plan, scale, seed, progress) -> int:
    batch: list[IncidentIn] = []
    stored = 0

    async def flush() -> int:
        results = await in_transaction(
            sessions,
            partial(record_incidents, bodies=batch, reference=reference, now=datetime.now(UTC)),
        )
        return sum(1 for status, _ in results if status == 201)

    for item in demo_data.generate(reference, plan, scale=scale, seed=seed):
        batch.append(_incident(item))
        if len(batch) >= MAX_BATCH:
            stored += await flush()
            batch = []
            if stored % 20_000 < MAX_BATCH:
                progress(f"  {stored} demo incidents stored ...")
    if batch:
        stored += await flush()
    return stored


async def _close_periods(sessions, reference, plan) -> int:
    """Every station closes every demo week, with its count (one statement, no events: a
    backfill of history rather than stations reporting live)."""
    last = plan.start + WEEK * (plan.weeks - 1)
    return await in_transaction(
        sessions,
        partial(
            periods.backfill_closed,
            station_ids=sorted(reference.stations),
            weeks=weeks_between(plan.start, last),
            actor=DEMO_ACTOR,
        ),
    )


async def _evaluate_recent(sessions, reference, plan, progress) -> int:
    last = plan.start + WEEK * (plan.weeks - 1)
    raised = 0
    for week in weeks_between(last - WEEK * (ALERT_WEEKS - 1), last):
        changed = await in_transaction(
            sessions, partial(evaluate_week, reference=reference, week=week, now=datetime.now(UTC))
        )
        raised += sum(1 for c in changed if c["action"] == "raise")
        progress(f"  alerts for the week of {week}: {len(changed)} raised or cleared")
    return raised
