"""Areas a forum is attached to, and which fora cover an area.

A forum attached to a station covers that station; one attached to a district covers the
district and its stations; a governorate forum its districts and stations; a national one
everything. So the fora covering an area are those attached to the area or to any area above
it — its chain upwards.
"""

from __future__ import annotations

from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference


class UnknownArea(KeyError):
    pass


def level_of(reference: Reference, area_id: str) -> str:
    """ "station", "district", "governorate" or "national"; UnknownArea otherwise."""
    try:
        return reference.area_level(area_id)
    except KeyError as exc:
        raise UnknownArea(exc.args[0]) from None


def chain_up(reference: Reference, area_id: str) -> dict[str, str]:
    """The area and every area above it, by level (a station gives all four levels)."""
    try:
        return reference.areas_above(area_id)
    except KeyError as exc:
        raise UnknownArea(exc.args[0]) from None


def covering_areas(reference: Reference, area_id: str) -> list[str]:
    """Ids of the areas whose fora cover `area_id` (itself and everything above it)."""
    return list(chain_up(reference, area_id).values())


def contains(reference: Reference, outer: str, inner: str) -> bool:
    """True when `inner` lies within `outer` (or is it)."""
    return outer in covering_areas(reference, inner)


def known_level(
    reference: Reference, area_id: str, field: str | tuple[str, ...] = "area_id"
) -> str:
    """The area's level; a RuleViolation naming `field` if the area is unknown."""
    try:
        return level_of(reference, area_id)
    except UnknownArea as exc:
        raise RuleViolation(field, exc.args[0]) from exc
