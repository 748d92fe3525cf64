"""The public transparency report: a month's crime and complaints per governorate.

Counts from 1 to 4 are published as "<5" (and a second cell withheld where a total would
reveal a lone small one); rates of withheld counts are withheld too. Only codes, area names
and counts: nothing about a person.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from libs.chassis import dates
from libs.reference import Reference, load_reference

from . import figures
from .labels import WORDS
from .scope import Filters, field_error

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
COLUMNS = ("incidents", "complaints_received", "complaints_closed")
# the footnote, in English in the JSON; the page shows it in its language (labels.WORDS)
RULE = WORDS["public_report_rule"][0]


def month_filters(month: str | None, today: date) -> Filters:
    """The month's filters; default: the last full month. 422 naming `month` when wrong."""
    reference = load_reference()
    if month is None:
        first_of_this = today.replace(day=1)
        last = date.fromordinal(first_of_this.toordinal() - 1)
        month = last.strftime("%Y-%m")
    if not MONTH.match(month):
        raise field_error("month", "must be YYYY-MM")
    year, number = int(month[:4]), int(month[5:])
    start = date(year, number, 1) if year else date.min
    if not dates.in_range(start):
        raise field_error(
            "month", f"must be a month from {dates.EARLIEST:%Y-%m} to {dates.LATEST:%Y-%m}"
        )
    if start > today:
        raise field_error("month", "must not be in the future")
    end = date(year, number, calendar.monthrange(year, number)[1])
    return Filters(start, end, reference.national_code, None)


def publishable(
    raw: dict[str, dict[str, int]], governorates: list[str]
) -> dict[str, dict[str, Any]]:
    """Suppressed cells per column, the national total included."""
    out: dict[str, dict[str, Any]] = {}
    for column in COLUMNS:
        counts = {g: raw[column].get(g, 0) for g in governorates}
        shown = figures.suppress_column(counts)
        shown["total"] = figures.suppress(sum(counts.values()))
        out[column] = shown
    return out


def _rate(shown: int | str, population: int | None) -> float | str | None:
    """A shown count's rate; a withheld count's rate is withheld as it is."""
    return figures.rate_per_100k(shown, population) if isinstance(shown, int) else shown


def report(
    reference: Reference, filters: Filters, raw: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """The report from the true counts per column and governorate (never published as
    they are)."""
    governorates = sorted(reference.governorates)
    shown = publishable(raw, governorates)
    rows = []
    for g in governorates:
        item = reference.governorates[g]
        rows.append(
            {"governorate": g, "name_en": item.name_en, "name_ar": item.name_ar}
            | {column: shown[column][g] for column in COLUMNS}
            | {"incidents_per_100k": _rate(shown["incidents"][g], item.population)}
        )
    population = sum(g.population for g in reference.governorates.values())
    total = {
        "governorate": reference.national_code,
        "name_en": reference.national_name_en,
        "name_ar": reference.national_name_ar,
        **{column: shown[column]["total"] for column in COLUMNS},
        "incidents_per_100k": _rate(shown["incidents"]["total"], population),
    }
    return {
        "report": "public",
        "month": filters.start.strftime("%Y-%m"),
        "rows": rows,
        "total": total,
        "rule": RULE,
    }
