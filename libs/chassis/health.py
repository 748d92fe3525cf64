"""Liveness, readiness and metrics endpoints, the same for every service."""

from __future__ import annotations

import asyncio

import asyncpg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from . import metrics
from .db import asyncpg_dsn
from .outbox import outbox_lag

health_router = APIRouter(tags=["meta"])


@health_router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> dict:
    return {"status": "ok"}


async def _database(url: str, schema: str) -> tuple[bool, int, float]:
    conn = await asyncpg.connect(
        asyncpg_dsn(url), timeout=2, server_settings={"search_path": schema}
    )
    try:
        lag, age = await outbox_lag(conn)
        return True, lag, age
    finally:
        await conn.close(timeout=1)


@health_router.get("/readyz", summary="Readiness: database, broker, outbox lag")
async def readyz(request: Request) -> JSONResponse:
    """200 while the database answers (writes can be taken), 503 otherwise.

    A broker outage does not make the service unready: writes wait in the outbox; the body
    reports the broker as unavailable and how far the outbox lags.
    """
    rt = request.app.state.runtime
    try:
        db_ok, lag, age = await asyncio.wait_for(
            _database(rt.settings.service_database_url(rt.service), rt.service), 3
        )
    except Exception:
        db_ok, lag, age = False, None, None
    broker_ok = rt.broker_ready.is_set() and rt.relay.state.broker_ok is not False
    if lag is not None:
        metrics.OUTBOX_LAG.labels(rt.service).set(lag)
        metrics.OUTBOX_OLDEST_AGE.labels(rt.service).set(age)
    body = {
        "service": rt.service,
        "status": "ready" if db_ok else "unavailable",
        "database": "ok" if db_ok else "unavailable",
        "broker": "ok" if broker_ok else "unavailable",
        "outbox": {
            "unpublished": lag,
            "oldest_seconds": age,
            "relay_leader": rt.relay.state.leader,
        },
    }
    return JSONResponse(body, status_code=200 if db_ok else 503)


@health_router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def prometheus() -> Response:
    return metrics.metrics_response()
