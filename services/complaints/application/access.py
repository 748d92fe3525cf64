"""Who may see and do what, resolved for a caller (the clauses are in repositories.access).

- complaints officers (and admins): every complaint;
- investigators: only the complaints assigned to them (investigator id = token subject);
- oversight bodies: complaints in their registered jurisdiction (national or governorates);
- station officers: complaints filed at their counter, never one about their own station;
- reviewers (a designated review role): complaints whose review was requested.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role
from libs.chassis.errors import RuleViolation

from ..domain.lifecycle import (
    COMPLAINTS_OFFICER,
    INVESTIGATOR,
    OVERSIGHT,
    REVIEWER,
    Case,
    Posting,
    conflict_of_interest,
)
from ..domain.oversight import Jurisdiction
from ..repositories import access, cases
from . import staff

OUT_OF_SCOPE = (
    "this complaint is outside what your token may see (investigators: cases assigned to them; "
    "oversight bodies: their jurisdiction; station officers: never a complaint about their own "
    "station)"
)


async def jurisdiction(session: AsyncSession, principal: Principal) -> Jurisdiction | None:
    """The caller's oversight body, if the token is an oversight token naming a registered one."""
    if Role.OVERSIGHT not in principal.roles:
        return None
    if not principal.oversight_body:
        raise RuleViolation.forbidden("oversight token names no oversight_body")
    body = await access.body(session, principal.oversight_body)
    if body is None:
        raise RuleViolation.forbidden(
            f"oversight body {principal.oversight_body!r} is not registered"
        )
    return body


async def visible(session: AsyncSession, principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on `complaints` for what the principal may see."""
    if principal.has_role(Role.COMPLAINTS_OFFICER):  # no oversight body to look up
        return access.visible(principal, None)
    return access.visible(principal, await jurisdiction(session, principal))


async def refuse(session: AsyncSession, complaint_id: UUID) -> RuleViolation:
    """Why a complaint the principal may not see was not found: 404 if none, 403 if out of
    scope."""
    if not await cases.exists(session, complaint_id):
        return RuleViolation.not_found(f"no complaint {complaint_id}")
    return RuleViolation.forbidden(OUT_OF_SCOPE)


async def load_visible(session: AsyncSession, principal: Principal, complaint_id: UUID) -> Row[Any]:
    """The complaint row if the principal may see it."""
    row = await cases.visible_one(session, complaint_id, await visible(session, principal))
    if row is None:
        raise await refuse(session, complaint_id)
    return row


async def actors(
    session: AsyncSession, principal: Principal, investigator_id: str | None, governorate: str
) -> frozenset[str]:
    """What the principal may act as on a (visible) complaint."""
    out = set()
    if principal.has_role(Role.COMPLAINTS_OFFICER):
        out.add(COMPLAINTS_OFFICER)
    if Role.INVESTIGATOR in principal.roles and investigator_id == principal.subject:
        out.add(INVESTIGATOR)
    if Role.REVIEWER in principal.roles:
        out.add(REVIEWER)
    if Role.ADMIN in principal.roles:
        out.add(OVERSIGHT)
    else:
        body = await jurisdiction(session, principal)
        if body is not None and body.covers(governorate):
            out.add(OVERSIGHT)
    return frozenset(out)


async def check_investigator_now(session: AsyncSession, principal: Principal, case: Case) -> None:
    """An assigned investigator acting on the case is still independent of it, as their token
    and the directory say now (a posting may have changed since the assignment)."""
    entry = await staff.posting_of(session, principal.subject)
    token = Posting(None, principal.station_id, principal.governorate)
    for posting in (token, entry[0] if entry else Posting()):
        why = conflict_of_interest(case, posting)
        if why:
            raise RuleViolation.conflict(
                f"you are {why}: you may not act on this complaint "
                "(rule: investigator_outside_subject_chain)",
                code="conflict_of_interest",
                ctx={"rule": "investigator_outside_subject_chain"},
            )
