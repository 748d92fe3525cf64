"""Who sees which complaints, as WHERE clauses on `complaints` (never filtered afterwards)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role

from ..domain.oversight import Jurisdiction
from ..tables import allegations, complaints, oversight_bodies


async def body(session: AsyncSession, body_id: str) -> Jurisdiction | None:
    row: Row[Any] | None = (
        await session.execute(select(oversight_bodies).where(oversight_bodies.c.body_id == body_id))
    ).one_or_none()
    if row is None:
        return None
    return Jurisdiction(row.body_id, row.national, tuple(row.governorates))


def _about_station(station_id: str) -> ColumnElement[bool]:
    named_in_allegation = exists().where(
        (allegations.c.complaint_id == complaints.c.complaint_id)
        & (allegations.c.station_id == station_id)
    )
    return or_(complaints.c.station_id == station_id, named_in_allegation)


def visible(principal: Principal, body: Jurisdiction | None) -> ColumnElement[bool]:
    """What the principal may see (with `body`, its oversight body if any); a principal
    holding several roles sees the union."""
    if principal.has_role(Role.COMPLAINTS_OFFICER):  # admin included
        return true()
    clauses: list[ColumnElement[bool]] = []
    if Role.INVESTIGATOR in principal.roles:
        clauses.append(complaints.c.investigator_id == principal.subject)
    if body is not None:
        clauses.append(
            true() if body.national else complaints.c.governorate_code.in_(list(body.governorates))
        )
    if Role.REVIEWER in principal.roles:
        clauses.append(complaints.c.status == "review_requested")
    if Role.STATION_OFFICER in principal.roles and principal.station_id:
        clauses.append(
            and_(
                complaints.c.intake_station_id == principal.station_id,
                ~_about_station(principal.station_id),
            )
        )
    return or_(*clauses) if clauses else false()
