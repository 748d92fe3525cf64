"""The accountability view: complaints received in the period (a cohort, as they stand now),
by station and governorate — allegation categories, days to close, statutory clocks
breached, findings, review outcomes — and oversight recommendations made in the period."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import Reference, load_reference

from . import figures
from .crime_view import area_row, bucket_of, periods
from .scope import Filters, area_clause, child_level
from .tables import (
    complaint_breaches,
    complaint_categories,
    complaint_facts,
    complaint_findings,
    complaint_reviews,
    recommendations,
)

SUBSTANTIATED = "SUBSTANTIATED"
UNKNOWN_STATION = "unknown"


@dataclass
class Complaint:
    complaint_id: object
    station_id: str | None
    governorate_code: str
    received_at: datetime
    first_closed_at: datetime | None
    categories: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    clocks: set[str] = field(default_factory=set)


def _cohort_conditions(filters: Filters) -> list:
    c = complaint_facts.c
    clauses = [
        c.received_at >= filters.start_at,
        c.received_at < filters.end_before,
        area_clause(complaint_facts, filters.area),
    ]
    if filters.category:
        clauses.append(
            exists().where(
                and_(
                    complaint_categories.c.complaint_id == c.complaint_id,
                    complaint_categories.c.category == filters.category,
                )
            )
        )
    return clauses


async def load_cohort(session: AsyncSession, filters: Filters) -> list[Complaint]:
    c = complaint_facts.c
    rows = (
        await session.execute(
            select(
                c.complaint_id, c.station_id, c.governorate_code, c.received_at, c.first_closed_at
            ).where(*_cohort_conditions(filters))
        )
    ).all()
    cohort = {r.complaint_id: Complaint(*r) for r in rows}
    if not cohort:
        return []
    ids = list(cohort)
    for table, column, attr in (
        (complaint_categories, complaint_categories.c.category, "categories"),
        (complaint_findings, complaint_findings.c.finding, "findings"),
    ):
        query = select(table.c.complaint_id, column).where(table.c.complaint_id.in_(ids))
        for cid, value in (await session.execute(query)).all():
            getattr(cohort[cid], attr).append(value)
    query = select(complaint_breaches.c.complaint_id, complaint_breaches.c.clock).where(
        complaint_breaches.c.complaint_id.in_(ids)
    )
    for cid, clock in (await session.execute(query)).all():
        cohort[cid].clocks.add(clock)
    return list(cohort.values())


def child_key(reference: Reference, level: str, complaint: Complaint) -> str:
    """The area a complaint is counted under at a level; complaints naming no station count
    under their governorate and, below it, as "unknown"."""
    if level == "governorate":
        return complaint.governorate_code
    station = reference.stations.get(complaint.station_id or "")
    if station is None:
        return UNKNOWN_STATION
    return station.district_code if level == "district" else station.id


def summarise(complaints: list[Complaint]) -> dict:
    """The cohort's figures: counts, days to close, clocks, findings (pure)."""
    closed = [
        figures.days_between(c.received_at, c.first_closed_at)
        for c in complaints
        if c.first_closed_at is not None
    ]
    findings = Counter(f for c in complaints for f in c.findings)
    return {
        "received": len(complaints),
        "closed": len(closed),
        "median_days_to_close": figures.percentile(closed, 50),
        "p90_days_to_close": figures.percentile(closed, 90),
        "share_past_any_clock": figures.share(
            sum(1 for c in complaints if c.clocks), len(complaints)
        ),
        "findings": sum(findings.values()),
        "substantiated_share": figures.share(findings[SUBSTANTIATED], sum(findings.values())),
    }


def _by_area(reference: Reference, filters: Filters, cohort: list[Complaint]) -> list[dict]:
    level = child_level(reference, filters.area)
    groups: dict[str, list[Complaint]] = defaultdict(list)
    for complaint in cohort:
        groups[child_key(reference, level, complaint)].append(complaint)
    if reference.area_level(filters.area) == "station":
        children = [filters.area]
    elif level == "governorate":
        children = sorted(reference.governorates)
    elif level == "district":
        children = sorted(
            d.code for d in reference.districts.values() if d.governorate_code == filters.area
        )
    else:
        children = reference.stations_in(filters.area)
    if groups.get(UNKNOWN_STATION):
        children = [*children, UNKNOWN_STATION]
    rows = []
    for child in children:
        label = (
            {
                "area": child,
                "level": level,
                "name_en": "Station not given",
                "name_ar": "المركز غير محدد",
            }
            if child == UNKNOWN_STATION
            else area_row(reference, level, child)
        )
        rows.append(label | summarise(groups.get(child, [])))
    return rows


def _over_time(filters: Filters, cohort: list[Complaint]) -> list[dict]:
    unit, buckets = periods(filters)
    counts: Counter[str] = Counter()
    for c in cohort:
        counts[bucket_of(c.received_at.astimezone(UTC).date(), unit)] += 1
    return [{"period": p, "received": counts.get(p, 0)} for p in buckets]


async def _reviews(session: AsyncSession, cohort: list[Complaint]) -> dict[str, int]:
    if not cohort:
        return {}
    query = select(complaint_reviews.c.outcome).where(
        complaint_reviews.c.complaint_id.in_([c.complaint_id for c in cohort])
    )
    return figures.counts_by(r for (r,) in (await session.execute(query)).all())


def recommendation_status(answer: str | None, respond_by: datetime, now: datetime) -> str:
    if answer is not None:
        return answer
    return "overdue" if respond_by < now else "open"


async def _recommendations(session: AsyncSession, filters: Filters, now: datetime) -> list[dict]:
    r, c = recommendations.c, complaint_facts.c
    query = (
        select(r.oversight_body, r.answer, r.respond_by)
        .select_from(recommendations.join(complaint_facts, r.complaint_id == c.complaint_id))
        .where(
            r.made_at >= filters.start_at,
            r.made_at < filters.end_before,
            area_clause(complaint_facts, filters.area),
        )
    )
    bodies: dict[str, Counter] = defaultdict(Counter)
    for body, answer, respond_by in (await session.execute(query)).all():
        bodies[body]["made"] += 1
        bodies[body][recommendation_status(answer, respond_by, now)] += 1
    return [
        {
            "oversight_body": body,
            "made": n["made"],
            "open": n["open"],
            "overdue": n["overdue"],
            "accepted": n["accepted"],
            "declined": n["declined"],
        }
        for body, n in sorted(bodies.items())
    ]


async def accountability_view(session: AsyncSession, filters: Filters, now: datetime) -> dict:
    reference = load_reference()
    cohort = await load_cohort(session, filters)
    clocks = Counter(clock for c in cohort for clock in c.clocks)
    categories = Counter(cat for c in cohort for cat in c.categories)
    findings = Counter(f for c in cohort for f in c.findings)
    reviews = await _reviews(session, cohort)
    recs = await _recommendations(session, filters, now)
    summary = summarise(cohort) | {
        "reviews_upheld": reviews.get("upheld", 0),
        "reviews_not_upheld": reviews.get("not_upheld", 0),
        "recommendations_open": sum(r["open"] + r["overdue"] for r in recs),
        "recommendations_overdue": sum(r["overdue"] for r in recs),
    }
    return {
        "view": "accountability",
        "filters": filters.as_dict(),
        "summary": summary,
        "notes": [],
        "tables": {
            "by_area": _by_area(reference, filters, cohort),
            "by_category": [
                {"category": k, "allegations": n} for k, n in sorted(categories.items())
            ],
            "clocks": [
                {"clock": k, "complaints": n, "share": figures.share(n, len(cohort))}
                for k, n in sorted(clocks.items())
            ],
            "findings": [
                {"finding": k, "allegations": n, "share": figures.share(n, sum(findings.values()))}
                for k, n in sorted(findings.items())
            ],
            "reviews": [{"outcome": k, "complaints": n} for k, n in sorted(reviews.items())],
            "recommendations": recs,
            "over_time": _over_time(filters, cohort),
        },
    }
