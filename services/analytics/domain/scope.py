"""Who sees what, and the filters of a view.

- ministry analysts (and admins): every view, the whole country;
- a station commander (station_officer token naming a station): crime, accountability and
  engagement of their own station, and its scorecard;
- an oversight body: the accountability view only, for its jurisdiction: the governorate in
  the token's `governorate` claim, or the whole country when the token names none;
- the complaints unit (complaints_officer): the accountability view, nationally.
An area filter must lie inside the caller's scope (403 otherwise): scope is never widened by
a filter. The repositories turn the area into a condition inside the WHERE clause, not after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol, get_args

from libs.chassis import dates
from libs.chassis.errors import RuleViolation
from libs.chassis.principal import Principal
from libs.contracts.complaints import AllegationCategory
from libs.contracts.fora import ForumType, PlanIndicatorValued
from libs.reference import Reference, load_reference

View = Literal[
    "crime", "accountability", "engagement", "scorecard", "overview", "evaluation",
    "outreach", "membership", "plans", "sara",
]  # fmt: skip
#: The programme views (programme.view): open to whoever may open the engagement view.
PROGRAMME_VIEWS = ("outreach", "membership", "plans", "sara")
VIEWS = ("overview", "crime", "accountability", "engagement", "scorecard")
ALL_VIEWS: frozenset[str] = frozenset(View.__args__)  # type: ignore[attr-defined]
DEFAULT_DAYS = 365
MAX_DAYS = 366 * 5
# The role names of libs.chassis.auth.Role (a StrEnum, so they compare equal); that module
# speaks HTTP, so the rules name the roles rather than import it.
MINISTRY_ANALYST = "ministry_analyst"
OVERSIGHT = "oversight"
COMPLAINTS_OFFICER = "complaints_officer"


@dataclass(frozen=True)
class Scope:
    """The area a caller may see (None: the whole country) and the views open to them."""

    area: str | None
    views: frozenset[str]
    who: str

    def allows(self, view: str) -> bool:
        return view in self.views


def scope_for(principal: Principal) -> Scope:
    if principal.has_role(MINISTRY_ANALYST):  # admin included
        return Scope(None, ALL_VIEWS, "analyst")
    if principal.station_scoped:
        if not principal.station_id:
            raise RuleViolation.forbidden("token is station-scoped but names no station")
        # the before/after evaluation too, of areas inside their station (domain.evaluation)
        views = frozenset(
            {"crime", "accountability", "engagement", "scorecard", "evaluation", *PROGRAMME_VIEWS}
        )
        return Scope(principal.station_id, views, "station")
    if OVERSIGHT in principal.roles:
        return Scope(principal.governorate, frozenset({"accountability"}), "oversight")
    if COMPLAINTS_OFFICER in principal.roles:
        return Scope(None, frozenset({"accountability"}), "complaints_unit")
    raise RuleViolation.forbidden(
        "requires role: ministry_analyst, station_officer, oversight or complaints_officer"
    )


def require_view(scope: Scope, view: str) -> None:
    if not scope.allows(view):
        raise RuleViolation.forbidden(f"the {view} view is not open to this token ({scope.who})")


def field_error(field: str, rule: str) -> RuleViolation:
    """A 422 naming the query parameter and the rule it broke."""
    return RuleViolation(("query", field), rule)


@dataclass(frozen=True)
class Filters:
    start: date  # inclusive
    end: date  # inclusive
    area: str  # an area id: station, district, governorate or the national code
    category: str | None

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time(), UTC)

    @property
    def end_before(self) -> datetime:
        """The first instant after the period (periods are whole UTC days)."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time(), UTC)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "area": self.area,
            "category": self.category,
        }


def day_param(value: str | None, field: str) -> date | None:
    """A date query parameter, or None when absent; a 422 naming `field` otherwise."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise field_error(field, "must be a date YYYY-MM-DD") from exc
    if not dates.in_range(day):
        raise field_error(field, f"must be a date {dates.RANGE}")
    return day


def contains(reference: Reference, outer: str, inner: str) -> bool:
    """True when area `inner` lies in (or is) area `outer`."""
    return outer in ancestors(reference, inner)


def ancestors(reference: Reference, area: str) -> list[str]:
    """The area and every area above it, up to the nation."""
    level = reference.area_level(area)
    if level == "station":
        chain = reference.area_chain(area)
        return [chain["station"], chain["district"], chain["governorate"], chain["national"]]
    if level == "district":
        d = reference.districts[area]
        return [area, d.governorate_code, reference.national_code]
    if level == "governorate":
        return [area, reference.national_code]
    return [area]


def parse_filters(
    scope: Scope,
    *,
    start: str | None,
    end: str | None,
    area: str | None,
    category: str | None,
    categories: frozenset[str] | None = None,
    today: date | None = None,
) -> Filters:
    """Validate the filters (422 naming the field) and fit them to the scope (403)."""
    reference = load_reference()
    today = today or datetime.now(UTC).date()
    last = day_param(end, "to") or today
    first = day_param(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise field_error("from", "must not be after 'to'")
    if (last - first).days > MAX_DAYS:
        raise field_error("from", f"a period may span at most {MAX_DAYS} days")
    chosen = area or scope.area or reference.national_code
    try:
        reference.area_level(chosen)
    except KeyError as exc:
        raise field_error("area", str(exc.args[0])) from exc
    if scope.area and not contains(reference, scope.area, chosen):
        raise RuleViolation.forbidden(f"token is scoped to {scope.area}; {chosen} lies outside it")
    if category and categories is not None and category not in categories:
        raise field_error("category", f"unknown category {category!r}")
    return Filters(first, last, chosen, category or None)


def child_level(reference: Reference, area: str) -> str:
    """The level an area's figures are broken down by: nation → governorates → districts →
    stations."""
    level = reference.area_level(area)
    return {"national": "governorate", "governorate": "district"}.get(level, "station")


ABOVE = "above"  # rows above the breakdown level (e.g. a governorate council among districts)


class Placed(Protocol):
    """A read-model row carrying the area columns (see domain.areas.area_columns)."""

    @property
    def station_id(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def governorate_code(self) -> str | None: ...


def rolls_into(level: str, row: Placed) -> str:
    """The area at `level` a row counts in, by its station, district and governorate columns;
    ABOVE when the row sits above that level (or in no known area)."""
    value = {
        "governorate": row.governorate_code,
        "district": row.district_code,
        "station": row.station_id,
    }[level]
    return value or ABOVE


def categories(view: str) -> frozenset[str]:
    """What the category filter means in each view: ICCS codes for crime (and the combined
    views), allegation categories for accountability, forum types for engagement and
    membership, activity kinds for outreach, indicator sources for plans, ICCS for sara."""
    if view == "accountability":
        return frozenset(get_args(AllegationCategory))
    if view in ("engagement", "membership"):
        return frozenset(get_args(ForumType))
    if view == "outreach":  # activity kinds
        return frozenset(load_reference().vocabulary("activity_kinds").codes)
    if view == "plans":  # indicator sources
        return frozenset(get_args(PlanIndicatorValued.model_fields["source"].annotation))
    return frozenset(load_reference().iccs)  # sara: the problem's ICCS section or division


def open_view(
    principal: Principal,
    view: str,
    *,
    start: str | None = None,
    end: str | None = None,
    area: str | None = None,
    category: str | None = None,
) -> tuple[Scope, Filters]:
    """May the caller open the view, and with which filters (403, 404, 422 otherwise)."""
    scope = scope_for(principal)
    require_view(scope, view)
    if view == "scorecard" and (not area or area not in load_reference().stations):
        raise RuleViolation.not_found(f"no station {area!r}")
    filters = parse_filters(
        scope, start=start, end=end, area=area, category=category, categories=categories(view)
    )
    return scope, filters
