"""`jisr keys`: rotate the personal-data master key of the services that hold personal data.

Rotation without downtime: set the new key as JISR_PERSONAL_DATA_KEY and the old one in
JISR_PERSONAL_DATA_PREVIOUS_KEYS, roll the service out, run `jisr keys rewrap`, and once
`jisr keys status` shows no data key under the old id, drop it from the previous keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker

from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.personal_data import PersonalDataVault, keys_by_master
from libs.chassis.settings import Settings, get_settings

app = typer.Typer(help="Personal-data master keys: status and rotation.", no_args_is_help=True)


def _complaints_vault(settings: Settings) -> PersonalDataVault:
    from services.complaints.vault import vault

    return vault(settings)


def _fora_vault(settings: Settings) -> PersonalDataVault:
    from services.fora.vault import members_vault

    return members_vault(settings)


# The services that keep personal data in a vault, and how each builds it from settings.
VAULTS: dict[str, Callable[[Settings], PersonalDataVault]] = {
    "complaints": _complaints_vault,
    "fora": _fora_vault,
}
SERVICE_HELP = f"one of {', '.join(VAULTS)}"


def _vault_service(service: str) -> str:
    if service not in VAULTS:
        raise typer.BadParameter(f"{service!r} keeps no personal data; {SERVICE_HELP}")
    return service


@asynccontextmanager
async def _sessions(settings: Settings, service: str) -> AsyncIterator[async_sessionmaker]:
    engine = make_engine(settings.service_database_url(service), service, pool_size=1)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


async def _status(settings: Settings, service: str) -> tuple[str, dict[str, int]]:
    async with _sessions(settings, service) as sessions, sessions() as session:
        counts = await keys_by_master(session)
    return VAULTS[service](settings).key_id, counts


async def _rewrap(settings: Settings, service: str, batch: int) -> int:
    vault = VAULTS[service](settings)
    moved = 0
    async with _sessions(settings, service) as sessions:
        while True:
            async with sessions() as session, session.begin():  # one transaction per batch
                n = await vault.rewrap(session, batch)
            moved += n
            if n == 0:
                return moved


@app.command("status")
def status_command(
    service: str = typer.Option(..., callback=_vault_service, help=SERVICE_HELP),
) -> None:
    """How many data keys each master key wraps (by key id); the current key is marked."""
    current, counts = asyncio.run(_status(get_settings(), service))
    typer.echo(f"current master key id: {current}")
    for key_id, n in sorted(counts.items()):
        mark = " (current)" if key_id == current else ""
        typer.echo(f"{key_id}{mark}: {n} data keys")
    left = sum(n for key_id, n in counts.items() if key_id != current)
    typer.echo(f"{left} data keys under previous master keys")


@app.command("rewrap")
def rewrap_command(
    service: str = typer.Option(..., callback=_vault_service, help=SERVICE_HELP),
    batch: int = typer.Option(500, min=1, help="Data keys per transaction"),
) -> None:
    """Re-wrap every data key still under a previous master key with the current one.

    Safe to run while the service serves, and to run again."""
    try:
        moved = asyncio.run(_rewrap(get_settings(), service, batch))
    except ValueError as exc:  # a key under a master key that is not configured
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{service}: re-wrapped {moved} data keys; none is left under a previous key")
