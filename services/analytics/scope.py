"""Who sees what, and the filters of a view, turned into conditions inside the queries.

- ministry analysts (and admins): every view, the whole country;
- a station commander (station_officer token naming a station): crime, accountability and
  engagement of their own station, and its scorecard;
- an oversight body: the accountability view only, for its jurisdiction: the governorate in
  the token's `governorate` claim, or the whole country when the token names none;
- the complaints unit (complaints_officer): the accountability view, nationally.
An area filter must lie inside the caller's scope (403 otherwise): scope is never widened by
a filter, and it is applied in the WHERE clause, not after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from fastapi import HTTPException
from sqlalchemy import ColumnElement, Table, and_, or_, true

from libs.chassis.auth import Principal, Role
from libs.reference import Reference, load_reference

View = Literal["crime", "accountability", "engagement", "scorecard", "overview"]
ALL_VIEWS: frozenset[str] = frozenset(View.__args__)  # type: ignore[attr-defined]
DEFAULT_DAYS = 365
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Scope:
    """The area a caller may see (None: the whole country) and the views open to them."""

    area: str | None
    views: frozenset[str]
    who: str

    def allows(self, view: str) -> bool:
        return view in self.views


def scope_for(principal: Principal) -> Scope:
    if principal.has_role(Role.MINISTRY_ANALYST):  # admin included
        return Scope(None, ALL_VIEWS, "analyst")
    if principal.station_scoped:
        if not principal.station_id:
            raise HTTPException(403, "token is station-scoped but names no station")
        views = frozenset({"crime", "accountability", "engagement", "scorecard"})
        return Scope(principal.station_id, views, "station")
    if Role.OVERSIGHT in principal.roles:
        return Scope(principal.governorate, frozenset({"accountability"}), "oversight")
    if Role.COMPLAINTS_OFFICER in principal.roles:
        return Scope(None, frozenset({"accountability"}), "complaints_unit")
    raise HTTPException(
        403, "requires role: ministry_analyst, station_officer, oversight or complaints_officer"
    )


def require_view(scope: Scope, view: str) -> None:
    if not scope.allows(view):
        raise HTTPException(403, f"the {view} view is not open to this token ({scope.who})")


def field_error(field: str, rule: str) -> HTTPException:
    """A 422 in FastAPI's own shape, naming the query parameter and the rule it broke."""
    return HTTPException(422, [{"loc": ["query", field], "msg": rule, "type": "rule"}])


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

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "area": self.area,
            "category": self.category,
        }


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise field_error(field, f"must be a date YYYY-MM-DD, got {value!r}") from exc


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
    last = _day(end, "to") or today
    first = _day(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
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
        raise HTTPException(403, f"token is scoped to {scope.area}; {chosen} lies outside it")
    if category and categories is not None and category not in categories:
        raise field_error("category", f"unknown category {category!r}")
    return Filters(first, last, chosen, category or None)


def area_clause(table: Table, area: str) -> ColumnElement[bool]:
    """Rows of `table` in `area`, by its station, district and governorate columns."""
    reference = load_reference()
    level = reference.area_level(area)
    c = table.c
    if level == "national":
        return true()
    if level == "governorate":
        return c.governorate_code == area
    if level == "station":
        return c.station_id == area
    if "district_code" in c:
        return c.district_code == area
    return c.station_id.in_(reference.stations_in(area))


def child_level(reference: Reference, area: str) -> str:
    """The level an area's figures are broken down by: nation → governorates → districts →
    stations."""
    level = reference.area_level(area)
    return {"national": "governorate", "governorate": "district"}.get(level, "station")


ABOVE = "above"  # rows above the breakdown level (e.g. a governorate council among districts)


def rolls_into(level: str, row) -> str:
    """The area at `level` a row counts in, by its station, district and governorate columns;
    ABOVE when the row sits above that level (or in no known area)."""
    value = {
        "governorate": row.governorate_code,
        "district": row.district_code,
        "station": row.station_id,
    }[level]
    return value or ABOVE


def area_name(reference: Reference, area: str | None, lang: str) -> str:
    """A display name for an area id in English or Arabic (the id itself when unknown)."""
    if area is None:
        return "—"
    for areas, en, ar in (
        (reference.governorates, "name_en", "name_ar"),
        (reference.districts, "name_en", "name_ar"),
        (reference.stations, "name_en", "name_ar"),
    ):
        if area in areas:
            return getattr(areas[area], ar if lang == "ar" else en)
    if area == reference.national_code:
        return "المستوى الوطني" if lang == "ar" else "National"
    return area


def or_any(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return or_(*clauses) if clauses else true()


def and_all(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return and_(*clauses) if clauses else true()
