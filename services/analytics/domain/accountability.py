"""Accountability: a cohort of complaints (those received in the period, as they stand now)
and its figures by area, category, clock, finding, review and oversight recommendation."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from libs.reference import Reference

from . import figures
from .areas import area_row, children
from .periods import bucket_of, periods
from .scope import Filters, child_level

SUBSTANTIATED = "SUBSTANTIATED"
UNKNOWN_STATION = "unknown"
# A review decision is the move out of review_requested: back to investigation means upheld.
REVIEW_UPHELD_TO = "formal_investigation"


def review_outcome(from_status: str | None, to_status: str) -> str | None:
    """The outcome of a review a status change decides; None when it decides none."""
    if from_status != "review_requested":
        return None
    return "upheld" if to_status == REVIEW_UPHELD_TO else "not_upheld"


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


def child_key(reference: Reference, level: str, complaint: Complaint) -> str:
    """The area a complaint is counted under at a level; complaints naming no station count
    under their governorate and, below it, as "unknown"."""
    if level == "governorate":
        return complaint.governorate_code
    station = reference.stations.get(complaint.station_id or "")
    if station is None:
        return UNKNOWN_STATION
    return station.district_code if level == "district" else station.id


def summarise(complaints: list[Complaint]) -> dict[str, Any]:
    """The cohort's figures: counts, days to close, clocks, findings."""
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


def by_area(
    reference: Reference, filters: Filters, cohort: list[Complaint]
) -> list[dict[str, Any]]:
    level = child_level(reference, filters.area)
    groups: dict[str, list[Complaint]] = defaultdict(list)
    for complaint in cohort:
        groups[child_key(reference, level, complaint)].append(complaint)
    rows_of = children(reference, filters.area)
    if groups.get(UNKNOWN_STATION):
        rows_of = [*rows_of, UNKNOWN_STATION]
    rows = []
    for child in rows_of:
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


def over_time(filters: Filters, cohort: list[Complaint]) -> list[dict[str, Any]]:
    unit, buckets = periods(filters)
    counts: Counter[str] = Counter()
    for c in cohort:
        counts[bucket_of(c.received_at.astimezone(UTC).date(), unit)] += 1
    return [{"period": p, "received": counts.get(p, 0)} for p in buckets]


def recommendation_status(answer: str | None, respond_by: datetime, now: datetime) -> str:
    if answer is not None:
        return answer
    return "overdue" if respond_by < now else "open"


def recommendations_by_body(
    made: Iterable[tuple[str, str | None, datetime]], now: datetime
) -> list[dict[str, Any]]:
    """Per oversight body: recommendations made, and how each stands now."""
    bodies: dict[str, Counter[str]] = defaultdict(Counter)
    for body, answer, respond_by in made:
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


def view(
    reference: Reference,
    filters: Filters,
    cohort: list[Complaint],
    reviews: dict[str, int],
    recs: list[dict[str, Any]],
) -> dict[str, Any]:
    clocks = Counter(clock for c in cohort for clock in c.clocks)
    categories = Counter(cat for c in cohort for cat in c.categories)
    findings = Counter(f for c in cohort for f in c.findings)
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
            "by_area": by_area(reference, filters, cohort),
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
            "over_time": over_time(filters, cohort),
        },
    }
