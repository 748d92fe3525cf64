"""The complainant's own view, reached with the reference and the PIN: status, next deadline
(overdue ones stay shown), what was decided (findings per allegation, outcome, reasons, the
review period) and the complaint's chain with the signed head covering it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis import rate_limit
from libs.chassis.errors import RuleViolation
from libs.chassis.rate_limit import Backoff
from libs.contracts.complaints import ComplaintStatusChanged

from ..domain import ledger
from ..domain.clocks import (
    RulePack,
    StatusEntry,
    current_run,
    review_window_ends,
    shown_deadline,
    status_history,
)
from ..domain.identifiers import normalise_reference
from ..domain.lifecycle import NO_CONTACT_REASONS, NOTIFICATION_QUEUED
from ..domain.texts import (
    NO_CONTACT_TEXT,
    OVERDUE_TEXT,
    category_text,
    clock_text,
    date_text,
    finding_text,
    reason_text,
    status_text,
)
from ..pins import pin_matches
from ..repositories import cases, events
from .ledger import signed_head

NOT_FOUND = "no complaint with this reference and PIN"


async def tracked(
    sessions: async_sessionmaker[AsyncSession],
    limit: Backoff,
    reference: str,
    pin: str | None,
    *,
    address: str = "unknown",
) -> Row[Any]:
    """The complaint behind a reference, if the PIN is right.

    Wrong PINs make the next try from the same client address wait longer (per reference +
    address, growing, capped): guessing is slowed, and whoever holds the right PIN is never
    locked out. Unlike the other use cases this takes the session factory: a wrong PIN is
    counted in a transaction of its own, which must commit although the request fails.
    """
    normalised = normalise_reference(reference)
    key = f"{normalised}\x00{address}"
    await rate_limit.wait(sessions, limit, key)
    async with sessions() as session:
        row = await cases.by_reference(session, normalised)
    # Same answer for an unknown reference and a wrong PIN: nothing to enumerate.
    if row is None or not pin or not await pin_matches(pin, row.pin_hash):
        await rate_limit.failed(sessions, limit, key)
        raise RuleViolation.not_found(NOT_FOUND)
    await rate_limit.succeeded(sessions, limit, key)
    return row


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "ar" else pair[0]


def decision_told(
    entries: list[ComplaintStatusChanged],
    language: str,
    pack: RulePack,
    now: datetime,
) -> dict[str, Any] | None:
    """What the complainant is told of the current run's decision, or None before any."""
    history = status_history(entries)
    run = current_run(history)
    statuses = [e.status for e in run]
    decided = {"findings", "outcome", "not_accepted", "referred"}
    if not decided & set(statuses):
        return None
    start = len(history) - len(run)
    findings: list[dict[str, str]] = []
    for entry in entries[start:]:
        if entry.to_status == "findings" and entry.findings:
            findings = [
                {
                    "category": f.category,
                    "category_text": category_text(f.category, language),
                    "finding": f.finding,
                    "text": finding_text(f.finding, language),
                }
                for f in entry.findings
            ]

    def told(status: str) -> dict[str, str] | None:
        entry = next((e for e in reversed(run) if e.status == status), None)
        if entry is None or not entry.reason:
            return None
        return {"code": entry.reason, "text": reason_text(entry.reason, language)}

    notified_entry = next((e for e in reversed(run) if e.status == "complainant_notified"), None)
    notified = None if notified_entry is None else notified_entry.reason == NOTIFICATION_QUEUED
    ends = review_window_ends(history, pack, now)
    if ends is None:  # the window is over; say when it ended
        ends = _ended_review(history, pack)
    return {
        "findings": findings,
        "outcome": told("outcome"),
        "reasons": told("not_accepted") or told("referred"),
        "notified": notified,
        "notice": (
            _pick(NO_CONTACT_TEXT, language)
            if notified_entry is not None and notified_entry.reason in NO_CONTACT_REASONS
            else None
        ),
        "review": (
            {
                "until": ends,
                "until_text": date_text(ends, language, pack.timezone),
                "open": history[-1].status == "review_window" and now < ends,
            }
            if ends is not None
            else None
        ),
    }


def _ended_review(history: list[StatusEntry], pack: RulePack) -> datetime | None:
    """When the latest review window (now over) ran out."""
    for i in range(len(history), 0, -1):
        if history[i - 1].status == "review_window":
            return review_window_ends(history[:i], pack, history[i - 1].at)
    return None


async def status_of(
    session: AsyncSession, row: Row[Any], language: str, pack: RulePack, now: datetime
) -> dict[str, Any]:
    complaint_id: UUID = row.complaint_id
    recorded = await events.ledger_entries(session, complaint_id)
    history = status_history(recorded)
    entries = await events.ledger_of(session, complaint_id)
    head = await signed_head(session, complaint_id)  # under the latest signed checkpoint
    shown = shown_deadline(history, pack, now)
    chain = [e["data"] for e in entries]
    decision = decision_told(recorded, language, pack, now)
    text = status_text(row.status, language)
    if decision and decision["notice"] and row.status in ("complainant_notified", "review_window"):
        text = decision["notice"]
    return {
        "reference": row.reference,
        "status": row.status,
        "status_text": text,
        "since": row.status_since,
        "next_deadline": (
            {
                "clock": shown[0].kind,
                "text": clock_text(shown[0].kind, language)
                + (f" ({_pick(OVERDUE_TEXT, language)})" if shown[1] else ""),
                "due_at": shown[0].due_at,
                "overdue": shown[1],
            }
            if shown
            else None
        ),
        "decision": decision,
        "ledger": {
            "verified": ledger.verify_chain(str(complaint_id), chain) == [],
            "entries": [
                {
                    "sequence": data["sequence"],
                    "status": data["to_status"],
                    "at": data["changed_at"],
                    "prev_hash": data["prev_hash"],
                    "hash": data["hash"],
                }
                for data in chain
            ],
            "signed_checkpoint": head,
        },
    }
