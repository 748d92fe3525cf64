"""Chassis observability: trace-context helpers, JSON logs, Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import create_async_engine

from libs.chassis.logs import configure_logging
from libs.chassis.metrics import metrics_middleware, metrics_response
from libs.chassis.telemetry import (
    consumer_span,
    context_from_traceparent,
    current_traceparent,
    instrument_engine,
    instrument_fastapi,
    producer_span,
    setup_tracing,
    statement_span,
)

# Flags: sampled (0x01); recent OTel SDKs also set W3C level 2 "random trace id" (0x02).
TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]$")


@pytest.fixture(scope="module")
def exporter():
    provider = setup_tracing("test")
    assert setup_tracing("other") is provider  # idempotent
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the processor stays on the global provider; stop it collecting


@pytest.fixture
def spans(exporter):
    exporter.clear()
    return exporter


def test_traceparent_round_trip_to_consumer_span(spans):
    assert current_traceparent() is None
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("http") as http_span:
        with producer_span("publish", {"messaging.destination.name": "t"}) as producer:
            assert producer.parent.span_id == http_span.get_span_context().span_id
        traceparent = current_traceparent()
    assert traceparent and TRACEPARENT.match(traceparent)

    parent = trace.get_current_span(context_from_traceparent(traceparent)).get_span_context()
    assert parent.is_remote and parent.trace_id == http_span.get_span_context().trace_id

    with consumer_span("consume", traceparent, {"messaging.system": "kafka"}) as span:
        ctx = span.get_span_context()
        flags = f"{ctx.trace_flags:02x}"
        assert current_traceparent() == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{flags}"
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier)  # what the W3C propagator writes
        assert current_traceparent() == carrier["traceparent"]
    assert ctx.trace_id == http_span.get_span_context().trace_id
    assert span.parent.span_id == http_span.get_span_context().span_id
    assert span.kind is SpanKind.CONSUMER and producer.kind is SpanKind.PRODUCER

    with consumer_span("orphan", None) as orphan:  # no header: a new trace
        assert orphan.parent is None


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_json_logs_carry_trace_ids_and_extras(spans, restore_root_logger):
    stream = io.StringIO()
    configure_logging("complaints", "DEBUG", stream=io.StringIO())
    configure_logging("complaints", "INFO", stream=stream)  # replaces, no duplicate handler
    log = logging.getLogger("jisr.test")

    log.info("outside", extra={"complaint_id": "c-1", "count": 2, "unserialisable": object()})
    with trace.get_tracer("test").start_as_current_span("work") as span:
        log.warning("inside %s", "span")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    log.debug("dropped by level")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["outside", "inside span", "failed"]
    outside, inside, failed = lines
    assert outside["service"] == "complaints" and outside["level"] == "INFO"
    assert outside["logger"] == "jisr.test" and outside["ts"].endswith("Z")
    assert "trace_id" not in outside and "span_id" not in outside
    assert outside["complaint_id"] == "c-1" and outside["count"] == 2
    assert "unserialisable" not in outside
    ctx = span.get_span_context()
    assert inside["trace_id"] == f"{ctx.trace_id:032x}"
    assert inside["span_id"] == f"{ctx.span_id:016x}"
    assert "RuntimeError: boom" in failed["exc_info"] and failed["level"] == "ERROR"


def _app() -> FastAPI:
    app = FastAPI()
    metrics_middleware(app, "metrics-test")

    @app.get("/items/{id}")
    async def item(id: int) -> dict:
        return {"id": id}

    @app.get("/metrics")
    async def metrics():
        return metrics_response()

    return app


def test_metrics_use_route_template():
    with TestClient(_app()) as client:
        assert client.get("/items/1").status_code == 200
        assert client.get("/items/2").status_code == 200
        assert client.get("/nowhere").status_code == 404
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'jisr_http_requests_total{method="GET",route="/items/{id}",service="metrics-test",'
        'status="200"} 2.0' in text
    )
    assert 'route="unmatched",service="metrics-test",status="404"' in text
    assert "/items/1" not in text


def test_fastapi_server_span(spans):
    app = _app()
    instrument_fastapi(app)
    instrument_fastapi(app)  # no double instrumentation
    with TestClient(app) as client:
        client.get("/items/7")
        client.get("/metrics")  # excluded
    server = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["GET /items/{id}"]
    assert server[0].attributes["http.route"] == "/items/{id}"


def test_instrument_engine_is_idempotent():
    # Engines are lazy: nothing connects, we only count the tracing listeners.
    engines = [create_async_engine("postgresql+asyncpg://u@127.0.0.1:1/db") for _ in range(2)]
    for engine in engines:  # the first via the instrumentor, the second via EngineTracer
        instrument_engine(engine)
        instrument_engine(engine)
        assert len(engine.sync_engine.dispatch.before_cursor_execute) == 1


def test_a_failing_request_ends_its_server_span_as_an_error_with_the_exception(spans):
    app = FastAPI()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    instrument_fastapi(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
        client.get("/nowhere")  # a 404: an answer, not a failure
    server = {s.name: s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER}
    failed = server["GET /boom"]
    assert failed.status.status_code is StatusCode.ERROR
    assert [e.attributes["exception.type"] for e in failed.events] == ["RuntimeError"]
    assert server["GET"].status.status_code is StatusCode.UNSET
    assert server["GET"].attributes["http.response.status_code"] == 404
    # the span was current while the app ran, and is not after
    assert not trace.get_current_span().get_span_context().is_valid


def test_a_statement_span_is_a_child_of_the_current_span_and_records_a_failure(spans):
    with producer_span("parent") as parent:
        with statement_span("SELECT 1", "SELECT 1"):
            assert trace.get_current_span() is parent  # not made current
        with pytest.raises(ValueError), statement_span("SELECT 2", "SELECT 2"):
            raise ValueError("refused")
    finished = {s.name: s for s in spans.get_finished_spans()}
    ok, failed = finished["SELECT 1"], finished["SELECT 2"]
    assert ok.kind is SpanKind.CLIENT and ok.parent.span_id == parent.get_span_context().span_id
    assert ok.attributes["db.statement"] == "SELECT 1" and ok.status.status_code is StatusCode.UNSET
    assert failed.status.status_code is StatusCode.ERROR
    assert [e.attributes["exception.type"] for e in failed.events] == ["ValueError"]
