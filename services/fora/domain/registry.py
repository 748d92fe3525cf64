"""Where a forum sits: its level, its station, the coordination council above it."""

from __future__ import annotations

from dataclasses import dataclass

from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference

from .areas import contains, known_level


@dataclass(frozen=True)
class Placement:
    level: str
    station_id: str | None  # a station-level forum is attached to its station


def placement(reference: Reference, forum_type: str, area_id: str) -> Placement:
    """A forum of `forum_type` attached to `area_id`: a known area, and a coordination council
    only above stations."""
    level = known_level(reference, area_id)
    if forum_type == "coordination_council" and level == "station":
        raise RuleViolation(
            "area_id", "a coordination council sits above stations: use a district or higher"
        )
    return Placement(level, area_id if level == "station" else None)


def check_parent(
    reference: Reference, parent_type: str | None, parent_area: str | None, area_id: str
) -> None:
    """The parent (None: not registered) is a coordination council whose area holds the forum's."""
    if parent_type != "coordination_council" or parent_area is None:
        raise RuleViolation("parent_forum_id", "must be a registered coordination council")
    if not contains(reference, parent_area, area_id):
        raise RuleViolation(
            "parent_forum_id", f"council's area {parent_area} must contain the forum's"
        )


def check_origin(origin: str | None, programme: str | None) -> None:
    """The establishing programme is named only for a forum a programme or NGO established."""
    if programme is not None and origin != "programme_ngo":
        raise RuleViolation("origin_programme", "only for a forum of origin programme_ngo")
