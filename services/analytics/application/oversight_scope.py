"""An oversight token reads for its body's registered jurisdiction, not for its claims.

The complaints service publishes each body's jurisdiction when the body is registered or
changed (`oversight_body.registered` / `.changed`); analytics keeps it in
`oversight_jurisdictions`. A token of a body never registered reads nothing (403), a national
body reads the whole country, a regional one its governorates: the one the `area` filter lies
in, or its first (in code order) when the filter names none or lies outside them (which the
view then refuses with 403, as for any filter outside a scope). The token's own `governorate`
claim is ignored.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.errors import RuleViolation
from libs.chassis.principal import Principal
from libs.reference import Reference, load_reference

from ..accountability.jurisdictions import jurisdiction
from ..domain.scope import COMPLAINTS_OFFICER, MINISTRY_ANALYST, OVERSIGHT, contains


def reads_as_oversight(principal: Principal) -> bool:
    """True when the view is cut to an oversight body (scope_for's order of precedence)."""
    return (
        OVERSIGHT in principal.roles
        and not principal.has_role(MINISTRY_ANALYST)
        and not principal.station_scoped
    )


async def as_registered(session: AsyncSession, principal: Principal, area: str | None) -> Principal:
    """The principal with `governorate` set from its body's registered jurisdiction."""
    if not reads_as_oversight(principal):
        return principal
    if not principal.oversight_body:
        if COMPLAINTS_OFFICER in principal.roles:
            return replace(principal, roles=principal.roles - {OVERSIGHT})
        raise RuleViolation.forbidden("an oversight token must name its oversight_body")
    registered = await jurisdiction(session, principal.oversight_body)
    if registered is None:
        raise RuleViolation.forbidden(
            "this oversight body is not registered (an admin registers it in complaints)"
        )
    if registered["national"]:
        return replace(principal, governorate=None)
    governorates: list[str] = sorted(registered["governorates"])
    reference = load_reference()
    chosen = next(
        (g for g in governorates if area and _within(reference, g, area)), governorates[0]
    )
    return replace(principal, governorate=chosen)


def _within(reference: Reference, governorate: str, area: str) -> bool:
    try:
        return contains(reference, governorate, area)
    except KeyError:
        return False  # an unknown area: the view refuses it with 422
