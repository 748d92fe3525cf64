"""Casework reads and the end of a case: lists and details (scoped), the audited personal
data, the timeline, erasure once the retention period is over."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role
from libs.chassis.errors import RuleViolation
from libs.chassis.personal_data import PersonalDataVault

from ..domain.clocks import RulePack, add_months, add_span
from ..repositories import cases, events, oversight
from .access import check_investigator_now, load_visible, visible
from .oversight import recommendation_fields

CASE_FIELDS = (
    "complaint_id", "channel", "station_id", "governorate_code", "status", "status_since",
    "received_at", "investigator_id", "investigator_unit", "ledger_sequence", "ledger_head",
    "anonymous", "closed_at", "erased_at",
)  # fmt: skip


def case_fields(row: Row[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CASE_FIELDS}


async def listed(
    session: AsyncSession, principal: Principal, status: str | None, limit: int
) -> list[dict[str, Any]]:
    rows = await cases.listed(session, await visible(session, principal), status, limit)
    return [case_fields(r) for r in rows]


async def detail(session: AsyncSession, principal: Principal, complaint_id: UUID) -> dict[str, Any]:
    row = await load_visible(session, principal, complaint_id)
    found = await cases.allegations_of(session, complaint_id)
    return case_fields(row) | {
        "allegations": [
            {
                "allegation_id": a.allegation_id,
                "category": a.category,
                "against": a.subject_kind,
                "station_id": a.station_id,
                "unit_code": a.unit_code,
                "officer_pseudonym": a.officer_pseudonym,
                "finding": a.finding,
            }
            for a in found
        ]
    }


async def personal_data(
    session: AsyncSession,
    principal: Principal,
    complaint_id: UUID,
    *,
    vault: PersonalDataVault,
    purpose: str,
) -> dict[str, str | None]:
    """The sealed fields; the vault audits the read (who, role, when, fields, purpose). An
    investigator whose own posting (token or directory) is in the subject's chain is refused,
    whatever the assignment said."""
    await load_visible(session, principal, complaint_id)
    if Role.INVESTIGATOR in principal.roles and not principal.has_role(Role.COMPLAINTS_OFFICER):
        locked = await cases.lock(session, complaint_id)
        if locked is not None:
            await check_investigator_now(session, principal, locked[0])
    data = await vault.unseal(session, complaint_id, principal=principal, purpose=purpose)
    if data is None:
        raise RuleViolation(
            None, "the personal data of this complaint has been erased", status=410, code="gone"
        )
    return data


async def timeline(
    session: AsyncSession, principal: Principal, complaint_id: UUID
) -> dict[str, Any]:
    await load_visible(session, principal, complaint_id)
    return {
        "events": await events.timeline(session, complaint_id),
        "recommendations": [
            recommendation_fields(r) for r in await oversight.of_complaint(session, complaint_id)
        ],
    }


async def erase(
    session: AsyncSession,
    principal: Principal,
    complaint_id: UUID,
    *,
    vault: PersonalDataVault,
    pack: RulePack,
    now: datetime,
) -> dict[str, Any]:
    """Crypto-shred the personal data of a closed case past retention; the case, its
    allegations and its ledger stay verifiable."""
    row = await load_visible(session, principal, complaint_id)
    if row.status != "closed" or row.closed_at is None:
        raise RuleViolation.conflict(f"only a closed complaint can be erased; it is {row.status}")
    ends = add_span(row.closed_at, pack.retention, pack)
    if now < ends:
        raise RuleViolation.conflict(f"the retention period runs until {ends.isoformat()}")
    if row.erased_at is not None:
        return {"complaint_id": complaint_id, "erased_at": row.erased_at}
    await vault.erase(session, complaint_id)
    await cases.mark_erased(session, complaint_id, now)
    return {"complaint_id": complaint_id, "erased_at": now}


async def erase_many(
    session: AsyncSession,
    principal: Principal,
    complaint_ids: list[UUID] | None,
    limit: int,
    *,
    vault: PersonalDataVault,
    pack: RulePack,
    now: datetime,
) -> dict[str, Any]:
    """Erase named complaints (each checked as one erasure is), or up to `limit` of the oldest
    eligible ones; at most 500 in one transaction, so a run holds no lock for long."""
    if complaint_ids is None:
        # A little earlier than retention says (working days, month ends): each is re-checked.
        cutoff = add_months(now, -pack.retention.months) - timedelta(
            days=pack.retention.days, seconds=pack.retention.seconds
        )
        complaint_ids = await cases.erasable(session, cutoff, limit)
    erased, refused = [], []
    for complaint_id in complaint_ids:
        try:
            async with session.begin_nested():
                erased.append(
                    await erase(session, principal, complaint_id, vault=vault, pack=pack, now=now)
                )
        except RuleViolation as refusal:
            refused.append({"complaint_id": complaint_id, "reason": refusal.rule})
    return {"erased": erased, "refused": refused}
