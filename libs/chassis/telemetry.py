"""Tracing: one OpenTelemetry TracerProvider per process, plus W3C trace-context helpers.

The trace of a write runs HTTP request → database → outbox row (which stores the request's
`traceparent`) → Kafka `traceparent` header → consumer span. `current_traceparent()` captures
the context at write time; `producer_span()` and `consumer_span()` continue it on the far side.

One provider per process: the first `setup_tracing()` call decides the resource
(`service.name`); later calls, e.g. from other services started in the same test process,
get the same provider back (their spans are then labelled with the first service's name). In
production each process runs one service, so the resource is right.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "consumer_span",
    "context_from_traceparent",
    "current_traceparent",
    "instrument_engine",
    "instrument_fastapi",
    "producer_span",
    "setup_tracing",
    "statement_span",
]

EXCLUDED_URLS = "/metrics$,/healthz$,/readyz$"  # regexes, matched against the request URL

_PROPAGATOR = TraceContextTextMapPropagator()
_lock = threading.Lock()
_provider: TracerProvider | None = None
_traced_engines: weakref.WeakSet[Any] = weakref.WeakSet()


# Proxies until setup_tracing() installs the provider, then the provider's tracers (got once:
# `trace.get_tracer` per span was a twentieth of a single POST's event-loop time).
_TRACER = trace.get_tracer("jisr.chassis")


def _tracer() -> trace.Tracer:
    return _TRACER


def setup_tracing(service: str, otlp_endpoint: str | None = None) -> TracerProvider:
    """Install the process-wide TracerProvider (idempotent) and the W3C propagator.

    With `otlp_endpoint` (e.g. "http://collector:4318"), spans are batched to it over OTLP/HTTP;
    without, nothing is exported but spans still get ids, so logs carry trace ids.
    """
    global _provider
    with _lock:
        if _provider is None:
            existing = trace.get_tracer_provider()
            if isinstance(existing, TracerProvider):  # set up by someone else: adopt it
                _provider = existing
            else:
                _provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
                if otlp_endpoint:
                    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                        OTLPSpanExporter,
                    )

                    url = otlp_endpoint.rstrip("/")
                    if not url.endswith("/v1/traces"):
                        url += "/v1/traces"
                    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
                trace.set_tracer_provider(_provider)
            propagate.set_global_textmap(TraceContextTextMapPropagator())
        return _provider


def instrument_fastapi(app: Any) -> None:
    """Trace every request except /metrics, /healthz and /readyz. Safe to call twice.

    One SERVER span per request, named "METHOD /route/{template}", by a pure-ASGI middleware
    of ours rather than opentelemetry-instrumentation-fastapi, which cost about 0.9 ms of CPU
    per request (it matches the URL against every route a second time, and wraps each ASGI
    message) against about 0.1 ms for this one (measured on a bare endpoint; a single POST's
    whole budget is a few ms). FastAPI's own tracing is turned off so no request gets two.
    """
    if getattr(app.state, "traced", False):
        return
    app.state.traced = True
    native = getattr(app, "_telemetry", None)  # FastAPI >= 0.16x: built-in OpenTelemetry
    if isinstance(native, dict):
        native.update(tracing=False, metrics=False, logs=False)
    app.add_middleware(_ServerSpans)


_EXCLUDED_PATHS = re.compile("|".join(EXCLUDED_URLS.split(",")))


class _ServerSpans:
    """The request's SERVER span, current while the app runs (so logs carry its trace id and
    the outbox row its traceparent), child of the caller's `traceparent` if it sent one."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or _EXCLUDED_PATHS.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in (b"traceparent", b"tracestate")
        }
        method = scope["method"]
        status: int | None = None

        async def send_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # start_span and attach rather than start_as_current_span: the same span, current
        # while the app runs, without two generator context managers around every request
        # (a twentieth of a single POST's CPU, with the statement's span below).
        span = _server_tracer().start_span(
            method,
            context=propagate.extract(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
            },
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        failed = False
        try:
            await self.app(scope, receive, send_status)
        except BaseException as exc:
            failed = True
            span.record_exception(exc)
            raise
        finally:
            otel_context.detach(token)
            # the router put the matched route in the scope (the same dict)
            route = getattr(scope.get("route"), "path", None)
            if route:
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            if failed or status is None or status >= 500:
                span.set_status(StatusCode.ERROR)
            span.end()


# A proxy until setup_tracing() installs the provider, then the provider's tracer.
_SERVER_TRACER = trace.get_tracer("jisr.chassis.http")


def _server_tracer() -> trace.Tracer:
    return _SERVER_TRACER


def instrument_engine(async_engine: Any) -> None:
    """Trace the SQL of an `AsyncEngine` (through its sync engine). Safe to call twice.

    The instrumentor is a process-wide singleton that only accepts one `instrument()` call, and
    once called it also traces engines made later by `create_async_engine`; any other engine
    gets its own `EngineTracer`. It declares sqlalchemy<2.1, hence `skip_dep_check`.
    """
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    engine = async_engine.sync_engine
    with _lock:
        if engine in _traced_engines or any(
            ref() is engine for ref, *_ in EngineTracer._remove_event_listener_params
        ):
            return
        instrumentor = SQLAlchemyInstrumentor()
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(engine=engine, skip_dep_check=True)
        else:
            from opentelemetry.metrics import get_meter
            from opentelemetry.semconv.metrics import MetricInstruments

            scope = "opentelemetry.instrumentation.sqlalchemy"
            usage = get_meter(scope).create_up_down_counter(
                MetricInstruments.DB_CLIENT_CONNECTIONS_USAGE, unit="connections"
            )
            EngineTracer(trace.get_tracer(scope), engine, usage)
        _traced_engines.add(engine)


@contextmanager
def statement_span(name: str, statement: str) -> Iterator[Span]:
    """A CLIENT span for a statement run on asyncpg directly, which the SQLAlchemy
    instrumentation does not see (e.g. a single POST's one statement): the request's trace
    still shows its database time, with the attributes SQLAlchemy's spans carry.

    Not made current: nothing runs inside it that logs or starts a span of its own, and
    attaching it would cost as much as the span itself."""
    span = _tracer().start_span(
        name,
        kind=SpanKind.CLIENT,
        attributes={"db.system": "postgresql", "db.statement": statement},
    )
    try:
        yield span
    except BaseException as exc:
        span.record_exception(exc)
        span.set_status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        span.end()


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None outside a valid span."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> Context:
    """A context whose remote parent is `traceparent`; empty (new trace) if None or invalid."""
    return _PROPAGATOR.extract({"traceparent": traceparent} if traceparent else {})


@contextmanager
def consumer_span(
    name: str, traceparent: str | None, attributes: Mapping[str, Any] | None = None
) -> Iterator[Span]:
    """A current CONSUMER span, child of the producer's `traceparent` (Kafka header)."""
    with _tracer().start_as_current_span(
        name,
        context=context_from_traceparent(traceparent),
        kind=SpanKind.CONSUMER,
        attributes=dict(attributes or {}),
    ) as span:
        yield span


@contextmanager
def producer_span(
    name: str, attributes: Mapping[str, Any] | None = None, traceparent: str | None = None
) -> Iterator[Span]:
    """A current PRODUCER span: child of `traceparent` if given (the outbox row's, so the
    relay's publish joins the original request's trace), else of the current span."""
    context = context_from_traceparent(traceparent) if traceparent else None
    with _tracer().start_as_current_span(
        name, context=context, kind=SpanKind.PRODUCER, attributes=dict(attributes or {})
    ) as span:
        yield span
