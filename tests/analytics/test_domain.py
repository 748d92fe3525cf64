"""Domain tier: the scope rules, filters, periods and each subject's figures on plain values
(no database, no broker)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from libs.chassis.principal import Principal
from libs.contracts.incidents import IncidentReclassified, IncidentVoided, Offence
from libs.reference import load_reference
from services.analytics.domain import accountability, combined, crime, engagement
from services.analytics.domain import public_report as report_rules
from services.analytics.domain.periods import periods
from services.analytics.domain.scope import Filters, open_view, parse_filters, scope_for


def caller(roles: frozenset[str], **scope: str) -> Principal:
    return Principal("test", roles, **scope)


def _filters(start: date, end: date, area: str = "JO", category: str | None = None) -> Filters:
    return Filters(start, end, area, category)


def test_scope_follows_the_role() -> None:
    assert scope_for(caller(frozenset({"ministry_analyst"}))).area is None
    station = scope_for(caller(frozenset({"station_officer"}), station_id="AM-01-S1"))
    assert (station.area, station.who) == ("AM-01-S1", "station")
    assert not station.allows("overview")
    oversight = scope_for(caller(frozenset({"oversight"}), governorate="AM"))
    assert oversight.area == "AM" and oversight.views == {"accountability"}


def test_refusals_are_rule_violations_with_their_status() -> None:
    with pytest.raises(RuleViolation) as nameless:
        scope_for(caller(frozenset({"station_officer"})))
    assert nameless.value.status == 403 and nameless.value.loc == ()
    with pytest.raises(RuleViolation) as wrong_view:
        open_view(caller(frozenset({"oversight"})), "crime")
    assert wrong_view.value.status == 403
    with pytest.raises(RuleViolation) as no_station:
        open_view(caller(frozenset({"ministry_analyst"})), "scorecard", area="nowhere")
    assert no_station.value.status == 404


def test_filters_name_the_query_parameter_they_break() -> None:
    analyst = scope_for(caller(frozenset({"ministry_analyst"})))
    for values, field in (
        ({"start": "2026-13-01", "end": None}, "from"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "from"),
        ({"start": None, "end": None, "area": "XX"}, "area"),
    ):
        with pytest.raises(RuleViolation) as refused:
            parse_filters(
                analyst, **{"area": None, "category": None, **values}, today=date(2026, 6, 1)
            )
        assert refused.value.loc == ("query", field) and refused.value.status == 422
    station = scope_for(caller(frozenset({"station_officer"}), station_id="AM-01-S1"))
    with pytest.raises(RuleViolation) as wider:
        parse_filters(station, start=None, end=None, area="AM", category=None)
    assert wider.value.status == 403  # a filter never widens the scope


def test_series_are_weekly_up_to_a_year_then_monthly() -> None:
    unit, weeks = periods(_filters(date(2026, 6, 3), date(2026, 6, 20)))
    assert unit == "week" and weeks == ["2026-06-01", "2026-06-08", "2026-06-15"]
    unit, months = periods(_filters(date(2024, 1, 15), date(2025, 3, 1)))
    assert unit == "month" and months[0] == "2024-01" and months[-1] == "2025-03"


def test_a_correction_says_which_incident_and_what_changes() -> None:
    incident = uuid4()
    now = datetime.now(UTC)
    moved = IncidentReclassified(
        incident_id=incident,
        station_id="AM-01-S1",
        offences=[Offence(iccs_code="020111")],
        reclassified_at=now,
    )
    assert crime.correction(moved) == (
        incident,
        {"iccs_code": "020111", "categories": ["02", "0201"], "domestic_categories": []},
    )
    voided = IncidentVoided(
        incident_id=incident, station_id="AM-01-S1", reason_code="NO_CRIME", voided_at=now
    )
    assert crime.correction(voided) == (incident, {"status": "voided"})
    assert crime.correction(object()) is None


def test_a_review_is_upheld_only_back_to_investigation() -> None:
    assert accountability.review_outcome("review_requested", "formal_investigation") == "upheld"
    assert accountability.review_outcome("review_requested", "closed") == "not_upheld"
    assert accountability.review_outcome("findings", "formal_investigation") is None


def test_recommendations_stand_answered_open_or_overdue() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    made = [
        ("ombudsman", None, datetime(2026, 5, 1, tzinfo=UTC)),
        ("ombudsman", None, datetime(2026, 7, 1, tzinfo=UTC)),
        ("ombudsman", "accepted", datetime(2026, 5, 1, tzinfo=UTC)),
    ]
    (row,) = accountability.recommendations_by_body(made, now)
    assert row == {
        "oversight_body": "ombudsman",
        "made": 3,
        "open": 1,
        "overdue": 1,
        "accepted": 1,
        "declined": 0,
    }


def test_group_shares_count_each_meeting_once_in_the_denominator() -> None:
    counted = [("m1", "youth", 4, 20), ("m1", "elders", 6, 20), ("m2", "youth", 5, 10)]
    assert engagement.group_shares(counted) == [
        {"group": "elders", "attendees": 6, "share": 0.2},
        {"group": "youth", "attendees": 9, "share": 0.3},
    ]


def test_the_public_report_withholds_a_lone_small_count() -> None:
    reference = load_reference()
    governorates = sorted(reference.governorates)
    raw = {
        "incidents": {governorates[0]: 3, governorates[1]: 40, governorates[2]: 12},
        "complaints_received": {},
        "complaints_closed": {},
    }
    filters = report_rules.month_filters("2026-05", date(2026, 6, 15))
    shown = report_rules.report(reference, filters, raw)
    by_code = {row["governorate"]: row for row in shown["rows"]}
    assert by_code[governorates[0]]["incidents"] == "<5"
    assert by_code[governorates[0]]["incidents_per_100k"] == "<5"
    assert by_code[governorates[2]]["incidents"] == "x"  # the smallest other non-zero cell
    assert shown["total"]["incidents"] == 55 and shown["month"] == "2026-05"
    with pytest.raises(RuleViolation) as future:
        report_rules.month_filters("2026-07", date(2026, 6, 15))
    assert future.value.loc == ("query", "month")


def test_the_overview_merges_the_three_views_by_area() -> None:
    filters = _filters(date(2026, 5, 1), date(2026, 5, 31))
    label = {"area": "AM", "level": "governorate", "name_en": "Amman", "name_ar": "عمان"}
    crime_view = {
        "summary": {"incidents": 7, "rate_per_100k": 1.0, "open_alerts": 0},
        "time_unit": "week",
        "notes": [],
        "tables": {
            "by_area": [label | {"incidents": 7, "rate_per_100k": 1.0}],
            "over_time": [],
            "alerts": [],
        },
    }
    accountability_view = {
        "summary": {"received": 2, "median_days_to_close": None, "recommendations_open": 0},
        "tables": {
            "by_area": [
                label | {"received": 2, "median_days_to_close": None, "share_past_any_clock": 0.5}
            ],
            "over_time": [],
        },
    }
    engagement_view = {
        "summary": {"meetings_held": 1, "women_share": 0.4},
        "tables": {
            "by_area": [
                label
                | {
                    "meetings_held": 1,
                    "quorum_rate": 1.0,
                    "women_share": 0.4,
                    "on_time_share": None,
                }
            ],
            "over_time": [],
        },
    }
    merged = combined.overview(filters, crime_view, accountability_view, engagement_view)
    (row,) = merged["tables"]["by_area"]
    assert row["incidents"] == 7 and row["received"] == 2 and row["women_share"] == 0.4
    assert merged["summary"]["complaints_received"] == 2
