"""No personal data in any event: a tested rule (DESIGN.md, Events)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field

from libs.contracts.catalogue import ALL_EVENTS
from libs.contracts.privacy import is_personal_name, personal_data_fields


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.schema_name())
def test_events_carry_no_personal_data(model):
    problems = personal_data_fields(model)
    assert problems == [], "\n".join(problems)


class Statement(BaseModel):
    narrative: str
    language: str = Field(max_length=8)


class BadEvent(BaseModel):
    complainant_name: str = Field(max_length=64)
    phone: str = Field(pattern=r"^\+?\d{6,15}$")
    statements: list[Statement]
    tags: list[str | None]
    home_address: str | None = None
    extra: dict[str, int] = {}
    payload: Any = None
    station_id: str = Field(max_length=32)
    officer_pseudonym: str = Field(pattern=r"^[0-9a-f]{16,64}$")


def test_bad_model_is_flagged_field_by_field():
    assert personal_data_fields(BadEvent) == [
        "BadEvent.complainant_name: personal-data field name",
        "BadEvent.phone: personal-data field name",
        "BadEvent.statements[].narrative: personal-data field name",
        "BadEvent.statements[].narrative: free text (unbounded str)",
        "BadEvent.tags[]: free text (unbounded str)",
        "BadEvent.home_address: personal-data field name",
        "BadEvent.home_address: free text (unbounded str)",
        "BadEvent.extra: free-form map (unbounded str keys)",
        "BadEvent.payload: untyped value (could carry free text)",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "name", "first_name", "full_name", "complainant_name", "surname", "phone", "mobile_no",
        "email", "e_mail", "national_id", "nid", "passport_no", "home_address", "street",
        "narrative", "description", "statement", "notes", "comment", "free_text", "birth_date",
        "date_of_birth", "dob", "latitude", "lon", "lng", "lat", "coordinates", "geo",
        "ip_address", "Complainant_Phone",
    ],
)  # fmt: skip
def test_personal_names(name):
    assert is_personal_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "station_id", "forum_type", "officer_pseudonym", "national_code", "complaint_id",
        "governorate_code", "occurred_at", "area_id", "category", "channel", "total",
        "longest_wait_days", "latest_status",
    ],
)  # fmt: skip
def test_not_personal_names(name):
    assert not is_personal_name(name)
