"""Areas as the views show them: the rows a breakdown lists, their labels and populations, the
area columns read models carry, the areas whose alerts concern a filter."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from libs.reference import Reference, load_reference

from .scope import ABOVE, ancestors, child_level


def area_columns(area: str | None) -> dict[str, str | None]:
    """The station, district and governorate an area lies in (None above its level), so
    figures roll up and filter alike in every view."""
    try:
        chain = load_reference().areas_above(area) if area else {}
    except KeyError:  # an area this reference set does not know: it rolls up nowhere
        chain = {}
    return {
        "station_id": chain.get("station"),
        "district_code": chain.get("district"),
        "governorate_code": chain.get("governorate"),
    }


def children(reference: Reference, area: str) -> list[str]:
    """The rows of a breakdown of `area` at its child level (a station: itself)."""
    level = child_level(reference, area)
    if reference.area_level(area) == "station":
        return [area]
    if level == "governorate":
        return sorted(reference.governorates)
    if level == "district":
        return sorted(d.code for d in reference.districts.values() if d.governorate_code == area)
    return reference.stations_in(area)


def population(reference: Reference, level: str, area: str) -> int | None:
    """Residents of an area (stations have none: their figures carry no rate)."""
    if level == "station":
        return None
    return reference.population(level, area)  # type: ignore[arg-type]


def area_row(reference: Reference, level: str, area: str) -> dict[str, Any]:
    levels: dict[str, Mapping[str, Any]] = {
        "governorate": reference.governorates,
        "district": reference.districts,
        "station": reference.stations,
    }
    names = levels[level]
    item = names.get(area)
    return {
        "area": area,
        "level": level,
        "name_en": item.name_en if item else area,
        "name_ar": item.name_ar if item else area,
    }


def rows_per_child(
    reference: Reference,
    area: str,
    level: str,
    present: Collection[str],
    figures_of: Callable[[str], Mapping[str, Any]],
    above: tuple[str, str] = ("Above this level", "على مستوى أعلى"),
) -> list[dict[str, Any]]:
    """A breakdown's rows: one per child area of `area` at `level`, each its label and
    `figures_of(child)`, and one more row (`above`, English and Arabic) for what is recorded
    above that level when `present` holds ABOVE: figures not tied to a child still add up."""
    rows_of = children(reference, area)
    if ABOVE in present:
        rows_of = [*rows_of, ABOVE]
    above_row: dict[str, Any] = {
        "area": ABOVE,
        "level": level,
        "name_en": above[0],
        "name_ar": above[1],
    }
    return [
        (above_row if child == ABOVE else area_row(reference, level, child))
        | dict(figures_of(child))
        for child in rows_of
    ]


def relevant_areas(reference: Reference, area: str) -> list[str]:
    """Alerts worth showing for an area: its own, those above it and those inside it."""
    if reference.area_level(area) == "station":
        return ancestors(reference, area)
    stations = reference.stations_in(area)
    inside = set(stations)
    inside |= {reference.stations[s].district_code for s in stations}
    inside |= {reference.stations[s].governorate_code for s in stations}
    return sorted(set(ancestors(reference, area)) | inside)
