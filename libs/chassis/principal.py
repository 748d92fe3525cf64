"""Who is calling: roles and the scope a token grants. Pure (no HTTP, no JWT), so domain code
can decide by it; `libs.chassis.auth` builds it from a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    STATION_OFFICER = "station_officer"
    FORUM_COORDINATOR = "forum_coordinator"
    COMPLAINTS_OFFICER = "complaints_officer"
    INVESTIGATOR = "investigator"
    MINISTRY_ANALYST = "ministry_analyst"
    OVERSIGHT = "oversight"
    REVIEWER = "reviewer"  # complaints: a designated reviewer, independent of outcomes
    ADMIN = "admin"


ROLES: frozenset[str] = frozenset(role.value for role in Role)
# Roles that see every station even when the token also names one.
NATIONAL_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.MINISTRY_ANALYST})


@dataclass(frozen=True)
class Principal:
    """Who is calling, with the scope their token grants."""

    subject: str
    roles: frozenset[str]
    station_id: str | None = None
    governorate: str | None = None
    oversight_body: str | None = None

    def has_role(self, *roles: str) -> bool:
        """True if the principal holds any of `roles`; admin holds every role."""
        return Role.ADMIN in self.roles or any(role in self.roles for role in roles)

    @property
    def station_scoped(self) -> bool:
        """True when reads and writes must be limited to `station_id` (possibly none)."""
        return Role.STATION_OFFICER in self.roles and not (self.roles & NATIONAL_ROLES)
