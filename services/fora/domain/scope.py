"""Whose data a token reaches, as sets of area ids the repositories turn into conditions.

- national (ministry analysts, admins, a coordinator whose token names no area): everything;
- a station (a station officer; a coordinator with a station claim): the fora attached to
  that station, and records of an area alone (waves, plans, activities without a forum) of an
  area the station lies in;
- a governorate (a coordinator with a governorate claim): the fora attached to the
  governorate or anything inside it, and area records of those areas.

A forum's meetings, members, concerns, actions, SARA cases, waves, plans and activities are
reached through their forum. Reports over an area (activities, health) may be asked for an
area the scope touches; they count only what the scope reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

from libs.chassis.errors import RuleViolation
from libs.chassis.principal import NATIONAL_ROLES, Principal, Role
from libs.reference.model import Reference


@dataclass(frozen=True)
class Scope:
    station_id: str | None = None
    governorate: str | None = None

    @property
    def national(self) -> bool:
        return self.station_id is None and self.governorate is None

    def forum_areas(self, reference: Reference) -> frozenset[str] | None:
        """The areas a forum in scope is attached to; None: every area."""
        if self.station_id is not None:
            return frozenset({self.station_id})
        if self.governorate is not None:
            return reference.areas_within(self.governorate)
        return None

    def record_areas(self, reference: Reference) -> frozenset[str] | None:
        """The areas whose records without a forum are in scope; None: every area."""
        if self.station_id is not None:
            return frozenset(reference.areas_above(self.station_id).values())
        return self.forum_areas(reference)

    def reaches_area(self, reference: Reference, area_id: str) -> bool:
        areas = self.record_areas(reference)
        return areas is None or area_id in areas

    def may_report_on(self, reference: Reference, area_id: str) -> bool:
        """A report over `area_id` is one this scope has something in: an area it lies in,
        or (a governorate) one inside it."""
        if self.national or self.reaches_area(reference, area_id):
            return True
        if self.governorate is not None:
            return area_id in reference.areas_above(self.governorate).values()
        return False

    def describe(self) -> str:
        if self.station_id is not None:
            return f"station {self.station_id}"
        return f"governorate {self.governorate}" if self.governorate else "the whole country"


def scope_of(principal: Principal, reference: Reference) -> Scope:
    """The scope a token grants in fora (403 for a claim that names nothing known)."""
    if principal.roles & NATIONAL_ROLES:
        return Scope()
    if principal.station_scoped or Role.FORUM_COORDINATOR in principal.roles:
        if principal.station_id:
            if principal.station_id not in reference.stations:
                raise RuleViolation.forbidden("the token's station is not a known station")
            return Scope(station_id=principal.station_id)
        if principal.station_scoped:
            raise RuleViolation.forbidden("token is station-scoped but names no station")
        if principal.governorate:
            if principal.governorate not in reference.governorates:
                raise RuleViolation.forbidden("the token's governorate is not a known governorate")
            return Scope(governorate=principal.governorate)
    return Scope()
