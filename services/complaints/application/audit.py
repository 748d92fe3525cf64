"""Who read which complaint's personal data, when and why: for an admin (every complaint) and
an oversight body (the complaints of its jurisdiction). The answer names fields, never their
values, and no complainant."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role
from libs.chassis.errors import RuleViolation

from ..repositories import audit
from . import access


async def reads(
    session: AsyncSession,
    principal: Principal,
    *,
    actor: str | None = None,
    complaint_id: UUID | None = None,
    purpose: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    if since is not None and until is not None and until <= since:
        raise RuleViolation(("query", "until"), "the period must end after it starts")
    if Role.ADMIN not in principal.roles and await access.jurisdiction(session, principal) is None:
        raise RuleViolation.forbidden("the read audit is for admins and oversight bodies")
    rows = await audit.reads(
        session,
        await access.visible(session, principal),
        actor=actor,
        complaint_id=complaint_id,
        purpose=purpose,
        since=since,
        until=until,
        after=after,
        limit=limit,
    )
    return {
        "items": [dict(r._mapping) for r in rows],
        "next_cursor": rows[-1].id if rows else after,
    }
