"""Who sees which complaints, applied inside queries (never filtered after the fact).

- complaints officers (and admins): every complaint;
- investigators: only the complaints assigned to them (investigator id = token subject);
- oversight bodies: complaints in their registered jurisdiction (national or governorates);
- station officers: complaints filed at their counter, never one about their own station.
A principal holding several roles sees the union.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fastapi import HTTPException
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role

from .domain import COMPLAINTS_OFFICER, INVESTIGATOR, OVERSIGHT
from .tables import allegations, complaints, oversight_bodies

OUT_OF_SCOPE = (
    "this complaint is outside what your token may see (investigators: cases assigned to them; "
    "oversight bodies: their jurisdiction; station officers: never a complaint about their own "
    "station)"
)


@dataclass(frozen=True)
class Jurisdiction:
    body_id: str
    national: bool
    governorates: tuple[str, ...]

    def covers(self, governorate: str) -> bool:
        return self.national or governorate in self.governorates


async def jurisdiction(session: AsyncSession, principal: Principal) -> Jurisdiction | None:
    """The caller's oversight body, if the token is an oversight token naming a registered one."""
    if Role.OVERSIGHT not in principal.roles:
        return None
    if not principal.oversight_body:
        raise HTTPException(403, "oversight token names no oversight_body")
    row = (
        await session.execute(
            select(oversight_bodies).where(oversight_bodies.c.body_id == principal.oversight_body)
        )
    ).one_or_none()
    if row is None:
        raise HTTPException(403, f"oversight body {principal.oversight_body!r} is not registered")
    return Jurisdiction(row.body_id, row.national, tuple(row.governorates))


def _about_station(station_id: str) -> ColumnElement[bool]:
    named_in_allegation = exists().where(
        (allegations.c.complaint_id == complaints.c.complaint_id)
        & (allegations.c.station_id == station_id)
    )
    return or_(complaints.c.station_id == station_id, named_in_allegation)


async def visible(session: AsyncSession, principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on `complaints` for what the principal may see."""
    if principal.has_role(Role.COMPLAINTS_OFFICER):  # admin included
        return true()
    clauses: list[ColumnElement[bool]] = []
    if Role.INVESTIGATOR in principal.roles:
        clauses.append(complaints.c.investigator_id == principal.subject)
    body = await jurisdiction(session, principal)
    if body is not None:
        clauses.append(
            true() if body.national else complaints.c.governorate_code.in_(list(body.governorates))
        )
    if Role.STATION_OFFICER in principal.roles and principal.station_id:
        clauses.append(
            and_(
                complaints.c.intake_station_id == principal.station_id,
                ~_about_station(principal.station_id),
            )
        )
    return or_(*clauses) if clauses else false()


async def load_visible(session: AsyncSession, principal: Principal, complaint_id: UUID):
    """The complaint row if the principal may see it; 404 if none, 403 if out of scope."""
    row = (
        await session.execute(
            select(complaints).where(
                complaints.c.complaint_id == complaint_id, await visible(session, principal)
            )
        )
    ).one_or_none()
    if row is not None:
        return row
    found = await session.scalar(
        select(complaints.c.complaint_id).where(complaints.c.complaint_id == complaint_id)
    )
    if found is None:
        raise HTTPException(404, f"no complaint {complaint_id}")
    raise HTTPException(403, OUT_OF_SCOPE)


async def actors(session: AsyncSession, principal: Principal, row) -> frozenset[str]:
    """What the principal may act as on this (visible) complaint."""
    out = set()
    if principal.has_role(Role.COMPLAINTS_OFFICER):
        out.add(COMPLAINTS_OFFICER)
    if Role.INVESTIGATOR in principal.roles and row.investigator_id == principal.subject:
        out.add(INVESTIGATOR)
    if Role.ADMIN in principal.roles:
        out.add(OVERSIGHT)
    else:
        body = await jurisdiction(session, principal)
        if body is not None and body.covers(row.governorate_code):
            out.add(OVERSIGHT)
    return frozenset(out)
