"""Crime: incidents as rows (one per incident, classified by its principal offence and counted
in every ICCS section and division its offences fall in), alerts as rows, and the crime view's
tables from the counts the repository returns."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, get_args
from uuid import UUID

from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.incidents import (
    AgeBand,
    IncidentMerged,
    IncidentReclassified,
    IncidentRecorded,
    IncidentVoided,
    Offence,
    Sex,
)
from libs.reference import Reference

from . import figures
from .areas import area_row, children, population
from .notes import note
from .scope import Filters, child_level

#: Rows of the victim tables: every sex and age band the events carry, then incidents with no
#: victim recorded (an incident counts once in each group any of its victims is in).
VICTIM_SEXES: tuple[str, ...] = (*get_args(Sex), "no_victim_recorded")
VICTIM_AGE_BANDS: tuple[str, ...] = (*get_args(AgeBand), "no_victim_recorded")

ALERT_FIELDS = {
    "alert_id",
    "area_level",
    "area_id",
    "iccs_code",
    "method",
    "week_start",
    "observed",
    "expected",
    "upper_limit",
    "score",
}


def categories(offences: Sequence[Offence]) -> list[str]:
    """Every ICCS section and division the offences fall in (codes of level 3-4 roll up)."""
    return list(_categories(tuple(o.iccs_code for o in offences)))


@functools.lru_cache(maxsize=4096)
def _categories(codes: tuple[str, ...]) -> tuple[str, ...]:
    # Per projected incident, and the distinct offence lists are few: worked out once each.
    return tuple(sorted({code[:n] for code in codes for n in (2, 4) if len(code) >= n}))


def domestic_categories(offences: Sequence[Offence]) -> list[str]:
    """The sections and divisions the incident's domestic offences fall in."""
    return categories([o for o in offences if o.domestic])


def incident_fact(event: IncidentRecorded) -> dict[str, Any]:
    """One row per incident, classified by its first (principal) offence, as NIBRS counts;
    its victims as the number of them and their distinct sexes and age bands."""
    return {
        "incident_id": event.incident_id,
        "station_id": event.station_id,
        "district_code": event.district_code,
        "governorate_code": event.governorate_code,
        "iccs_code": event.offences[0].iccs_code,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "categories": categories(event.offences),
        "status": "active",
        "domestic_categories": domestic_categories(event.offences),
        "victim_count": sum(v.count for v in event.victims),
        "victim_sexes": sorted({v.sex for v in event.victims}),
        "victim_age_bands": sorted({v.age_band for v in event.victims}),
    }


def correction(event: object) -> tuple[UUID, dict[str, Any]] | None:
    """The incident a correction changes and what it changes in its row; None for events that
    change no count (outcomes, period closes)."""
    if isinstance(event, IncidentReclassified):
        values = {
            "iccs_code": event.offences[0].iccs_code,
            "categories": categories(event.offences),
            "domestic_categories": domestic_categories(event.offences),
        }  # victims stay as recorded
        return event.incident_id, values
    if isinstance(event, IncidentVoided):
        return event.incident_id, {"status": "voided"}
    if isinstance(event, IncidentMerged):
        return event.incident_id, {"status": "merged"}
    return None


def alert_row(event: BaselineAlertRaised | BaselineAlertCleared) -> dict[str, Any]:
    row = event.model_dump(include=ALERT_FIELDS)
    if isinstance(event, BaselineAlertRaised):
        return row | {"status": "raised", "raised_at": event.raised_at, "cleared_at": None}
    return row | {"status": "cleared", "raised_at": None, "cleared_at": event.cleared_at}


def alert_changes(event: BaselineAlertRaised | BaselineAlertCleared) -> dict[str, Any]:
    """What a later event of a known alert changes: clearing keeps when it was raised and the
    raising week's figures."""
    if isinstance(event, BaselineAlertCleared):
        return {"status": "cleared", "cleared_at": event.cleared_at}
    return {"status": "raised", "raised_at": event.raised_at}


def by_area(
    reference: Reference, filters: Filters, counts: Mapping[str, int]
) -> list[dict[str, Any]]:
    level = child_level(reference, filters.area)
    rows = []
    for child in children(reference, filters.area):
        n = counts.get(child, 0)
        rows.append(
            area_row(reference, level, child)
            | {
                "incidents": n,
                "rate_per_100k": figures.rate_per_100k(n, population(reference, level, child)),
            }
        )
    return rows


def wanted_codes(reference: Reference, category: str | None) -> list[str]:
    """Sections without a filter; a section's divisions; a division alone."""
    if category is None:
        return sorted(c for c, cat in reference.iccs.items() if cat.level == 1)
    if len(category) == 2:
        return sorted(c for c, cat in reference.iccs.items() if cat.parent == category)
    return [category]


def by_category(
    reference: Reference, filters: Filters, counts: Mapping[str, int], people: int | None
) -> list[dict[str, Any]]:
    rows = []
    for c in wanted_codes(reference, filters.category):
        item = reference.iccs[c]
        n = counts.get(c, 0)
        rows.append(
            {
                "iccs_code": c,
                "level": "section" if item.level == 1 else "division",
                "title_en": item.title_en,
                "title_ar": item.title_ar,
                "incidents": n,
                "rate_per_100k": figures.rate_per_100k(n, people),
            }
        )
    return rows


def alert_entry(reference: Reference, r: Any) -> dict[str, Any]:
    """An alert as the view lists it (r: a baseline_alerts row)."""
    item = reference.iccs.get(r.iccs_code)
    return {
        "alert_id": str(r.alert_id),
        "status": r.status,
        "area": r.area_id,
        "area_level": r.area_level,
        "iccs_code": r.iccs_code,
        "title_en": item.title_en if item else r.iccs_code,
        "title_ar": item.title_ar if item else r.iccs_code,
        "week_start": r.week_start.isoformat(),
        "observed": r.observed,
        "expected": round(r.expected, 2),
        "upper_limit": round(r.upper_limit, 2),
        "method": r.method,
    }


def band_precondition(filters: Filters, unit: str, can_fetch: bool) -> dict[str, Any] | None:
    """The note saying why the band is not drawn, before asking for it; None: ask."""
    if unit != "week":
        return note("band_weekly_only")
    if not filters.category:
        return note("band_needs_category")
    if not can_fetch:
        return note("band_unavailable", "no incidents service configured")
    return None


def attach_band(series: list[dict[str, Any]], band: Mapping[str, tuple[float, float]]) -> None:
    """Expected and upper limit on each week of the series (None where there is no band)."""
    for row in series:
        expected, upper = band.get(row["period"], (None, None))
        row["expected"], row["upper_limit"] = expected, upper


def by_victim(
    groups: Sequence[str], counts: Mapping[str, tuple[int, int]], key: str
) -> list[dict[str, Any]]:
    """One row per victim group (`groups`): its incidents and, of them, the domestic ones.
    `counts`: group -> (incidents, domestic incidents)."""
    rows = []
    for group in groups:
        n, domestic = counts.get(group, (0, 0))
        rows.append({key: group, "incidents": n, "domestic": domestic})
    return rows


def domestic_by_area(
    reference: Reference, filters: Filters, counts: Mapping[str, tuple[int, int]]
) -> list[dict[str, Any]]:
    """Per child area: domestic-violence incidents, their rate and their share of incidents.
    `counts`: area -> (incidents, domestic incidents)."""
    level = child_level(reference, filters.area)
    rows = []
    for child in children(reference, filters.area):
        n, domestic = counts.get(child, (0, 0))
        rows.append(
            area_row(reference, level, child)
            | {
                "domestic": domestic,
                "incidents": n,
                "domestic_share": figures.share(domestic, n),
                "rate_per_100k": figures.rate_per_100k(
                    domestic, population(reference, level, child)
                ),
            }
        )
    return rows


def domestic_band_precondition(unit: str, can_fetch: bool) -> dict[str, Any] | None:
    """As `band_precondition`, for the domestic series: every category counts, so none is
    needed."""
    if unit != "week":
        return note("band_weekly_only")
    if not can_fetch:
        return note("band_unavailable", "no incidents service configured")
    return None
