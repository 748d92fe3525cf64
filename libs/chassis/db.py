"""Async SQLAlchemy engine per service, bound to the service's own schema.

Each service owns one PostgreSQL schema (named after the service). The search_path is set per
connection, so a service's SQL never names — and never reaches — another service's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn


def asyncpg_dsn(url: str) -> str:
    """A plain libpq-style DSN for asyncpg (LISTEN/NOTIFY and advisory locks use asyncpg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """Accept postgresql:// or postgresql+asyncpg:// and return the asyncpg flavour."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def server_settings(schema: str, statement_timeout: float | None = None) -> dict[str, str]:
    settings = {"search_path": schema, "application_name": f"jisr-{schema}"}
    if statement_timeout:
        settings["statement_timeout"] = str(int(statement_timeout * 1000))  # milliseconds
    return settings


# asyncpg's own timeout comes this long after the server's, so a live server cancels the
# statement itself (SQLSTATE 57014) and asyncpg's only fires when the server is frozen.
COMMAND_TIMEOUT_GRACE_SECONDS = 5.0


def make_engine(
    url: str, schema: str, *, pool_size: int = 10, statement_timeout: float | None = None
) -> AsyncEngine:
    """The service's engine. A service passes `statement_timeout` (seconds) so that no request
    holds a connection for ever: the statement is cancelled and the client gets 503 with
    Retry-After. Offline jobs (rebuild, demo load, key rewrap) pass none."""
    connect_args: dict[str, Any] = {
        "server_settings": server_settings(schema, statement_timeout),
        "timeout": 10,
    }
    if statement_timeout:
        connect_args["command_timeout"] = statement_timeout + COMMAND_TIMEOUT_GRACE_SECONDS
    engine = create_async_engine(
        sqlalchemy_url(url),
        # 2 x pool_size connections, all kept: an overflow connection would be closed when a
        # burst ends and reopened at the next (a new asyncpg connection costs a type
        # introspection query each time: seen in `jisr bench http`'s profile at 300 clients).
        pool_size=2 * pool_size,
        max_overflow=0,
        hide_parameters=True,  # error messages (logs, dead-letter headers) carry no values
        connect_args=connect_args,
    )
    _ping_when_idle(engine)
    return engine


#: A pooled connection that rested this long is pinged before it is handed out.
PING_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pre-ping only the connections that rested in the pool, not every checkout.

    SQLAlchemy's `pool_pre_ping` costs three round trips per checkout with asyncpg (BEGIN, a
    ping, ROLLBACK): a fifth of a single POST's statements in `jisr bench http`. A connection
    handed back a moment ago was alive a moment ago; one that rested (the database may have
    restarted meanwhile) is pinged, and a dead one replaced (DisconnectionError makes the
    pool open a new one). A connection that dies in use is still detected by its error, which
    invalidates the pool's older connections as well.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _rested_from(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
            return  # new, or back from use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise sa_exc.DisconnectionError("pooled connection is gone") from exc


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


T = TypeVar("T")


async def in_transaction(
    sessions: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """Run one use case in one transaction: committed if `work` returns, rolled back if it
    raises (a RuleViolation included). Routes call the application layer through this (or
    `idempotency.write` for POSTs that take an Idempotency-Key); application functions take
    the open session and never commit themselves, so tests can run them on a rollback one."""
    async with sessions() as session, session.begin():
        return await work(session)


# What a database call can raise; routes let these through and the app maps them to 503/500.
# asyncpg's own InterfaceError (a connection closed under a raw statement) is transient too.
DATABASE_ERRORS = (
    sa_exc.DBAPIError,
    sa_exc.InterfaceError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)


# SQLSTATEs that mean "try again later": connection (08), resources (53), operator intervention
# (57P), read-only after failover (25006), serialization/deadlock (40001/40P01), lock (55P03).
_TRANSIENT_PREFIXES = ("08", "53", "57P")
# 57014: a statement cancelled by statement_timeout (the server is busy, not our bug).
_TRANSIENT_CODES = {"25006", "40001", "40P01", "55P03", "57014"}


def _transient_sqlstate(sqlstate: str | None) -> bool:
    return sqlstate is not None and (
        sqlstate.startswith(_TRANSIENT_PREFIXES) or sqlstate in _TRANSIENT_CODES
    )


def is_data_error(exc: BaseException | None) -> bool:
    """True when the database refused a value sent to it (SQLSTATE class 22: out of range,
    invalid datetime, NUL in text...): the request's fault, answered 422, never a 500."""
    while exc is not None:
        sqlstate = getattr(exc, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith("22"):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


def is_transient(exc: BaseException | None) -> bool:
    """True when the database is unreachable (as opposed to rejecting what we sent)."""
    if exc is None:
        return False
    if isinstance(exc, sa_exc.DBAPIError):
        return (
            exc.connection_invalidated
            or _transient_sqlstate(getattr(exc.orig, "sqlstate", None))
            or is_transient(exc.orig)
            or is_transient(exc.__cause__)
        )
    if _transient_sqlstate(getattr(exc, "sqlstate", None)):
        return True
    return isinstance(
        exc,
        OSError
        | TimeoutError
        | sa_exc.InterfaceError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        | asyncpg.exceptions.CannotConnectNowError
        | asyncpg.exceptions.TooManyConnectionsError
        | asyncpg.exceptions.InterfaceError,
    )


async def copy_rows(
    session: AsyncSession, table: str, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> None:
    """Bulk-load rows with COPY on the session's own connection (so in its transaction)."""
    if not records:
        return
    raw = await driver_connection(session)
    if len(records) <= SMALL_BATCH:
        # A single POST's row or two: COPY costs a column-type query plus the COPY itself;
        # a prepared INSERT (cached per connection) is one round trip.
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        await raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', records)
        return
    await raw.copy_records_to_table(table, columns=list(columns), records=records)


#: up to this many rows `copy_rows` INSERTs instead of COPYing (measured: `jisr bench http`)
SMALL_BATCH = 8


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's open transaction: for bulk
    statements whose per-row cost in SQLAlchemy (bind processing of every array item,
    compiling per call) is most of the work, e.g. a consumer's batch of projection rows."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # an open session's connection always has its asyncpg one
    if not raw.is_in_transaction():
        # SQLAlchemy's asyncpg adapter begins lazily, on the first statement: make sure
        # what follows joins the caller's transaction instead of autocommitting on its own.
        await connection.execute(text("SELECT 1"))
    return raw


@contextlib.asynccontextmanager
async def autocommit_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection outside any transaction: each statement commits alone.

    For a use case that is a single statement (a data-modifying CTE is atomic by itself):
    one round trip instead of BEGIN, the statement and COMMIT, and none of SQLAlchemy's
    per-statement work. Taken from the pool itself (`raw_connection`), not through
    `engine.connect()`, which also costs a Connection object and a tracing span. A connection
    that broke under it is invalidated, so the pool does not hand it out again (SQLAlchemy
    sees no error of a statement it did not run).
    """
    async with _gate(engine):
        pooled = await engine.raw_connection()
        try:
            raw = pooled.driver_connection
            assert raw is not None  # a checked-out connection always has its asyncpg one
            assert not raw.is_in_transaction()  # the pool rolled back what its last user left
            try:
                yield raw
            except BaseException:
                if raw.is_closed():
                    await greenlet_spawn(pooled.invalidate)
                raise
        finally:
            await greenlet_spawn(pooled.close)


# Per engine and event loop (a semaphore is bound to the loop it first waited on).
_gates: weakref.WeakKeyDictionary[
    AsyncEngine, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]
] = weakref.WeakKeyDictionary()


def _gate(engine: AsyncEngine) -> asyncio.Semaphore:
    """Callers of `autocommit_connection` queue here, first come first served, rather than in
    the pool, whose queue lets a newcomer take a connection just handed back ahead of a
    waiter already woken for it (who then waits again, at the end of the queue): under
    overload a few requests waited many seconds while most waited little. asyncio's
    Semaphore queues newcomers behind its waiters."""
    loop = asyncio.get_running_loop()
    known = _gates.get(engine)
    if known is None or known[0] is not loop:
        size = engine.sync_engine.pool.size()  # type: ignore[attr-defined]  # a QueuePool's
        known = _gates[engine] = (loop, asyncio.Semaphore(size))
    return known[1]
