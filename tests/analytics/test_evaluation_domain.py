"""The before/after evaluation's pure rules: windows, intervals, suggested defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from libs.chassis.errors import RuleViolation
from libs.chassis.principal import Principal
from libs.reference import load_reference
from services.analytics.domain import evaluation

TODAY = date(2026, 6, 30)


def windows(**given):
    values = {
        "start": "2026-04-01",
        "days": None,
        "before_from": None,
        "before_to": None,
        "after_from": None,
        "after_to": None,
    } | given
    return evaluation.parse_windows(**values, today=TODAY)


def refused(field, **given):
    with pytest.raises(RuleViolation) as caught:
        windows(**given)
    assert caught.value.loc == ("query", field), caught.value.rule
    return caught.value.rule


def test_windows_default_to_days_either_side_of_the_start():
    start, before, after = windows(days=30)
    assert start == date(2026, 4, 1)
    assert (before.first, before.last) == (date(2026, 3, 2), date(2026, 3, 31))  # 30 days
    assert (after.first, after.last) == (date(2026, 4, 1), date(2026, 4, 30))
    assert before.days == after.days == 30
    _, before, after = windows()  # 90 days: Jan 1 .. Mar 31, Apr 1 .. Jun 29
    assert (before.first, after.last, before.days) == (date(2026, 1, 1), date(2026, 6, 29), 90)


def test_explicit_windows_may_leave_a_gap_but_must_be_as_long():
    _, before, after = windows(
        before_from="2026-01-01", before_to="2026-01-31", after_from="2026-05-01",
        after_to="2026-05-31",
    )  # fmt: skip
    assert (before.days, after.days) == (31, 31)
    assert "as long as" in refused(
        "after_to", before_from="2026-01-01", before_to="2026-01-31", after_to="2026-04-30"
    )


def test_each_window_rule_names_its_parameter():
    assert "required" in refused("start", start=None)
    refused("start", start="2026-02-30")
    refused("start", start="1800-01-01")
    refused("days", days=0)
    refused("days", days=evaluation.MAX_DAYS + 1)
    refused("before_to", before_to="2026-04-01")  # not before the start
    refused("after_from", after_from="2026-03-31")  # before the start
    refused("before_from", before_from="2026-04-10", before_to="2026-03-31")
    assert "today" in refused("after_to", start="2026-06-20", days=30)


def test_wilson_interval_and_wdd_interval():
    # 7/20: p = 0.35; centre = (0.35 + 3.841459/40) / (1 + 3.841459/20) = 0.446036 / 1.192073
    # = 0.374172; half = 1.959964 * sqrt(0.2275/20 + 3.841459/1600) / 1.192073 = 0.192977
    assert evaluation.wilson(7, 20) == (0.1812, 0.5671)
    assert evaluation.wilson(0, 0) == (None, None)
    low, high = evaluation.wilson(0, 10)  # no positive answer: the interval still has width
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)  # z^2 / (n + z^2)
    # -4 ± 1.959964 * sqrt(18) = -4 ± 8.315404
    assert evaluation.wdd_interval(-4.0, 18.0) == (-12.32, 4.32)
    assert evaluation.wdd_interval(0.0, 0.0) == (0.0, 0.0)


def test_a_station_commander_evaluates_only_their_station():
    reference = load_reference()
    officer = Principal(subject="o", roles=frozenset({"station_officer"}), station_id="AM-01-S1")
    params: dict[str, Any] = {"start": "2026-04-01", "days": 10, "today": TODAY}
    with pytest.raises(RuleViolation) as caught:
        evaluation.open_evaluation(
            officer, reference, treated="AM-01-S1", comparison="AM-01", **params
        )
    assert caught.value.status == 403
    scope, chosen = evaluation.open_evaluation(
        officer, reference, treated="AM-01-S1", comparison="AM-01-S1", **params
    )
    assert scope.area == "AM-01-S1" and chosen.treated == chosen.comparison == "AM-01-S1"
    overseer = Principal(subject="b", roles=frozenset({"oversight"}))
    with pytest.raises(RuleViolation) as caught:
        evaluation.open_evaluation(overseer, reference, treated="AM", comparison="IR", **params)
    assert caught.value.status == 403


def test_suggestions_prefer_an_area_surveyed_before_and_after():
    reference = load_reference()
    waves = [
        ("AM-02", date(2026, 6, 1)),  # after only, twice
        ("AM-02", date(2026, 5, 1)),
        ("AM-01", date(2026, 3, 1)),  # before and after
        ("AM-01", date(2026, 6, 10)),
        ("JO", date(2026, 6, 10)),  # the nation is never the pilot
        ("ZZ-99", date(2026, 6, 10)),  # unknown to this reference set
    ]
    chosen = evaluation.suggest(reference, waves, None, TODAY, 90)
    assert chosen == {
        "start": "2026-04-02",  # the after window: Apr 2 .. Jun 30 (90 days)
        "days": "90",
        "treated": "AM-01",
        "comparison": "AM-02",
    }
    fallback = evaluation.suggest(reference, [], None, TODAY, 90)
    assert fallback["treated"] != fallback["comparison"]
    assert evaluation.suggest(reference, waves, "AM-01-S1", TODAY)["treated"] == "AM-01-S1"
