"""Complaints and their allegations."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, bindparam, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.clocks import StatusEntry, status_history
from ..domain.lifecycle import CLOCKS_STOPPED, Allegation, Case, Decision
from ..tables import allegations, complaints, notifications
from . import events


async def add(
    session: AsyncSession, case: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> None:
    await session.execute(complaints.insert().values(**case))
    await session.execute(allegations.insert(), list(rows))


async def set_pin_hash(session: AsyncSession, complaint_id: UUID, pin_hash: str) -> None:
    await session.execute(
        update(complaints)
        .where(complaints.c.complaint_id == complaint_id)
        .values(pin_hash=pin_hash)
    )


async def by_reference(session: AsyncSession, reference: str) -> Row[Any] | None:
    return (
        await session.execute(select(complaints).where(complaints.c.reference == reference))
    ).one_or_none()


async def allegations_of(session: AsyncSession, complaint_id: UUID) -> list[Allegation]:
    rows = await session.execute(
        select(allegations)
        .where(allegations.c.complaint_id == complaint_id)
        .order_by(allegations.c.position)
    )
    return [
        Allegation(
            allegation_id=r.allegation_id,
            category=r.category,
            subject_kind=r.subject_kind,
            station_id=r.station_id,
            unit_code=r.unit_code,
            officer_pseudonym=r.officer_pseudonym,
            finding=r.finding,
        )
        for r in rows
    ]


async def lock(
    session: AsyncSession, complaint_id: UUID, visible: ColumnElement[bool] | None = None
) -> tuple[Case, list[StatusEntry]] | None:
    """The complaint (if `visible`, when given) with its row locked for the rest of the
    transaction, its allegations and its status history (for the clocks)."""
    row = (
        await session.execute(
            select(complaints)
            .where(
                complaints.c.complaint_id == complaint_id, true() if visible is None else visible
            )
            .with_for_update(of=complaints)
        )
    ).one_or_none()
    if row is None:
        return None
    case = Case(
        complaint_id=row.complaint_id,
        status=row.status,
        governorate_code=row.governorate_code,
        station_id=row.station_id,
        allegations=await allegations_of(session, complaint_id),
        ledger_sequence=row.ledger_sequence,
        ledger_head=row.ledger_head,
        has_contact=row.has_contact,
        language=row.language,
        investigator_id=row.investigator_id,
        anonymous=row.anonymous,
        outcome_by=row.outcome_by,
        outcome_actor=row.outcome_actor,
    )
    return case, status_history(await events.ledger_entries(session, complaint_id))


async def apply(session: AsyncSession, complaint_id: UUID, decision: Decision) -> None:
    """The row changes of a decided move: the complaint, its findings, its notifications."""
    await session.execute(
        update(complaints)
        .where(complaints.c.complaint_id == complaint_id)
        .values(**decision.changes)
    )
    if decision.findings:
        await session.execute(
            update(allegations)
            .where(allegations.c.allegation_id == bindparam("a_id"))
            .values(finding=bindparam("a_finding"), finding_at=decision.at),
            [{"a_id": a, "a_finding": f} for a, f in decision.findings.items()],
        )
    if decision.notifications:
        await session.execute(
            insert(notifications),
            [
                {
                    "complaint_id": complaint_id,
                    "about": n.about,
                    "language": n.language,
                    "details": json.dumps(dict(n.details), sort_keys=True) if n.details else None,
                }
                for n in decision.notifications
            ],
        )


async def listed(
    session: AsyncSession, visible: ColumnElement[bool], status: str | None, limit: int
) -> list[Row[Any]]:
    query = select(complaints).where(visible).order_by(complaints.c.received_at.desc()).limit(limit)
    if status:
        query = query.where(complaints.c.status == status)
    return list((await session.execute(query)).all())


async def visible_one(
    session: AsyncSession, complaint_id: UUID, visible: ColumnElement[bool]
) -> Row[Any] | None:
    return (
        await session.execute(
            select(complaints).where(complaints.c.complaint_id == complaint_id, visible)
        )
    ).one_or_none()


async def exists(session: AsyncSession, complaint_id: UUID) -> bool:
    found = await session.scalar(
        select(complaints.c.complaint_id).where(complaints.c.complaint_id == complaint_id)
    )
    return found is not None


async def mark_erased(session: AsyncSession, complaint_id: UUID, now: datetime) -> None:
    """The case stays; it has no contact any more and its pending messages are dropped."""
    await session.execute(
        update(complaints)
        .where(complaints.c.complaint_id == complaint_id)
        .values(erased_at=now, has_contact=False)
    )
    await session.execute(
        update(notifications)
        .where(notifications.c.complaint_id == complaint_id)
        .where(notifications.c.state == "pending")
        .values(state="failed", last_error="personal data erased")
    )


async def erasable(session: AsyncSession, closed_before: datetime, limit: int) -> list[UUID]:
    """Closed complaints, closed before `closed_before` and not erased yet, oldest first."""
    rows = await session.scalars(
        select(complaints.c.complaint_id)
        .where(
            complaints.c.status == "closed",
            complaints.c.closed_at < closed_before,
            complaints.c.erased_at.is_(None),
        )
        .order_by(complaints.c.closed_at)
        .limit(limit)
    )
    return list(rows)


async def running_clocks(session: AsyncSession) -> list[tuple[UUID, str]]:
    """(complaint id, governorate) of every complaint whose clocks still run."""
    rows = await session.execute(
        select(complaints.c.complaint_id, complaints.c.governorate_code).where(
            complaints.c.status.not_in(CLOCKS_STOPPED)
        )
    )
    return [(r.complaint_id, r.governorate_code) for r in rows]
