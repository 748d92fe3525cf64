"""Async SQLAlchemy engine per service, bound to the service's own schema.

Each service owns one PostgreSQL schema (named after the service). The search_path is set per
connection, so a service's SQL never names — and never reaches — another service's tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def asyncpg_dsn(url: str) -> str:
    """A plain libpq-style DSN for asyncpg (LISTEN/NOTIFY and advisory locks use asyncpg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """Accept postgresql:// or postgresql+asyncpg:// and return the asyncpg flavour."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def server_settings(schema: str) -> dict[str, str]:
    return {"search_path": schema, "application_name": f"jisr-{schema}"}


def make_engine(url: str, schema: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # error messages (logs, dead-letter headers) carry no values
        connect_args={"server_settings": server_settings(schema), "timeout": 10},
    )


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
DATABASE_ERRORS = (sa_exc.DBAPIError, sa_exc.InterfaceError, asyncpg.PostgresError, OSError)


# SQLSTATEs that mean "try again later": connection (08), resources (53), operator intervention
# (57P), read-only after failover (25006), serialization/deadlock (40001/40P01), lock (55P03).
_TRANSIENT_PREFIXES = ("08", "53", "57P")
_TRANSIENT_CODES = {"25006", "40001", "40P01", "55P03"}


def _transient_sqlstate(sqlstate: str | None) -> bool:
    return sqlstate is not None and (
        sqlstate.startswith(_TRANSIENT_PREFIXES) or sqlstate in _TRANSIENT_CODES
    )


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
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # an open session's connection always has its asyncpg one
    if not raw.is_in_transaction():
        # SQLAlchemy's asyncpg adapter begins lazily, on the first statement: make sure the
        # COPY joins the caller's transaction instead of autocommitting on its own.
        await connection.execute(text("SELECT 1"))
    await raw.copy_records_to_table(table, columns=list(columns), records=records)
