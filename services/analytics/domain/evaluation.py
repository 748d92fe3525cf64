"""A programme's before/after evaluation: a pilot (treated) area against a comparison area,
in a window before the programme started and one of the same length after. Pure: the
parameters and their rules, the intervals, and the rows of the view's tables.

- Windows are whole UTC days, both ends included. The after window starts on or after the
  programme's start, the before window ends before it, and both are **equally long**: the
  weighted displacement difference compares raw counts, so unequal windows would read as a
  change (refused with a 422 naming `after_to`, never silently normalised).
- The WDD, its variance and the Poisson E-test are the incidents service's
  (`GET /v1/evaluations/before-after`, Wheeler & Ratcliffe 2018); its 95% interval here is the
  normal one the paper gives: WDD ± 1.96 · sqrt(Var(WDD)).
- A survey share is sum(positive) / sum(answered) over the shown cells lying in the area, of
  the waves closing in the window (domain.survey); its 95% interval is Wilson's score interval
  (scipy), as if the pooled answers were one binomial sample. A suppressed cell is never
  estimated: it is counted as left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scipy import stats

from libs.chassis import dates
from libs.chassis.errors import RuleViolation
from libs.chassis.principal import Principal
from libs.reference import Reference

from .areas import area_row
from .labels import CODES, national_label
from .scope import Scope, contains, day_param, field_error, require_view, scope_for
from .survey import ITEMS

VIEW = "evaluation"
DEFAULT_DAYS = 90
MAX_DAYS = 366 * 2  # each window; the incidents service takes up to five years
CONFIDENCE = 0.95
Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))  # 1.959964...
ROLES = ("treated", "comparison")  # the two areas, in the order the tables list them
WINDOWS = ("before", "after")


@dataclass(frozen=True)
class Window:
    first: date  # inclusive
    last: date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "days": self.days}


@dataclass(frozen=True)
class Evaluation:
    """The parameters of one evaluation, checked."""

    treated: str
    comparison: str
    start: date  # the programme's first day
    before: Window
    after: Window
    category: str | None  # an ICCS section or division (incidents only), or every incident

    def area(self, role: str) -> str:
        return self.treated if role == "treated" else self.comparison

    def window(self, name: str) -> Window:
        return self.before if name == "before" else self.after

    def as_dict(self) -> dict[str, Any]:
        return {
            "treated": self.treated,
            "comparison": self.comparison,
            "start": self.start.isoformat(),
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "category": self.category,
        }


def _shifted(day: date, days: int, field: str) -> date:
    try:
        moved = day + timedelta(days=days)
    except OverflowError as exc:
        raise field_error(field, f"must be a date {dates.RANGE}") from exc
    if not dates.in_range(moved):
        raise field_error(field, f"the window would leave the calendar {dates.RANGE}")
    return moved


def parse_windows(
    start: str | None,
    days: int | None,
    before_from: str | None,
    before_to: str | None,
    after_from: str | None,
    after_to: str | None,
    today: date,
) -> tuple[date, Window, Window]:
    """The programme's start and the two windows; any end not given follows from `start` and
    `days` (before: the `days` days up to the day before the start; after: `days` days from
    the start). 422 naming the parameter that breaks a rule."""
    first_day = day_param(start, "start")
    if first_day is None:
        raise field_error("start", "required: the programme's first day, YYYY-MM-DD")
    length = DEFAULT_DAYS if days is None else days
    if not 1 <= length <= MAX_DAYS:
        raise field_error("days", f"a window is 1 to {MAX_DAYS} days")
    b_to = day_param(before_to, "before_to") or _shifted(first_day, -1, "start")
    a_from = day_param(after_from, "after_from") or first_day
    b_from = day_param(before_from, "before_from") or _shifted(b_to, 1 - length, "days")
    a_to = day_param(after_to, "after_to") or _shifted(a_from, length - 1, "days")
    if b_to >= first_day:
        raise field_error("before_to", "the before window must end before the programme's start")
    if a_from < first_day:
        raise field_error("after_from", "the after window must not start before the programme")
    if b_from > b_to:
        raise field_error("before_from", "must not be after 'before_to'")
    if a_to < a_from:
        raise field_error("after_to", "must not be before 'after_from'")
    before, after = Window(b_from, b_to), Window(a_from, a_to)
    if before.days > MAX_DAYS:
        raise field_error("before_from", f"a window is at most {MAX_DAYS} days")
    if after.days != before.days:
        raise field_error(
            "after_to",
            f"the after window ({after.days} days) must be as long as the before window "
            f"({before.days} days): the WDD compares counts",
        )
    if a_to > today:
        raise field_error(
            "after_to",
            f"must not be after today ({today.isoformat()}): a window still "
            "running would undercount",
        )
    return first_day, before, after


def _area(reference: Reference, scope: Scope, value: str | None, field: str) -> str:
    if not value:
        raise field_error(field, "required: a station, district, governorate or national id")
    try:
        reference.area_level(value)
    except KeyError as exc:
        raise field_error(field, str(exc.args[0])) from exc
    if scope.area and not contains(reference, scope.area, value):
        raise RuleViolation.forbidden(f"token is scoped to {scope.area}; {value} lies outside it")
    return value


def open_evaluation(
    principal: Principal,
    reference: Reference,
    *,
    treated: str | None,
    comparison: str | None,
    start: str | None,
    days: int | None = None,
    before_from: str | None = None,
    before_to: str | None = None,
    after_from: str | None = None,
    after_to: str | None = None,
    category: str | None = None,
    today: date,
) -> tuple[Scope, Evaluation]:
    """May the caller open the evaluation (403: not an analyst, or a station commander naming
    an area beyond their station), and with which parameters (422 naming one)."""
    scope = scope_for(principal)
    require_view(scope, VIEW)
    start_day, before, after = parse_windows(
        start, days, before_from, before_to, after_from, after_to, today
    )
    if category and (category not in reference.iccs or len(category) not in (2, 4)):
        # the incidents service evaluates ICCS sections and divisions (2 or 4 digits)
        raise field_error("category", f"not an ICCS section or division: {category!r}")
    chosen = Evaluation(
        _area(reference, scope, treated, "treated"),
        _area(reference, scope, comparison, "comparison"),
        start_day,
        before,
        after,
        category or None,
    )
    return scope, chosen


# --- figures ----------------------------------------------------------------------------------


def wilson(positive: int, answered: int) -> tuple[float | None, float | None]:
    """Wilson's score interval (CONFIDENCE) of positive / answered; (None, None) when nobody
    answered."""
    if answered <= 0:
        return None, None
    ci = stats.binomtest(positive, answered).proportion_ci(CONFIDENCE, method="wilson")
    return round(float(ci.low), 4), round(float(ci.high), 4)


def wdd_interval(wdd: float, variance: float) -> tuple[float, float]:
    """WDD ± z · sqrt(Var): the normal interval of Wheeler & Ratcliffe (2018)."""
    half = Z * variance**0.5
    return round(wdd - half, 2), round(wdd + half, 2)


def labelled(reference: Reference, role: str, area: str) -> dict[str, Any]:
    """The first columns of a row about one of the two areas."""
    level = reference.area_level(area)
    if level == "national":
        en, ar = (national_label(reference, lang) for lang in ("en", "ar"))
        return {"role": role, "area": area, "level": level, "name_en": en, "name_ar": ar}
    return {"role": role} | area_row(reference, level, area)


def change_share(before: int, after: int) -> float | None:
    """(after - before) / before, rounded to 4 places; None with nothing before."""
    return round((after - before) / before, 4) if before else None


def count_rows(
    reference: Reference, chosen: Evaluation, counts: Mapping[tuple[str, str], Mapping[str, int]]
) -> dict[str, list[dict[str, Any]]]:
    """The incidents and complaints tables: one row per area, before and after side by side.
    `counts[(role, window)]` holds `incidents`, `received` and `closed`."""
    incidents, complaints = [], []
    for role in ROLES:
        first = labelled(reference, role, chosen.area(role))
        before, after = counts[(role, "before")], counts[(role, "after")]
        incidents.append(
            first
            | {
                "incidents_before": before["incidents"],
                "incidents_after": after["incidents"],
                "incidents_change": after["incidents"] - before["incidents"],
                "incidents_change_share": change_share(before["incidents"], after["incidents"]),
            }
        )
        complaints.append(
            first
            | {
                "received_before": before["received"],
                "received_after": after["received"],
                "closed_before": before["closed"],
                "closed_after": after["closed"],
            }
        )
    return {"incidents": incidents, "complaints": complaints}


def wdd_row(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The incidents service's answer as one row, with the WDD's interval."""
    low, high = wdd_interval(answer["wdd"], answer["wdd_variance"])
    return {
        "treated_before": answer["treated"]["before"],
        "treated_after": answer["treated"]["after"],
        "comparison_before": answer["comparison"]["before"],
        "comparison_after": answer["comparison"]["after"],
        "wdd": answer["wdd"],
        "wdd_ci_low": low,
        "wdd_ci_high": high,
        "wdd_variance": answer["wdd_variance"],
        "wdd_z": round(answer["wdd_z"], 4),
        "wdd_p": round(answer["wdd_p"], 4),
        "etest_p": round(answer["etest_p"], 4),
    }


def counts_differ(row: Mapping[str, Any], incidents: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the incidents service counted differently from this read model (it is behind,
    or the incidents service's storage moved on)."""
    ours = {f"{r['role']}_{w}": r[f"incidents_{w}"] for r in incidents for w in WINDOWS}
    return any(row[key] != value for key, value in ours.items())


def survey_rows(
    reference: Reference,
    chosen: Evaluation,
    shares: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The survey tables. `shares[(role, window)]` has one row per item (domain.survey's
    item_figures: share, answered, positive, suppressed).

    - `survey`: one row per area and item, before and after side by side, each share with its
      Wilson interval, the answers behind it and the cells left out;
    - `survey_shares`: one row per item, the four shares (for the chart)."""
    long: list[dict[str, Any]] = []
    wide: list[dict[str, Any]] = []
    by_item: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        first = labelled(reference, role, chosen.area(role))
        for item in ITEMS:
            en, ar = CODES[item]
            row = first | {"item": item, "item_en": en, "item_ar": ar}
            seen = False
            for window in WINDOWS:
                figures = next(f for f in shares[(role, window)] if f["item"] == item)
                low, high = wilson(figures["positive"], figures["answered"])
                row |= {
                    f"{window}_share": figures["share"],
                    f"{window}_ci_low": low,
                    f"{window}_ci_high": high,
                    f"{window}_answered": figures["answered"],
                    f"{window}_suppressed": figures["suppressed"],
                }
                seen = seen or bool(figures["answered"] or figures["suppressed"])
                by_item.setdefault(item, {"item": item})[f"{role}_{window}_share"] = figures[
                    "share"
                ]
            if seen:
                before, after = row["before_share"], row["after_share"]
                row["share_change"] = (
                    round(after - before, 4) if before is not None and after is not None else None
                )
                long.append(row)
    for item in ITEMS:
        row = by_item[item]
        if any(row.get(f"{r}_{w}_share") is not None for r in ROLES for w in WINDOWS):
            wide.append(row)
    return long, wide


def days_of(value: str | None) -> int | None:
    """The `days` of a page's query string (the API's is parsed by FastAPI)."""
    if not value:
        return None
    if not value.isdigit() or len(value) > 4:
        raise field_error("days", f"a whole number of days, 1 to {MAX_DAYS}")
    return int(value)


def suggest(
    reference: Reference,
    waves: Sequence[tuple[str, date]],
    scope_area: str | None,
    today: date,
    days: int = DEFAULT_DAYS,
) -> dict[str, str]:
    """Defaults the page opens with, so it shows something before anyone chooses: windows of
    `days` days, the after one ending today; the pilot is the area (below the nation) with
    waves closing in both windows (then: with the most waves), the comparison the next such
    area of its level (else the first other area of that level). A station commander's two
    areas are their station."""
    start = today - timedelta(days=days - 1)
    chosen = {"start": start.isoformat(), "days": str(days)}
    if scope_area:
        return chosen | {"treated": scope_area, "comparison": scope_area}
    tally: dict[str, list[int]] = {}
    for area, closes in waves:
        try:
            level = reference.area_level(area)
        except KeyError:
            continue
        if level != "national":
            tally.setdefault(area, [0, 0])[0 if closes < start else 1] += 1
    ranked = sorted(tally, key=lambda a: (min(tally[a]) == 0, -sum(tally[a]), a))
    treated = ranked[0] if ranked else sorted(reference.districts)[0]
    level = reference.area_level(treated)
    same = [a for a in ranked[1:] if reference.area_level(a) == level]
    levels: dict[str, Any] = {
        "governorate": reference.governorates,
        "district": reference.districts,
        "station": reference.stations,
    }
    others = [a for a in sorted(levels[level]) if a != treated]
    return chosen | {"treated": treated, "comparison": (same or others)[0]}


def with_intervals(
    rows: Sequence[Mapping[str, Any]], groups: Sequence[str]
) -> list[dict[str, Any]]:
    """domain.survey's rows by gender with each group's Wilson interval beside its share."""
    out = []
    for row in rows:
        extended = dict(row)
        for group in groups:
            low, high = wilson(row[f"{group}_positive"], row[f"{group}_answered"])
            extended |= {f"{group}_ci_low": low, f"{group}_ci_high": high}
        out.append(extended)
    return out
