"""Routes for oversight: registered bodies, the pull feed, recommendations and their answers,
and the ledger's public key and signed checkpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.service import Runtime, runtime
from libs.contracts.base import CODE_PATTERN
from libs.contracts.complaints import (
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
)
from libs.reference import load_reference

from . import access, checkpoints, ledger
from .casework import CaseKey, new_id, publish
from .clocks import add_span
from .config import ComplaintsConfig
from .tables import complaint_events, complaints, oversight_bodies, recommendations

overseers = require_roles(Role.OVERSIGHT, Role.COMPLAINTS_OFFICER)
ministry = require_roles(Role.COMPLAINTS_OFFICER)


class BodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body_id: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=2, max_length=200)
    national: bool = False
    governorates: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_jurisdiction(self) -> BodyIn:
        if self.national == bool(self.governorates):
            raise ValueError("a body is either national or has governorates, not both or neither")
        unknown = sorted(set(self.governorates) - set(load_reference().governorates))
        if unknown:
            raise ValueError(f"unknown governorates: {', '.join(unknown)}")
        return self


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(pattern=CODE_PATTERN, description="e.g. reinvestigate, training")
    text: str = Field(min_length=5, max_length=5000)
    respond_within_days: int | None = Field(None, ge=1, le=365)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["accepted", "declined"]
    reason: str | None = Field(None, pattern=CODE_PATTERN)
    text: str | None = Field(None, max_length=5000)

    @model_validator(mode="after")
    def _declined_needs_reason(self) -> AnswerIn:
        if self.answer == "declined" and not (self.reason and self.text):
            raise ValueError("declining needs a reason code and a text explaining it")
        return self


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: oversight"])

    @router.put("/oversight/bodies/{body_id}", summary="Register an oversight body (admin)")
    async def put_body(
        body_id: str,
        body: BodyIn,
        _: Principal = Depends(require_roles(Role.ADMIN)),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        if body_id != body.body_id:
            raise HTTPException(422, "body_id in the path and the body differ")
        values = body.model_dump()
        async with rt.sessions() as session, session.begin():
            await session.execute(
                insert(oversight_bodies)
                .values(**values)
                .on_conflict_do_update(index_elements=["body_id"], set_=values)
            )
        return values

    @router.get(
        "/oversight/feed",
        summary="Every complaint event in the caller's jurisdiction after a cursor, in order",
    )
    async def feed(
        after: int = Query(0, ge=0),
        limit: int = Query(500, ge=1, le=5000),
        principal: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        async with rt.sessions() as session:
            body = await access.jurisdiction(session, principal)
            query = (
                select(complaint_events)
                .where(complaint_events.c.id > after)
                .order_by(complaint_events.c.id)
                .limit(limit)
            )
            if body is not None and not body.national:
                query = query.where(complaint_events.c.governorate_code.in_(body.governorates))
            rows = (await session.execute(query)).all()
        items = [
            {
                "cursor": r.id,
                "type": r.event_type,
                "complaint_id": str(r.complaint_id),
                "governorate_code": r.governorate_code,
                "data": json.loads(r.data),
            }
            for r in rows
        ]
        return {
            "items": items,
            "next_cursor": items[-1]["cursor"] if items else after,
            "jurisdiction": (
                None if body is None or body.national else {"governorates": list(body.governorates)}
            ),
        }

    @router.post(
        "/complaints/{complaint_id}/recommendations",
        status_code=201,
        summary="An oversight body recommends; the ministry must answer by the deadline",
    )
    async def recommend(
        complaint_id: UUID,
        body: RecommendationIn,
        principal: Principal = Depends(require_roles(Role.OVERSIGHT)),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        now = datetime.now(UTC)
        async with rt.sessions() as session, session.begin():
            row = await access.load_visible(session, principal, complaint_id)
            overseer = await access.jurisdiction(session, principal)
            if overseer is None:
                raise HTTPException(403, "only a registered oversight body can recommend")
            respond_by = (
                now + timedelta(days=body.respond_within_days)
                if body.respond_within_days
                else add_span(now, config.pack.recommendation_response, config.pack)
            )
            recommendation_id = new_id()
            await session.execute(
                insert(recommendations).values(
                    recommendation_id=recommendation_id,
                    complaint_id=complaint_id,
                    oversight_body=overseer.body_id,
                    category=body.category,
                    text=body.text,
                    made_at=now,
                    respond_by=respond_by,
                )
            )
            await publish(
                session,
                CaseKey(complaint_id, row.governorate_code),
                ComplaintRecommendationMade(
                    complaint_id=complaint_id,
                    recommendation_id=recommendation_id,
                    oversight_body=overseer.body_id,
                    category=body.category,
                    made_at=now,
                    respond_by=respond_by,
                ),
            )
        return {"recommendation_id": str(recommendation_id), "respond_by": respond_by.isoformat()}

    @router.post(
        "/recommendations/{recommendation_id}/answer",
        summary="The ministry accepts or declines (with reasons) a recommendation",
    )
    async def answer(
        recommendation_id: UUID,
        body: AnswerIn,
        principal: Principal = Depends(ministry),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        now = datetime.now(UTC)
        async with rt.sessions() as session, session.begin():
            row = (
                await session.execute(
                    select(recommendations, complaints.c.governorate_code)
                    .join(complaints)
                    .where(recommendations.c.recommendation_id == recommendation_id)
                    .with_for_update(of=recommendations)
                )
            ).one_or_none()
            if row is None:
                raise HTTPException(404, f"no recommendation {recommendation_id}")
            if row.answer is not None:
                raise HTTPException(409, f"already answered: {row.answer}")
            await session.execute(
                update(recommendations)
                .where(recommendations.c.recommendation_id == recommendation_id)
                .values(
                    answer=body.answer,
                    answer_reason=body.reason,
                    answer_text=body.text,
                    answered_by=principal.subject,
                    answered_at=now,
                )
            )
            await publish(
                session,
                CaseKey(row.complaint_id, row.governorate_code),
                ComplaintRecommendationAnswered(
                    complaint_id=row.complaint_id,
                    recommendation_id=recommendation_id,
                    answer=body.answer,
                    reason=body.reason,
                    answered_at=now,
                ),
            )
        return {"recommendation_id": str(recommendation_id), "answer": body.answer}

    @router.get("/recommendations", summary="Recommendations the caller may see")
    async def list_recommendations(
        unanswered: bool = False,
        principal: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> list[dict]:
        async with rt.sessions() as session:
            query = (
                select(recommendations)
                .join(complaints)
                .where(await access.visible(session, principal))
            )
            if unanswered:
                query = query.where(recommendations.c.answer.is_(None))
            return [r._asdict() for r in (await session.execute(query)).all()]

    @router.get(
        "/ledger/public-key",
        response_class=PlainTextResponse,
        summary="The Ed25519 public key (PEM) that signs ledger checkpoints",
    )
    async def public_key(rt: Runtime = Depends(runtime)) -> str:
        return ledger.public_pem(ledger.signing_key(rt.settings.ledger_signing_key))

    @router.get("/ledger/checkpoint", summary="The latest signed checkpoint of all chains")
    async def latest_checkpoint(
        _: Principal = Depends(overseers), rt: Runtime = Depends(runtime)
    ) -> dict:
        async with rt.sessions() as session:
            found = await checkpoints.latest(session)
        if found is None:
            raise HTTPException(404, "no checkpoint signed yet")
        return found

    @router.post("/ledger/checkpoints", status_code=201, summary="Sign a checkpoint now (admin)")
    async def sign_now(
        _: Principal = Depends(require_roles(Role.ADMIN)), rt: Runtime = Depends(runtime)
    ) -> dict:
        key = ledger.signing_key(rt.settings.ledger_signing_key)
        async with rt.sessions() as session, session.begin():
            return await checkpoints.sign_if_changed(session, key, datetime.now(UTC), force=True)

    return router
