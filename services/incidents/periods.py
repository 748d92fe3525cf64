"""Station reporting periods: a closed week means "we reported everything", so a week with
zero incidents is told apart from a week with no report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.incidents import StationPeriodClosed

from .baselines import WEEK, weeks_between
from .domain import RuleViolation, week_start
from .recording import stage_events
from .tables import incident_versions, station_periods


async def close_period(
    session: AsyncSession, station_id: str, week: date, actor: str, now: datetime
) -> tuple[bool, dict]:
    """Close a station's week. Returns (newly closed, the period); closing twice is a no-op."""
    if week + WEEK > now.date() + timedelta(days=1):
        raise RuleViolation(("week",), f"the week of {week} has not ended yet")
    count = await session.scalar(
        select(func.count()).where(
            incident_versions.c.station_id == station_id,
            incident_versions.c.week_start == week,
            incident_versions.c.valid_to.is_(None),
            incident_versions.c.status == "active",
        )
    )
    inserted = await session.scalar(
        insert(station_periods)
        .values(
            station_id=station_id,
            week_start=week,
            incident_count=count,
            closed_at=now,
            closed_by=actor,
        )
        .on_conflict_do_nothing()
        .returning(station_periods.c.week_start)
    )
    if inserted is None:
        row = (
            await session.execute(
                select(station_periods).where(
                    station_periods.c.station_id == station_id,
                    station_periods.c.week_start == week,
                )
            )
        ).one()
        return False, _period(row._asdict())
    await stage_events(
        session,
        [
            StationPeriodClosed(
                station_id=station_id, week_start=week, incident_count=count, closed_at=now
            )
        ],
    )
    return True, _period(
        {"station_id": station_id, "week_start": week, "incident_count": count, "closed_at": now}
    )


def _period(row: dict) -> dict:
    return {
        "station_id": row["station_id"],
        "week_start": row["week_start"].isoformat(),
        "incident_count": row["incident_count"],
        "closed_at": row["closed_at"].isoformat(),
    }


async def completeness(
    session: AsyncSession, station_ids: list[str], first: date, last: date
) -> list[dict]:
    """Per station: which weeks of [first, last] are closed and which are missing."""
    weeks = weeks_between(first, last)
    rows = await session.execute(
        text(
            "SELECT station_id, week_start FROM station_periods"
            " WHERE week_start BETWEEN :first AND :last AND station_id = ANY(:stations)"
        ),
        {"first": first, "last": last, "stations": station_ids},
    )
    closed: dict[str, set[date]] = {}
    for station, week in rows:
        closed.setdefault(station, set()).add(week)
    return [
        {
            "station_id": s,
            "closed_weeks": len(closed.get(s, ())),
            "missing_weeks": [w.isoformat() for w in weeks if w not in closed.get(s, ())],
        }
        for s in station_ids
    ]


def default_window(now: datetime, weeks: int = 4) -> tuple[date, date]:
    """The last `weeks` complete weeks before the current one."""
    last = week_start(now) - WEEK
    return last - WEEK * (weeks - 1), last
