"""`jisr token`: mint a development token, e.g. `TOKEN=$(jisr token --role station_officer
--station AM-01-S1)`. Only the token goes to stdout so the command composes in shells."""

from __future__ import annotations

import difflib

import typer

from libs.chassis.auth import ROLES, Role, mint_token
from libs.chassis.settings import get_settings
from libs.reference.loader import load_reference
from libs.reference.model import Reference


def token(
    role: list[str] = typer.Option(
        ..., "--role", help=f"Role to grant; repeatable. One of: {', '.join(sorted(ROLES))}."
    ),
    station: str | None = typer.Option(None, "--station", help="Station id, e.g. AM-01-S1."),
    governorate: str | None = typer.Option(None, "--governorate", help="Governorate code."),
    oversight_body: str | None = typer.Option(None, "--oversight-body", help="Oversight body."),
    subject: str | None = typer.Option(None, "--subject", help="Token subject (user id)."),
    ttl: int = typer.Option(8 * 3600, "--ttl", help="Lifetime in seconds."),
) -> None:
    """Print a signed bearer token for the local stack (signed with the JISR_JWT_* key)."""
    _check_roles(role, station)
    reference = load_reference()
    _check_governorate(reference, governorate)
    _check_station(reference, station, governorate)
    if ttl <= 0:
        raise typer.BadParameter("must be a positive number of seconds", param_hint="'--ttl'")
    try:
        minted = mint_token(
            get_settings(),
            role=role,
            subject=subject,
            station_id=station,
            governorate=governorate,
            oversight_body=oversight_body,
            ttl_seconds=ttl,
        )
    except ValueError as exc:  # missing signing key: configuration, not usage
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(minted)


def _check_roles(roles: list[str], station: str | None) -> None:
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        raise typer.BadParameter(
            f"unknown role {', '.join(unknown)}; choose from {', '.join(sorted(ROLES))}",
            param_hint="'--role'",
        )
    if Role.STATION_OFFICER in roles and not station:
        raise typer.BadParameter("a station_officer token needs --station", param_hint="'--role'")


def _check_station(reference: Reference, station: str | None, governorate: str | None) -> None:
    if station is None:
        return
    if station not in reference.stations:
        close = difflib.get_close_matches(station, reference.stations, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise typer.BadParameter(f"unknown station {station!r}{hint}", param_hint="'--station'")
    home = reference.stations[station].governorate_code
    if governorate and governorate != home:
        raise typer.BadParameter(
            f"station {station} is in governorate {home}, not {governorate}",
            param_hint="'--governorate'",
        )


def _check_governorate(reference: Reference, governorate: str | None) -> None:
    if governorate is not None and governorate not in reference.governorates:
        known = ", ".join(sorted(reference.governorates))
        raise typer.BadParameter(
            f"unknown governorate {governorate!r}; known: {known}", param_hint="'--governorate'"
        )
