"""Liveness, readiness and metrics endpoints, the same for every service."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import metrics
from .outbox import outbox_lag
from .readiness import BrokerProbe

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
    # Events not yet committed by this service's consumers, per topic (None: unknown);
    # empty for a service that consumes nothing or while the broker is unavailable.
    consumer_lag: dict[str, int | None] = {}


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
    reports the broker as unavailable (a bounded metadata request, cached 2 s, so a frozen
    broker shows within seconds) and how far the outbox and the consumers lag.
    """
    rt = request.app.state.runtime
    probe = _probe(request)
    database, (answers, consumer_lag) = await asyncio.gather(
        _database_lag(rt), probe.check(rt.broker if rt.broker_ready.is_set() else None)
    )
    db_ok, lag, age = database
    broker_ok = answers and rt.broker_ready.is_set() and rt.relay.state.broker_ok is not False
    if lag is not None:
        metrics.OUTBOX_LAG.labels(rt.service).set(lag)
        metrics.OUTBOX_OLDEST_AGE.labels(rt.service).set(age)
    body = Readiness(
        service=rt.service,
        status="ready" if db_ok else "unavailable",
        database="ok" if db_ok else "unavailable",
        broker="ok" if broker_ok else "unavailable",
        outbox=OutboxState(unpublished=lag, oldest_seconds=age, relay_leader=rt.relay.state.leader),
        consumer_lag=consumer_lag,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if db_ok else 503)


# A frozen database answers nothing: readiness says so after this long rather than hang.
DATABASE_PROBE_SECONDS = 2.0


async def _database_lag(rt: Any) -> tuple[bool, int | None, float | None]:
    try:
        lag, age = await asyncio.wait_for(outbox_lag(rt.engine), DATABASE_PROBE_SECONDS)
    except Exception:
        return False, None, None
    return True, lag, age


def _probe(request: Request) -> BrokerProbe:
    """One probe per app, made on first use; `close_probe` at shutdown."""
    probe = getattr(request.app.state, "broker_probe", None)
    if probe is None:
        probe = request.app.state.broker_probe = BrokerProbe(request.app.state.runtime.settings)
    return probe


async def close_probe(state: object) -> None:
    probe = getattr(state, "broker_probe", None)
    if probe is not None:
        await probe.close()


@health_router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def prometheus(request: Request) -> Response:
    # JISR_METRICS_PORT moves the metrics to their own port; JISR_METRICS_TOKEN requires it.
    return metrics.guarded_metrics_response(request.app.state.settings, request.headers)
