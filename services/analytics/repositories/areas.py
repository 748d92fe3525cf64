"""The area filter as a condition inside the WHERE clause (never applied after the query)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, true

from libs.reference import load_reference


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
