"""The service chassis: one function turns a service definition into a running FastAPI app.

The app's lifespan owns everything with a life cycle: the database engine, the FastStream
Kafka broker (started in the lifespan, not through the deprecated FastAPI plugin), the outbox
relay and the consumers. Kafka being down at start-up does not stop the service: writes wait
in the outbox and /readyz says the broker is unavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from libs.contracts.asyncapi import asyncapi_document
from libs.contracts.envelope import Envelope

from . import http_errors, idempotency, text
from .consumer import ConsumerSpec, EventConsumer
from .db import (
    DATABASE_ERRORS,
    asyncpg_dsn,
    is_data_error,
    is_transient,
    make_engine,
    make_session_factory,
)
from .health import close_probe, health_router
from .kafka import make_broker, make_producer, send_record, start_broker
from .logs import configure_logging
from .metrics import metrics_middleware, serve_metrics
from .outbox import OutboxRelay, Publish, notify_relay
from .service_api import close_service_apis
from .settings import Settings, get_settings
from .telemetry import instrument_engine, instrument_fastapi, setup_tracing

log = logging.getLogger(__name__)


class AsyncApiDocument(BaseModel):
    """An AsyncAPI 3.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0);
    its channels, operations and components are the specification's, kept as they are."""

    model_config = ConfigDict(extra="allow")

    asyncapi: str
    info: dict[str, Any]
    channels: dict[str, Any]
    operations: dict[str, Any]
    components: dict[str, Any]


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[ConsumerSpec] = ()
    # Long-running jobs (schedulers, clocks) started with the service and cancelled at stop.
    # Each must take its own advisory lock if only one replica may run it.
    background: Sequence[Callable[[Runtime], Coroutine[Any, Any, None]]] = ()


@dataclass
class Runtime:
    """What routes and health checks reach through ``request.app.state.runtime``."""

    service: str
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    relay: OutboxRelay | None = None
    producer: AIOKafkaProducer | None = None  # the relay's; replaced on every connect attempt
    broker_ready: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


def runtime_of(request: Request) -> Runtime:
    """The runtime, for a route that runs hundreds of times a second and spares itself the
    dependency: FastAPI's resolving of one costs more than this lookup."""
    rt: Runtime = request.app.state.runtime
    return rt


async def runtime(request: Request) -> Runtime:
    # async: FastAPI runs a sync dependency in the thread pool, a hop per request for this
    return runtime_of(request)


async def _start_kafka(rt: Runtime) -> None:
    delay = 0.5
    while True:
        # A stopped aiokafka producer cannot be started again: make a new one each attempt.
        producer = make_producer(rt.settings, f"jisr-{rt.service}-relay")
        try:
            await producer.start()
            await start_broker(rt.broker)
            rt.producer = producer
            rt.broker_ready.set()
            log.info("kafka broker connected", extra={"bootstrap": rt.settings.kafka_bootstrap})
            return
        except BaseException as exc:  # including cancellation at shutdown
            for client in (rt.broker, producer):
                await _bounded(client.stop(), "kafka client stop after a failed start")
            if not isinstance(exc, Exception):
                raise
            log.warning("kafka unavailable; retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def _run_relay(rt: Runtime) -> None:
    await rt.broker_ready.wait()
    assert rt.relay is not None  # built with the runtime
    await rt.relay.run()


# A stop that waits on a broker that never answered must not hold the process for ever (the
# orchestrator would kill it anyway): each shutdown step gets this long, then is abandoned.
SHUTDOWN_STEP_SECONDS = 10.0
# What a 503 for an unavailable (or timed-out) database tells the client to wait.
RETRY_AFTER_SECONDS = 5


async def _bounded(awaitable: Awaitable[Any], what: str) -> None:
    try:
        await asyncio.wait_for(awaitable, SHUTDOWN_STEP_SECONDS)
    except TimeoutError:
        log.warning("shutdown step abandoned", extra={"step": what})
    except Exception:  # a client that failed to start may fail to stop: nothing to keep
        pass


async def _stop_kafka(rt: Runtime) -> None:
    for client in (rt.broker, rt.producer):
        if client is not None:
            await _bounded(client.stop(), f"stop {type(client).__name__}")


def _publisher(rt: Runtime) -> Publish:
    async def publish(
        topic: str, key: bytes, value: bytes, headers: dict[str, str]
    ) -> asyncio.Future[Any]:
        assert rt.producer is not None  # the relay runs only once Kafka is connected
        return await send_record(rt.producer, topic, key, value, headers)

    return publish


def _build_runtime(defn: ServiceDefinition, settings: Settings) -> Runtime:
    url = settings.service_database_url(defn.name)
    engine = make_engine(url, defn.name, statement_timeout=settings.statement_timeout_seconds)
    instrument_engine(engine)
    broker = make_broker(settings, defn.name)
    rt = Runtime(defn.name, settings, engine, make_session_factory(engine), broker)
    rt.relay = OutboxRelay(
        service=defn.name,
        dsn=asyncpg_dsn(url),
        publish=_publisher(rt),
        topic_name=settings.topic,
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
        retention_hours=settings.outbox_retention_hours,
        notify=partial(notify_relay, engine, defn.name),
    )
    return rt


def create_app(
    defn: ServiceDefinition,
    settings: Settings | None = None,
    *,
    after_apply: Callable[[Sequence[Envelope]], Awaitable[None]] | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(defn.name, settings.log_level)
        setup_tracing(defn.name, settings.otlp_endpoint)
        rt = _build_runtime(defn, settings)
        for spec in defn.consumers:
            EventConsumer(
                service=defn.name,
                spec=spec,
                sessions=rt.sessions,
                broker=rt.broker,
                settings=settings,
                after_apply=after_apply,
            ).register()
        app.state.runtime = rt
        # Everything imported and built so far lives as long as the process: keep it out of
        # the collector's generations, or each full collection walks it again. Profiled on
        # a consumer's batches (thousands of short-lived event objects surviving a young
        # collection): the collector's pauses were a fifth of the time without this.
        gc.collect()
        gc.freeze()
        rt.tasks = [
            asyncio.create_task(_start_kafka(rt), name=f"{defn.name}-broker"),
            asyncio.create_task(_run_relay(rt), name=f"{defn.name}-relay"),
            asyncio.create_task(
                idempotency.sweep_forever(rt.sessions), name=f"{defn.name}-idempotency-sweep"
            ),
            *(
                asyncio.create_task(job(rt), name=f"{defn.name}-{job.__name__}")
                for job in defn.background
            ),
        ]
        if settings.metrics_port:
            rt.tasks.append(
                asyncio.create_task(
                    serve_metrics(settings, settings.host), name=f"{defn.name}-metrics"
                )
            )
        log.info("service started", extra={"service": defn.name})
        try:
            yield
        finally:
            for task in rt.tasks:
                task.cancel()
            await _bounded(
                asyncio.gather(*rt.tasks, return_exceptions=True), "background tasks to end"
            )
            await _stop_kafka(rt)
            await close_service_apis(app.state)
            await close_probe(app.state)
            await rt.engine.dispose()
            log.info("service stopped", extra={"service": defn.name})

    app = FastAPI(
        title=defn.title,
        description=defn.description,
        version="0.1.0",
        lifespan=lifespan,
        # Every route: NUL and control characters in any parameter or JSON string -> 422.
        dependencies=[Depends(text.refuse_control_characters)],
    )
    app.state.settings = settings
    app.state.service = defn.name
    http_errors.install(app)
    metrics_middleware(app, defn.name)
    instrument_fastapi(app)
    app.include_router(health_router)
    for router in defn.routers:
        app.include_router(router)

    @app.get(
        "/asyncapi.json",
        tags=["meta"],
        summary="AsyncAPI document of this service's events",
        response_model=AsyncApiDocument,
    )
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(defn.name)

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        # The database being down is a 503 (retry later), not a 500 (our bug).
        if is_data_error(exc):
            # A rule a route forgot (a bound, a range) is still a refusal, not our failure.
            log.warning("database refused a value", extra={"path": request.url.path})
            return http_errors.error_response(
                422, "a value is outside what the database accepts (its range or form)"
            )
        if is_transient(exc):
            return http_errors.error_response(
                503,
                "database unavailable or the request took too long, retry later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        log.exception("database error", extra={"path": request.url.path})
        return http_errors.error_response(500, "internal error")

    for exc_class in DATABASE_ERRORS:
        app.add_exception_handler(exc_class, database_error)

    return app
