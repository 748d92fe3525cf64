"""Alembic migrations, one history per service, each in the service's own schema.

A service's ``migrations/env.py`` calls :func:`run_env`; ``jisr migrate <service>`` and
``jisr up`` call :func:`migrate`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from .db import asyncpg_dsn, server_settings, sqlalchemy_url


def alembic_config(migrations_dir: Path, url: str, schema: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    return cfg


async def ensure_schema(url: str, schema: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


async def migrate(migrations_dir: Path, url: str, schema: str, revision: str = "head") -> None:
    """Create the schema if needed and upgrade it to `revision` (alembic runs in a thread)."""
    await ensure_schema(url, schema)
    cfg = alembic_config(migrations_dir, url, schema)
    await asyncio.to_thread(command.upgrade, cfg, revision)


def _run_sync(connection: Connection, schema: str) -> None:
    context.configure(
        connection=connection,
        version_table_schema=schema,
        include_schemas=False,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str, schema: str) -> None:
    engine = create_async_engine(
        sqlalchemy_url(url),
        poolclass=pool.NullPool,
        connect_args={"server_settings": server_settings(schema)},
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, schema)
        await connection.commit()
    await engine.dispose()


def run_env() -> None:
    """Body of every service's alembic env.py (alembic calls it in its own thread)."""
    cfg = context.config
    url = cfg.get_main_option("sqlalchemy.url")
    assert url is not None, "the migration config names no database URL"
    schema = cfg.attributes["schema"]
    asyncio.run(_run_online(url, schema))
