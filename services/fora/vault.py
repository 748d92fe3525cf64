"""The fora personal-data vault (member names and contacts, meeting minutes), built from
settings in one place: routes reach it as a dependency, `jisr keys` through `members_vault`."""

from __future__ import annotations

from fastapi import Request

from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.settings import Settings


def members_vault(settings: Settings) -> PersonalDataVault:
    """The current personal-data key, and the retired ones while a rotation is under way."""
    return PersonalDataVault(settings.personal_data_key, settings.personal_data_previous_keys)


def vault(request: Request) -> PersonalDataVault:
    """The app's vault, made on first use."""
    state = request.app.state
    if getattr(state, "vault", None) is None:
        state.vault = members_vault(state.settings)
    return state.vault
