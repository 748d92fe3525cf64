"""Routes of the ledger as a whole: the public key and the signed checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import ledger
from ..domain import ledger as chain
from ..schemas import Checkpoint

overseers = require_roles(Role.OVERSIGHT, Role.COMPLAINTS_OFFICER)


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
