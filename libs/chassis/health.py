"""Liveness, readiness and metrics endpoints, the same for every service."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import metrics
from .outbox import outbox_lag

health_router = APIRouter(tags=["meta"])


class Liveness(BaseModel):
    status: str


class OutboxState(BaseModel):
    unpublished: int | None
    oldest_seconds: float | None
    relay_leader: bool


class Readiness(BaseModel):
    service: str
    status: str  # "ready" | "unavailable"
    database: str
    broker: str
    outbox: OutboxState


@health_router.get("/healthz", summary="Liveness: the process is up", response_model=Liveness)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get(
    "/readyz",
    summary="Readiness: database, broker, outbox lag",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The database does not answer"}},
)
async def readyz(request: Request) -> JSONResponse:
    """200 while the database answers (writes can be taken), 503 otherwise.

    A broker outage does not make the service unready: writes wait in the outbox; the body
    reports the broker as unavailable and how far the outbox lags.
    """
    rt = request.app.state.runtime
    try:
        lag, age = await asyncio.wait_for(outbox_lag(rt.engine), 3)
        db_ok = True
    except Exception:
        db_ok, lag, age = False, None, None
    broker_ok = rt.broker_ready.is_set() and rt.relay.state.broker_ok is not False
    if lag is not None:
        metrics.OUTBOX_LAG.labels(rt.service).set(lag)
        metrics.OUTBOX_OLDEST_AGE.labels(rt.service).set(age)
    body = Readiness(
        service=rt.service,
        status="ready" if db_ok else "unavailable",
        database="ok" if db_ok else "unavailable",
        broker="ok" if broker_ok else "unavailable",
        outbox=OutboxState(unpublished=lag, oldest_seconds=age, relay_leader=rt.relay.state.leader),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if db_ok else 503)


@health_router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def prometheus() -> Response:
    return metrics.metrics_response()
