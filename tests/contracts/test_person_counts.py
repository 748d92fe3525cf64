"""Victims and offenders in incident events: counts by group, never a person (DESIGN.md,
Events). The event's schema stays backward compatible with the one committed before them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import get_args
from uuid import uuid4

import pytest
from pydantic import ValidationError

from libs.contracts import incidents as contract
from libs.contracts.compat import breaking_changes
from libs.contracts.incidents import IncidentRecorded, PersonCount
from libs.contracts.privacy import is_personal_name, personal_data_fields
from libs.reference import load_reference
from services.incidents.domain.submission import people_counts, recorded_event
from services.incidents.schemas import IncidentIn, PersonSummary

from .samples import incident_recorded

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _submission(victims: list[dict], offenders: list[dict]) -> IncidentIn:
    return IncidentIn.model_validate(
        {
            "station_id": "IR-01-S1",
            "occurred_at": NOW - timedelta(hours=2),
            "offences": [{"iccs_code": "0201", "domestic": True}],
            "victims": victims,
            "offenders": offenders,
        }
    )


def test_victims_travel_as_counts_by_type_sex_and_age_band():
    body = _submission(
        victims=[
            {"sex": "female", "age_band": "25-34", "relationship": "intimate_partner"},
            {"sex": "female", "age_band": "0-11", "relationship": "family"},
            {"sex": "female", "age_band": "25-34", "relationship": "family"},
            {"type": "business"},
        ],
        offenders=[{"sex": "male", "age_band": "35-44", "relationship": "intimate_partner"}],
    )
    event = recorded_event(uuid4(), body, load_reference(), NOW)
    assert [v.model_dump() for v in event.victims] == [
        {"type": "business", "sex": "unknown", "age_band": "unknown", "count": 1},
        {"type": "individual", "sex": "female", "age_band": "0-11", "count": 1},
        {"type": "individual", "sex": "female", "age_band": "25-34", "count": 2},
    ]
    assert [o.model_dump() for o in event.offenders] == [
        {"type": "individual", "sex": "male", "age_band": "35-44", "count": 1}
    ]
    assert event.offences[0].domestic is True
    # nothing of one person: no relationship, no exact age, no per-person item
    text = json.dumps(event.model_dump(mode="json"))
    assert "relationship" not in text and "intimate_partner" not in text


def test_no_victims_is_empty_lists():
    event = recorded_event(uuid4(), _submission([], []), load_reference(), NOW)
    assert event.victims == [] and event.offenders == []


def test_counts_add_up_and_groups_are_distinct():
    people = [PersonSummary(sex="male", age_band="18-24")] * 50
    [group] = people_counts(people)
    assert group.count == 50
    assert sum(g.count for g in people_counts(people[:3] + [PersonSummary()])) == 4


def test_a_count_is_positive_and_bounded():
    for bad in (0, 51):
        with pytest.raises(ValidationError):
            PersonCount(sex="female", count=bad)


def test_the_event_and_the_api_share_the_groups():
    """The API's person summary and the event's count use the same codes."""
    fields = PersonSummary.model_fields
    assert get_args(fields["type"].annotation) == get_args(contract.PersonType)
    assert get_args(fields["sex"].annotation) == get_args(contract.Sex)
    assert get_args(fields["age_band"].annotation) == get_args(contract.AgeBand)


def test_an_event_recorded_before_the_summaries_still_validates():
    old = incident_recorded().model_dump(mode="json")
    old.pop("victims")
    old.pop("offenders")
    assert IncidentRecorded.model_validate(old).victims == []


def test_adding_the_summaries_is_not_a_breaking_change():
    new = IncidentRecorded.model_json_schema()
    old = json.loads(json.dumps(new))
    for field in ("victims", "offenders"):
        old["properties"].pop(field)
    old["$defs"].pop("PersonCount")
    assert breaking_changes(old, new) == []
    assert personal_data_fields(IncidentRecorded) == []


@pytest.mark.parametrize("name", ["age", "victim_age", "age_years", "exact_age"])
def test_an_exact_age_is_personal(name):
    assert is_personal_name(name)


@pytest.mark.parametrize("name", ["age_band", "victim_age_band", "age_group"])
def test_an_age_band_is_not(name):
    assert not is_personal_name(name)
