"""Prometheus metrics, in the default registry, labelled by service.

Several services may share one process (tests), so every metric carries a `service` label
rather than living in a per-service registry. HTTP metrics use the route template
("/items/{id}"), never the raw path, to keep label cardinality bounded.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

__all__ = [
    "CONSUMER_EVENTS",
    "CONSUMER_LAG_SECONDS",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "OUTBOX_LAG",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PUBLISHED",
    "metrics_middleware",
    "metrics_response",
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

    @app.middleware("http")
    async def _record(request: Request, call_next: Any) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response: Response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = request.method
            HTTP_REQUESTS.labels(service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(service, method, template).observe(time.perf_counter() - start)


def metrics_response() -> Response:
    """The default registry in the Prometheus text format (mounted at GET /metrics)."""
    return Response(content=generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
