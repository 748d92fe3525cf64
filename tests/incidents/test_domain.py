"""Pure rules beside the submission ones: weeks, count changes, corrections, alert episodes.
No database, no service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from services.incidents.domain.alerts import alert_action
from services.incidents.domain.counts import Classification, moved
from services.incidents.domain.submission import check_correction, check_merge
from services.incidents.domain.weeks import check_ended, day_windows, parse_week, week_of

MONDAY = date(2026, 11, 9)


def test_weeks_are_mondays_or_iso_weeks_and_errors_name_where_the_value_came_from():
    assert parse_week("2026-11-09") == parse_week("2026-W46") == MONDAY
    assert week_of("2026-11-12", ("query", "from")) == MONDAY  # any day names its week
    with pytest.raises(RuleViolation) as tuesday:
        parse_week("2026-11-10", ("query", "to"))
    assert tuesday.value.loc == ("query", "to") and "Monday" in tuesday.value.rule
    with pytest.raises(RuleViolation) as current:
        check_ended(MONDAY, datetime(2026, 11, 12, tzinfo=UTC))
    assert current.value.loc == ("path", "week")
    check_ended(MONDAY, datetime(2026, 11, 15, 1, tzinfo=UTC))  # Sunday, a day's grace


def test_a_correction_moves_counts_out_of_the_old_categories_into_the_new():
    before = Classification("AM-01-S1", MONDAY, "1", ("05", "0502"), active=True)
    after = Classification("AM-01-S1", MONDAY, "1", ("04", "0401"), active=True)
    delta = moved(before, after)
    assert {key[1]: n for key, n in delta.items()} == {"05": -1, "0502": -1, "04": 1, "0401": 1}
    voided = Classification("AM-01-S1", MONDAY, "1", ("05", "0502"), active=False)
    assert {key[1]: n for key, n in moved(before, voided).items()} == {"05": -1, "0502": -1}


def test_only_an_active_incident_is_corrected_and_never_into_itself():
    check_correction("active", "void")
    with pytest.raises(RuleViolation) as refused:
        check_correction("merged", "void")
    assert (refused.value.status, refused.value.loc) == (409, ())
    same = uuid4()
    with pytest.raises(RuleViolation) as itself:
        check_merge(same, same)
    assert itself.value.loc == ("body", "merged_into") and itself.value.status == 422


def test_an_alert_is_one_episode_raised_kept_and_cleared():
    assert alert_action(None, MONDAY, alarm=False) is None
    assert alert_action(None, MONDAY, alarm=True) == "raise"
    assert alert_action(MONDAY, date(2026, 11, 16), alarm=True) == "keep"
    assert alert_action(MONDAY, date(2026, 11, 16), alarm=False) == "clear"
    assert alert_action(MONDAY, date(2026, 11, 2), alarm=False) is None  # late news of the past


def test_evaluation_windows_must_be_ordered_and_after_must_follow_before():
    before, after = day_windows("2026-01-01", "2026-03-31", "2026-04-01", "2026-06-30")
    assert before == (date(2026, 1, 1), date(2026, 3, 31)) and after[0] == date(2026, 4, 1)
    with pytest.raises(RuleViolation) as overlap:
        day_windows("2026-01-01", "2026-04-30", "2026-04-01", "2026-06-30")
    assert overlap.value.loc == ("query", "after_from")
    with pytest.raises(RuleViolation) as reversed_window:
        day_windows("2026-03-01", "2026-01-01", "2026-04-01", "2026-06-30")
    assert reversed_window.value.loc == ("query", "before_to")
