"""The complainants' personal-data vault (libs.chassis.personal_data), built from settings."""

from __future__ import annotations

from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.settings import Settings


def vault(settings: Settings) -> PersonalDataVault:
    """The current personal-data key, and the retired ones while a rotation is under way."""
    return PersonalDataVault(settings.personal_data_key, settings.personal_data_previous_keys)
