"""Oversight: registering bodies, the pull feed, recommendations and the ministry's answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.complaints import (
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
    OversightBodyChanged,
    OversightBodyRegistered,
)

from ..domain import ledger as chain
from ..domain.clocks import RulePack
from ..domain.oversight import Jurisdiction, respond_by
from ..repositories import access as access_repository
from ..repositories import events, oversight
from ..schemas import AnswerIn, BodyIn, RecommendationIn, RecommendationOut
from . import access, ledger
from .events import emit


async def put_body(session: AsyncSession, body_id: str, body: BodyIn) -> dict[str, Any]:
    if body_id != body.body_id:
        raise RuleViolation(("path", "body_id"), "body_id in the path and the body differ")
    values = body.model_dump()
    before = await access_repository.body(session, body_id)
    await oversight.put_body(session, values)
    await _announce_jurisdiction(session, before, body)
    return values


async def _announce_jurisdiction(
    session: AsyncSession, before: Jurisdiction | None, body: BodyIn
) -> None:
    """Publish the body's jurisdiction (analytics scopes the body's readers by it): registered
    the first time, changed after. Re-sending an unchanged registration publishes it again on
    purpose: it is how an admin re-announces a body whose event has aged out of the topic's
    retention before a rebuild of analytics."""
    governorates = sorted(body.governorates)
    now = datetime.now(UTC)
    if before is None:
        event: OversightBodyRegistered | OversightBodyChanged = OversightBodyRegistered(
            body_id=body.body_id,
            national=body.national,
            governorates=governorates,
            registered_at=now,
        )
    else:
        event = OversightBodyChanged(
            body_id=body.body_id, national=body.national, governorates=governorates, changed_at=now
        )
    await publish(session, [event])


async def feed(
    session: AsyncSession, principal: Principal, after: int, limit: int
) -> dict[str, Any]:
    """Every event after the feed position `after`, in order: complaint events in the caller's
    jurisdiction in full; outside it only their leaf of the Merkle log (governorate and link
    hash), so a regional body can still rebuild the national tree; signed checkpoints."""
    body = await access.jurisdiction(session, principal)
    regional = body is not None and not body.national
    scope = set(body.governorates) if body is not None and regional else None
    await ledger.sequence(session)
    rows = await events.feed(session, after, limit)
    items = []
    for r in rows:
        if r.complaint_id is None or scope is None or r.governorate_code in scope:
            items.append(
                {
                    "cursor": r.position,
                    "type": r.event_type,
                    "complaint_id": r.complaint_id,
                    "governorate_code": r.governorate_code,
                    "leaf_index": r.leaf_index,
                    "data": json.loads(r.data),
                }
            )
        elif r.leaf_index is not None:
            items.append(
                {
                    "cursor": r.position,
                    "type": chain.LEAF,
                    "complaint_id": None,
                    "governorate_code": r.governorate_code,
                    "leaf_index": r.leaf_index,
                    "data": {"hash": r.chain_hash},
                }
            )
    return {
        "items": items,
        "next_cursor": rows[-1].position if rows else after,
        "jurisdiction": (
            {"governorates": list(body.governorates)} if body is not None and regional else None
        ),
    }


async def recommend(
    session: AsyncSession,
    principal: Principal,
    complaint_id: UUID,
    body: RecommendationIn,
    *,
    pack: RulePack,
    now: datetime,
) -> dict[str, Any]:
    row = await access.load_visible(session, principal, complaint_id)
    overseer = await access.jurisdiction(session, principal)
    if overseer is None:
        raise RuleViolation.forbidden("only a registered oversight body can recommend")
    due = respond_by(now, body.respond_within_days, pack)
    recommendation_id = uuid7()
    await oversight.add_recommendation(
        session,
        {
            "recommendation_id": recommendation_id,
            "complaint_id": complaint_id,
            "oversight_body": overseer.body_id,
            "category": body.category,
            "text": body.text,
            "made_at": now,
            "respond_by": due,
        },
    )
    made = ComplaintRecommendationMade(
        complaint_id=complaint_id,
        recommendation_id=recommendation_id,
        oversight_body=overseer.body_id,
        category=body.category,
        made_at=now,
        respond_by=due,
    )
    await emit(session, row.governorate_code, [made])
    return {"recommendation_id": recommendation_id, "respond_by": due}


async def answer(
    session: AsyncSession,
    principal: Principal,
    recommendation_id: UUID,
    body: AnswerIn,
    *,
    now: datetime,
) -> dict[str, Any]:
    row = await oversight.lock_recommendation(session, recommendation_id)
    if row is None:
        raise RuleViolation.not_found(f"no recommendation {recommendation_id}")
    if row.answer is not None:
        raise RuleViolation.conflict(f"already answered: {row.answer}")
    await oversight.answer(
        session,
        recommendation_id,
        answer=body.answer,
        reason=body.reason,
        text=body.text,
        by=principal.subject,
        at=now,
    )
    answered = ComplaintRecommendationAnswered(
        complaint_id=row.complaint_id,
        recommendation_id=recommendation_id,
        answer=body.answer,
        reason=body.reason,
        answered_at=now,
    )
    await emit(session, row.governorate_code, [answered])
    return {"recommendation_id": recommendation_id, "answer": body.answer}


async def recommendations(
    session: AsyncSession,
    principal: Principal,
    unanswered: bool,
    after: UUID | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    visible = await access.visible(session, principal)
    rows = await oversight.visible(session, visible, unanswered, after=after, limit=limit)
    return [recommendation_fields(r) for r in rows]


def recommendation_fields(row: Row[Any]) -> dict[str, Any]:
    """What a recommendation answers with: the fields its response model declares."""
    return {name: getattr(row, name) for name in RecommendationOut.model_fields}
