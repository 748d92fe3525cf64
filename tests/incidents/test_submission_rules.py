"""Pure incident rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from libs.reference import load_reference
from services.incidents.domain.submission import check_submission, recorded_event
from services.incidents.schemas import IncidentIn

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def submission(**changes) -> IncidentIn:
    data = {
        "station_id": "IR-01-S1",
        "occurred_at": NOW - timedelta(hours=2),
        "offences": [{"iccs_code": "0501"}, {"iccs_code": "0201", "attempted": True}],
    } | changes
    return IncidentIn.model_validate(data)


def test_valid_submission_becomes_an_event_with_its_areas():
    reference = load_reference()
    event = recorded_event(uuid4(), submission(), reference, NOW)
    check_submission(submission(), reference, NOW)
    assert event.district_code == "IR-01"
    assert event.governorate_code == "IR"
    assert [o.iccs_code for o in event.offences] == ["0501", "0201"]
    assert event.offences[1].attempted is True


@pytest.mark.parametrize(
    ("changes", "loc", "rule"),
    [
        ({"station_id": "XX-99-S9"}, ("body", "station_id"), "unknown station"),
        ({"occurred_at": NOW + timedelta(hours=1)}, ("body", "occurred_at"), "future"),
        (
            {"offences": [{"iccs_code": "0201"}, {"iccs_code": "0999"}]},
            ("body", "offences", 1, "iccs_code"),
            "not an ICCS code",
        ),
    ],
)
def test_rule_violations_name_field_and_rule(changes, loc, rule):
    with pytest.raises(RuleViolation) as caught:
        check_submission(submission(**changes), load_reference(), NOW)
    assert caught.value.loc == loc
    assert rule in caught.value.rule


def test_a_little_clock_skew_is_tolerated():
    check_submission(submission(occurred_at=NOW + timedelta(minutes=2)), load_reference(), NOW)
