"""`jisr complaints clocks run --at <time>`: one complaints scheduler pass as of an instant, so a
ministry can rehearse its rule pack (which deadlines would be approaching or breached, which
messages would go) without waiting days.

Against the database (JISR_DATABASE_URL, as `jisr serve` reads it), or with `--url` and an
admin token through the running service's `POST /v1/clocks/run`. Either way each deadline
event is still emitted once ever: a pass at a later instant, or the live scheduler, adds only
what is new.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import typer

from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.settings import get_settings

app = typer.Typer(
    help="The complaints service: run its clocks as of an instant.", no_args_is_help=True
)
clocks_app = typer.Typer(help="Statutory clocks: one scheduler pass.", no_args_is_help=True)
app.add_typer(clocks_app, name="clocks")


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO-8601 time: {value!r}", param_hint="'--at'") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@clocks_app.command("run")
def run(
    at: str = typer.Option(
        ..., help="ISO-8601 instant, e.g. 2027-03-01T09:00+03:00 (UTC if no offset)"
    ),
    notifications: bool = typer.Option(
        True, "--notifications/--no-notifications", help="also send the messages due by then"
    ),
    url: str | None = typer.Option(None, help="the complaints service, e.g. http://127.0.0.1:8001"),
    token: str | None = typer.Option(None, envvar="JISR_TOKEN", help="an admin token for --url"),
) -> None:
    """Run one scheduler pass as of AT and print what it did (JSON)."""
    moment = _instant(at)
    if url:
        if not token:
            raise typer.BadParameter("--url needs --token (or JISR_TOKEN)", param_hint="'--token'")
        result = _through_api(url, token, moment, notifications)
    else:
        result = asyncio.run(_against_database(moment, notifications))
    typer.echo(json.dumps(result, indent=2, default=str, ensure_ascii=False))


def _through_api(url: str, token: str, at: datetime, notifications: bool) -> dict[str, Any]:
    response = httpx.post(
        f"{url.rstrip('/')}/v1/clocks/run",
        json={"at": at.isoformat(), "notifications": notifications},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    if response.status_code != 200:
        typer.echo(f"error: {response.status_code} {response.text[:500]}", err=True)
        raise typer.Exit(1)
    return response.json()


async def _against_database(at: datetime, notifications: bool) -> dict[str, Any]:
    from services.complaints.config import ComplaintsConfig  # noqa: PLC0415  # only when run
    from services.complaints.deadlines import one_pass  # noqa: PLC0415
    from services.complaints.vault import vault  # noqa: PLC0415

    settings = get_settings()
    engine = make_engine(settings.service_database_url("complaints"), "complaints")
    try:
        sessions = make_session_factory(engine)
        return await one_pass(
            sessions, vault(settings), ComplaintsConfig(), at, notifications=notifications
        )
    finally:
        await engine.dispose()
