"""SARA assessment on the incidents service's JSON shapes, and survey suppression."""

from __future__ import annotations

from datetime import date

import pytest

from libs.chassis.errors import RuleViolation
from services.fora.domain import sara, surveys
from services.fora.domain.outreach import perception_change, report

SERIES = {
    "area": "AM-01",
    "category": "0501",
    "method": "farrington_flexible",
    "weeks": [
        {"week_start": "2026-01-05", "observed": 3, "expected": 2.1, "upper_limit": 6.0,
         "score": 0.2, "flag": False, "rate_per_100k": 0.35},
        {"week_start": "2026-01-12", "observed": 9, "expected": 2.4, "upper_limit": 6.5,
         "score": 2.9, "flag": True, "rate_per_100k": 1.05},
        {"week_start": "2026-01-19", "observed": 4, "expected": 2.5, "upper_limit": 6.6,
         "score": 0.4, "flag": False, "rate_per_100k": 0.47},
    ],
}  # fmt: skip


def case(displacement: str | None = "AM-02", observed: int = 40) -> dict:
    return {
        "area_id": "AM-01",
        "comparison_area_id": "AM-03",
        "displacement_area_id": displacement,
        "iccs_code": "0501",
        "baseline": {"from_date": "2026-01-01", "to_date": "2026-03-31", "observed": observed},
    }


def evaluation(**overrides) -> dict:
    body = {
        "treated": {"area": "AM-01", "before": 40, "after": 22},
        "comparison": {"area": "AM-03", "before": 30, "after": 27},
        "displacement": {"area": "AM-02", "before": 20, "after": 21},
        "wdd": -15.0, "wdd_variance": 98.0, "wdd_z": -1.52, "wdd_p": 0.03, "etest_p": 0.01,
        "category": "0501",
    }  # fmt: skip
    return body | overrides


def test_frozen_baseline_sums_the_weeks_of_the_before_period():
    frozen = sara.freeze_baseline(SERIES, date(2026, 1, 5), date(2026, 1, 12))
    assert (frozen.weeks, frozen.observed, frozen.expected, frozen.weeks_flagged) == (2, 12, 4.5, 1)
    assert frozen.method == "farrington_flexible"


def test_scanning_needs_two_incidents_or_an_alert():
    with pytest.raises(RuleViolation, match="linked_incident_ids"):
        sara.check_scanning(["i1", "i1"], None)
    sara.check_scanning(["i1", "i2"], None)
    sara.check_scanning([], "alert")


def test_after_period_must_follow_the_frozen_before_period():
    with pytest.raises(RuleViolation, match="after_from"):
        sara.check_windows(date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), date(2026, 6, 1))


def test_stages_go_in_order():
    sara.next_stage("scanning", "analysis")
    sara.next_stage("response", "analysis")  # revisit
    with pytest.raises(RuleViolation, match="cannot move"):
        sara.next_stage("scanning", "response")
    with pytest.raises(RuleViolation):
        sara.next_stage("closed", "assessment")


def test_evaluation_query_comes_from_the_frozen_case():
    query = sara.evaluation_query(case(), date(2026, 5, 1), date(2026, 7, 31))
    assert query == {
        "treated": "AM-01", "comparison": "AM-03", "displacement": "AM-02", "category": "0501",
        "before_from": "2026-01-01", "before_to": "2026-03-31",
        "after_from": "2026-05-01", "after_to": "2026-07-31",
    }  # fmt: skip


def test_significant_drop_with_diffusion_of_benefits():
    impact = sara.assess_impact(case(), evaluation(displacement={"area": "AM-02", "before": 20,
                                                                 "after": 15}))  # fmt: skip
    assert impact.impact == "reduction"
    # buffer: 15/27 - 20/30 = -0.111 < 0 -> diffusion; success: 22/27 - 40/30 = -0.5185
    assert impact.displacement == "diffusion_of_benefits"
    assert impact.wdq == pytest.approx((15 / 27 - 20 / 30) / (22 / 27 - 40 / 30), abs=1e-4)
    assert not impact.before_revised


def test_displacement_and_non_significance():
    impact = sara.assess_impact(case(observed=38), evaluation(wdd_p=0.2, etest_p=0.01))
    assert impact.impact == "no_significant_change"  # the WDD test decides, not the E-test
    assert impact.displacement == "displacement"  # 21/27 > 20/30
    assert impact.before_revised  # 40 now, 38 when frozen: late records


def test_e_test_decides_when_wdd_has_no_p_value_and_no_buffer_is_not_measured():
    impact = sara.assess_impact(case(displacement=None), evaluation(wdd_p=None, etest_p=0.01))
    assert impact.impact == "reduction" and impact.displacement == "not_measured"
    assert impact.wdq is None


def test_evaluation_for_other_areas_is_refused():
    with pytest.raises(RuleViolation, match="frozen areas"):
        sara.assess_impact(
            case(), evaluation(comparison={"area": "AM-04", "before": 1, "after": 1})
        )


def _responses(area, gender, age, n, safe=True):
    answer = {
        "feel_safe_after_dark": "very_safe" if safe else "very_unsafe",
        "trust_police": "none_at_all",
    }
    return [surveys.Response(area, gender, age, answer)] * n


def test_a_hidden_cell_is_not_given_away_by_the_margins_of_other_tables():
    items = ["feel_safe_after_dark", "trust_police"]
    rows = (
        _responses("AM-01", "female", "18_29", 6)
        + _responses("AM-01", "male", "18_29", 3, safe=False)
        + _responses("AM-01", "male", "30_44", 9, safe=False)
    )
    by_both = surveys.results(rows, items, ["gender", "age_band"])
    hidden = {(c["gender"], c["age_band"]) for c in by_both["cells"] if c["suppressed"]}
    assert ("male", "18_29") in hidden and len(hidden) >= 2
    for cell in by_both["cells"]:
        if cell["suppressed"]:
            assert set(cell) == {"gender", "age_band", "suppressed"}
    # No female aged 30-44 answered (the table lists no such cell), so published gender and
    # age-band totals would give male/18_29 away: 18 - female (6) - 30_44 (9) = 3. One of them
    # is hidden with it, in every view cut from the wave.
    by_gender = {c["gender"]: c for c in surveys.results(rows, items, ["gender"])["cells"]}
    by_age = {c["age_band"]: c for c in surveys.results(rows, items, ["age_band"])["cells"]}
    assert by_gender["female"]["suppressed"] or by_age["30_44"]["suppressed"]
    assert by_gender["male"]["suppressed"] or by_age["18_29"]["suppressed"]
    assert surveys.results(rows, items)["overall"]["responses"] == 18


def test_small_waves_and_sparse_items_are_suppressed():
    rows = _responses("AM-01", "female", None, 4)
    assert surveys.results(rows, ["feel_safe_after_dark"])["overall"] == {"suppressed": True}
    rows = _responses("AM-01", "female", None, 5) + [
        surveys.Response("AM-01", "male", None, {"heard_of_council": "yes"})
    ]
    items = surveys.results(rows, ["feel_safe_after_dark", "heard_of_council"])["overall"]["items"]
    assert items[0]["answered"] == 5 and items[1]["suppressed"] is True


def test_published_counts_hide_exactly_what_results_hide():
    items = ["feel_safe_after_dark", "trust_police"]
    rows = (
        _responses("AM-01-S1", "female", None, 6)
        + _responses("AM-01-S1", None, None, 2, safe=False)
        + _responses("AM-01-S2", "male", None, 9, safe=False)
        + [surveys.Response("AM-01-S2", "female", None, {"trust_police": "quite_a_lot"})] * 5
    )
    assert surveys.count_table(rows, items).by == ("area", "gender")  # the table analytics reads
    for by in [("area",), ("gender",), ("area", "gender"), ()]:
        table = surveys.count_table(rows, items, by)
        shown = surveys.results(rows, items, table.by)["cells"] or [
            surveys.results(rows, items)["overall"]
        ]
        assert [c["suppressed"] for c in shown] == [c.responses is None for c in table.cells]
        for cell, result in zip(table.cells, shown, strict=True):
            assert dict(cell.key) == {k: result[k] for k in table.by}
            if cell.responses is None:
                assert cell.items == ()
                continue
            for count, item in zip(cell.items, result["items"], strict=True):
                assert (count.positive is None) == item["suppressed"]
    table = surveys.count_table(rows, items, ("gender",))
    by_gender = {c.key["gender"]: c for c in table.cells}
    # "unknown" (2) would be 22 - 11 - 9 if hidden alone: one of the others goes too
    assert by_gender["unknown"].responses is None
    assert [by_gender[g].responses is None for g in ("female", "male")].count(True) == 1
    crossed = surveys.count_table(rows, items, ("area", "gender"))
    shown = {(c.key["area"], c.key["gender"]): c for c in crossed.cells if c.responses}
    s2_women = shown[("AM-01-S2", "female")]
    assert s2_women.responses == 5
    assert s2_women.items[1] == surveys.ItemCount("trust_police", 5, 5)  # 5 "quite_a_lot"
    # None of the five answered feel_safe_after_dark: nothing said about it.
    assert s2_women.items[0] == surveys.ItemCount("feel_safe_after_dark", None, None)


def test_answers_are_checked():
    with pytest.raises(RuleViolation, match="answers.trust_police"):
        surveys.check_answers(["trust_police"], {"trust_police": "maybe"})
    with pytest.raises(RuleViolation, match="not an item"):
        surveys.check_answers(["trust_police"], {"heard_of_council": "yes"})


def test_outreach_report_and_perception_change():
    activities = [
        {"kind": "training", "audience": "youth",
         "participants": [{"count": 12, "gender": "female", "group": "youth"},
                                              {"count": 8, "gender": "male", "group": None}],
         "direct_beneficiaries": 20, "indirect_beneficiaries": 100},
        {"kind": "safety_campaign", "audience": "youth",
         "participants": [{"count": 5, "gender": None, "group": "ngo"}],
         "direct_beneficiaries": 5, "indirect_beneficiaries": 0},
    ]  # fmt: skip
    totals = report(activities)
    assert totals["participants"] == 25
    assert totals["participants_by_gender"] == {"female": 12, "male": 8, "unknown": 5}
    assert (totals["direct_beneficiaries"], totals["indirect_beneficiaries"]) == (25, 100)
    before = surveys.results(
        _responses("AM-01", "female", None, 5, safe=False), ["feel_safe_after_dark"]
    )
    after = surveys.results(_responses("AM-01", "female", None, 5), ["feel_safe_after_dark"])
    [change] = perception_change(before, after, ["feel_safe_after_dark"])
    assert change == {"item": "feel_safe_after_dark", "before": 0.0, "after": 1.0, "change": 1.0}
