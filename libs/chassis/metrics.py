"""Prometheus metrics, in the default registry, labelled by service.

Several services may share one process (tests), so every metric carries a `service` label
rather than living in a per-service registry. HTTP metrics use the route template
("/items/{id}"), never the raw path, to keep label cardinality bounded.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONSUMER_EVENTS",
    "CONSUMER_LAG_SECONDS",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "OUTBOX_LAG",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PUBLISHED",
    "metrics_middleware",
    "guarded_metrics_response",
    "metrics_response",
    "serve_metrics",
]


def _metric(cls: type, name: str, doc: str, labels: list[str], **kw: Any) -> Any:
    """Create a metric, or return the one already registered (module imported twice)."""
    try:
        return cls(name, doc, labels, **kw)
    except ValueError:
        return REGISTRY._names_to_collectors[name]


HTTP_REQUESTS = _metric(
    Counter, "jisr_http_requests", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = _metric(
    Histogram,
    "jisr_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
)
OUTBOX_PUBLISHED = _metric(
    Counter, "jisr_outbox_published", "Outbox events published", ["service", "topic"]
)
OUTBOX_LAG = _metric(Gauge, "jisr_outbox_lag_rows", "Unpublished outbox rows", ["service"])
OUTBOX_OLDEST_AGE = _metric(
    Gauge,
    "jisr_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row",
    ["service"],
)
CONSUMER_EVENTS = _metric(
    Counter,
    "jisr_consumer_events",
    "Consumed events by outcome: applied, duplicate, dead_lettered, retried",
    ["service", "consumer", "outcome"],
)
CONSUMER_LAG_SECONDS = _metric(
    Histogram,
    "jisr_consumer_lag_seconds",
    "Time from event time to consumption",
    ["service", "consumer"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)


def metrics_middleware(app: FastAPI, service: str) -> None:
    """Count and time every request by method, route template and status."""
    app.add_middleware(_RequestMetrics, service=service)


class _RequestMetrics:
    """Pure ASGI, not `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs the rest
    of the app in a task group of its own per request, with a stream between the two for the
    response (about 7% of a single POST's event-loop time in `jisr bench http`)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        # The labelled children, found once per (method, route, status): `labels()` checks
        # and locks on every call. As bounded as the labels themselves.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # the router put the matched route in the scope (the same dict)
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            counter = self._counters.get((method, template, status))
            if counter is None:
                counter = HTTP_REQUESTS.labels(self.service, method, template, str(status))
                self._counters[method, template, status] = counter
            timer = self._timers.get((method, template))
            if timer is None:
                timer = self._timers[method, template] = HTTP_LATENCY.labels(
                    self.service, method, template
                )
            counter.inc()
            timer.observe(time.perf_counter() - start)


def metrics_response() -> Response:
    """The default registry in the Prometheus text format (mounted at GET /metrics)."""
    return Response(content=generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _authorized(settings: Any, authorization: str | None) -> bool:
    if not settings.metrics_token:
        return True
    scheme, _sep, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.metrics_token.encode()
    )


def guarded_metrics_response(settings: Any, headers: Mapping[str, str]) -> Response:
    """/metrics on the API port: 404 when a separate metrics port is configured, 401 without
    the metrics token when one is configured, the metrics otherwise."""
    from .http_errors import error_response

    if settings.metrics_port:
        return error_response(404, "metrics are served on the metrics port")
    if not _authorized(settings, headers.get("authorization")):
        return error_response(
            401, "metrics require the metrics token", headers={"WWW-Authenticate": "Bearer"}
        )
    return metrics_response()


async def serve_metrics(settings: Any, host: str) -> None:
    """The metrics port (JISR_METRICS_PORT): GET /metrics only, token checked if one is set.

    A tiny HTTP/1.1 server on asyncio streams, so it needs no second web framework and stops
    with the service's other background tasks.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            method, path, *_ = (lines[0].split(" ") + ["", ""])[:3]
            fields = dict(
                (name.strip().lower(), value.strip())
                for name, _sep, value in (line.partition(":") for line in lines[1:] if line)
            )
            if method != "GET" or path.split("?")[0] != "/metrics":
                status, body, kind = "404 Not Found", b"not found\n", "text/plain"
            elif not _authorized(settings, fields.get("authorization")):
                status, body, kind = "401 Unauthorized", b"token required\n", "text/plain"
            else:
                status, body, kind = "200 OK", generate_latest(REGISTRY), CONTENT_TYPE_LATEST
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, settings.metrics_port)
    async with server:
        await server.serve_forever()
