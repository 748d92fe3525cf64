"""Routes of the ledger as a whole: the public key, the signed checkpoints (tree heads) and
the Merkle log's proofs."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import ledger
from ..domain import ledger as chain
from ..schemas import Checkpoint, ConsistencyProof, InclusionProof

overseers = require_roles(Role.OVERSIGHT, Role.COMPLAINTS_OFFICER)
MAX_ID = 2**62  # beyond any tree size or id: a 422, never a database error


def build() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: oversight"])

    @router.get(
        "/ledger/public-key",
        response_class=PlainTextResponse,
        summary="The Ed25519 public key (PEM) that signs ledger checkpoints",
    )
    async def public_key(rt: Runtime = Depends(runtime)) -> str:
        return chain.public_pem(chain.signing_key(rt.settings.ledger_signing_key))

    @router.get(
        "/ledger/checkpoint",
        response_model=Checkpoint,
        summary="The latest signed checkpoint of all chains",
    )
    async def latest_checkpoint(
        _: Principal = Depends(overseers), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        return await in_transaction(rt.sessions, ledger.latest)

    @router.get(
        "/ledger/checkpoints",
        response_model=list[Checkpoint],
        summary="Signed checkpoints in order, after a checkpoint id",
    )
    async def list_checkpoints(
        after: int = Query(0, ge=0, le=MAX_ID),
        limit: int = Query(100, ge=1, le=1000),
        _: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> list[dict[str, Any]]:
        return await in_transaction(rt.sessions, partial(ledger.listed, after=after, limit=limit))

    @router.get(
        "/ledger/consistency",
        response_model=ConsistencyProof,
        summary="RFC 9162 consistency proof between two tree sizes (e.g. two checkpoints)",
    )
    async def consistency(
        first: int = Query(ge=0, le=MAX_ID),
        second: int = Query(ge=0, le=MAX_ID),
        _: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(ledger.consistency, first=first, second=second)
        )

    @router.get(
        "/ledger/inclusion",
        response_model=InclusionProof,
        summary="RFC 9162 inclusion proof of one leaf (a feed item's leaf_index) in a tree",
    )
    async def inclusion(
        leaf_index: int = Query(ge=0, le=MAX_ID),
        tree_size: int = Query(ge=1, le=MAX_ID),
        _: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(ledger.inclusion, leaf_index=leaf_index, size=tree_size)
        )

    @router.post(
        "/ledger/checkpoints",
        status_code=201,
        response_model=Checkpoint,
        summary="Sign a checkpoint now (admin)",
    )
    async def sign_now(
        _: Principal = Depends(require_roles(Role.ADMIN)), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        key = chain.signing_key(rt.settings.ledger_signing_key)
        return await in_transaction(
            rt.sessions, partial(ledger.sign_now, key=key, now=datetime.now(UTC))
        )

    return router
