"""Survey instruments as data, and suppression that holds across breakdowns (pure domain).

The attacker below knows everything a release publishes (every cell of every table, which
cells exist, the overall count) and solves for each hidden cell's smallest and largest value
by linear programming over the finest cells. A hidden cell is given away when both are equal.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from scipy.optimize import linprog

from libs.chassis.errors import RuleViolation
from services.fora.domain import surveys

CONCERN = {
    "code": "amman_safety",
    "version": 1,
    "title_en": "Amman community safety survey",
    "title_ar": "مسح السلامة المجتمعية في عمّان",
    "breakdowns": ["gender", "age_band"],
    "items": [
        {
            "code": "concerned_domestic_violence",
            "en": "Are you concerned about domestic violence in your community?",
            "ar": "هل أنت قلق من العنف الأسري في مجتمعك؟",
            "scale": [
                {"code": "yes", "en": "Yes", "ar": "نعم"},
                {"code": "no", "en": "No", "ar": "لا"},
            ],
            "positive": ["yes"],
            "optional": False,
        },
        {
            "code": "concerned_online_safety",
            "en": "Are you concerned about online safety?",
            "ar": "هل أنت قلق من السلامة على الإنترنت؟",
            "scale": [
                {"code": "yes", "en": "Yes", "ar": "نعم"},
                {"code": "no", "en": "No", "ar": "لا"},
            ],
            "positive": ["yes"],
            "optional": True,
        },
    ],
    "groups": [
        {
            "code": "population_group",
            "en": "Population group",
            "ar": "الفئة السكانية",
            "values": [
                {"code": "refugee", "en": "Refugee", "ar": "لاجئ"},
                {"code": "host_community", "en": "Host community", "ar": "المجتمع المضيف"},
                {"code": "displaced", "en": "Displaced", "ar": "نازح"},
            ],
        }
    ],
}


def test_the_standard_instrument_asks_the_sdg_and_reporting_items():
    standard = surveys.STANDARD
    assert (standard.code, standard.version) == ("standard", 1)
    assert {
        "feel_safe_after_dark",
        "trust_police",
        "advise_report_domestic_violence",
        "advise_report_theft",
        "advise_report_assault",
    } <= set(standard.item_codes)
    sdg = standard.item("feel_safe_after_dark")
    assert sdg is not None and "after dark" in sdg.en and "الظلام" in sdg.ar
    assert standard.dims == ("area", "gender", "age_band")
    record = surveys.instrument_record(standard)
    assert surveys.instrument_from_record(record).item_codes == standard.item_codes


def test_a_programme_instrument_round_trips_and_is_checked():
    instrument = surveys.instrument_from_record(CONCERN)
    surveys.check_instrument(instrument)
    assert instrument.dims == ("area", "gender", "age_band", "population_group")
    required = instrument.item("concerned_domestic_violence")
    assert required is not None and not required.optional and required.positive == ("yes",)
    bad = {**CONCERN, "items": [{**CONCERN["items"][0], "positive": ["maybe"]}]}
    with pytest.raises(RuleViolation, match="items.0.positive"):
        surveys.check_instrument(surveys.instrument_from_record(bad))
    clash = {**CONCERN, "groups": [{**CONCERN["groups"][0], "code": "gender"}]}
    with pytest.raises(RuleViolation, match="groups.0.code"):
        surveys.check_instrument(surveys.instrument_from_record(clash))
    with pytest.raises(RuleViolation, match="code"):
        surveys.check_instrument(surveys.instrument_from_record({**CONCERN, "code": "standard"}))


def test_responses_answer_required_items_and_only_collected_breakdowns():
    instrument = surveys.instrument_from_record(CONCERN)
    items = list(instrument.item_codes)
    with pytest.raises(RuleViolation, match="answers.concerned_domestic_violence"):
        surveys.check_answers(items, {"concerned_online_safety": "yes"}, instrument)
    surveys.check_answers(items, {"concerned_domestic_violence": "no"}, instrument)
    with pytest.raises(RuleViolation, match="groups.population_group"):
        surveys.check_breakdown_values(instrument, None, None, {"population_group": "tourist"})
    with pytest.raises(RuleViolation, match="groups.employment"):
        surveys.check_breakdown_values(instrument, None, None, {"employment": "unemployed"})
    only_area = surveys.Instrument("x", 1, "x", "x", instrument.items, ("area",))
    with pytest.raises(RuleViolation, match="gender"):
        surveys.check_breakdown_values(only_area, "female", None, {})
    with pytest.raises(RuleViolation, match="requires"):
        surveys.check_wave(["concerned_online_safety"], *_days(), instrument)


def _days():
    from datetime import date

    return date(2026, 10, 1), date(2026, 10, 31)


# --- the attacker ----------------------------------------------------------------------------


def _published(release: surveys.Release):
    """What a reader sees: (table, key, count or None) for every cell of every table."""
    for table in release.tables:
        for key, rows in release.cells(table):
            count = len(rows) if rows is not None else None
            yield table, tuple(key[d] for d in table), count


def _attack(release: surveys.Release, responses: list[surveys.Response]) -> list[tuple]:
    """Hidden cells whose count follows from what is published: min == max over every
    non-negative table of finest cells consistent with it."""
    dims = release.instrument.dims
    values = [sorted({r.value(d) for r in responses}) for d in dims]
    universe = list(product(*values))
    published = list(_published(release))
    equalities, rhs, lower = [], [], []
    for table, key, count in published:
        positions = [dims.index(d) for d in table]
        row = [1.0 if tuple(u[p] for p in positions) == key else 0.0 for u in universe]
        if count is not None:
            equalities.append(row), rhs.append(count)
        else:
            lower.append(row)  # a listed cell holds at least one response
    # Cells a table does not list hold none.
    for table in release.tables:
        positions = [dims.index(d) for d in table]
        listed = {key for t, key, _ in published if t == table}
        for u in universe:
            if tuple(u[p] for p in positions) not in listed:
                equalities.append([1.0 if v == u else 0.0 for v in universe]), rhs.append(0)
    equalities.append([1.0] * len(universe)), rhs.append(len(responses))  # the overall count
    a_ub = -np.array(lower) if lower else None
    b_ub = -np.ones(len(lower)) if lower else None
    given_away = []
    for (table, key, _), row in zip(
        [p for p in published if p[2] is None], lower, strict=True
    ):
        bounds = []
        for sign in (1, -1):
            res = linprog(sign * np.array(row), A_ub=a_ub, b_ub=b_ub, A_eq=np.array(equalities),
                          b_eq=np.array(rhs), bounds=(0, None), method="highs")  # fmt: skip
            assert res.status == 0
            bounds.append(sign * res.fun)
        if bounds[1] - bounds[0] < 0.5:
            given_away.append((table, key, bounds[0]))
    return given_away


def _people(area, gender, group, n, answer="yes"):
    return [
        surveys.Response(
            area, gender, None, {"concerned_domestic_violence": answer}, {"population_group": group}
        )
    ] * n


def test_a_hidden_cell_cannot_be_derived_from_totals_in_another_breakdown():
    instrument = surveys.instrument_from_record(CONCERN)
    responses = (
        _people("AM-01-S1", "female", "refugee", 3)  # the small cell
        + _people("AM-01-S1", "female", "host_community", 12, "no")
        + _people("AM-01-S1", "male", "refugee", 9)
        + _people("AM-01-S1", "male", "host_community", 14, "no")
        + _people("AM-01-S2", "female", "displaced", 8)
        + _people("AM-01-S2", "female", "host_community", 7, "no")
        + _people("AM-01-S2", "male", "displaced", 10)
    )
    release = surveys.release(responses, ["concerned_domestic_violence"], instrument)
    cells = {(t, k): c for t, k, c in _published(release)}
    assert cells[(("gender", "population_group"), ("female", "refugee"))] is None
    # The attempt: refugee women = women (gender table) - displaced and host-community women
    # (gender x group) = 30 - 8 - 19 = 3, if all three were shown next to the hidden cell.
    women = cells[(("gender",), ("female",))]
    others = [cells[(("gender", "population_group"), ("female", g))]
              for g in ("host_community", "displaced")]  # fmt: skip
    assert women is None or None in others
    # And no combination of anything published pins a hidden cell down.
    assert _attack(release, responses) == []
    # Complements are taken from the crossed tables first: the gender totals stay shown.
    assert (cells[(("gender",), ("female",))], cells[(("gender",), ("male",))]) == (30, 33)


def test_across_many_breakdowns_no_hidden_cell_is_given_away():
    rng = np.random.default_rng(7)
    instrument = surveys.instrument_from_record(CONCERN)
    areas, genders = ["AM-01-S1", "AM-01-S2", "AM-01-S3"], ["female", "male", None]
    groups = ["refugee", "host_community", "displaced"]
    responses = [
        surveys.Response(
            str(rng.choice(areas)), genders[int(rng.integers(3))], None,
            {"concerned_domestic_violence": str(rng.choice(["yes", "no"]))},
            {"population_group": str(rng.choice(groups, p=[0.15, 0.75, 0.1]))},
        )  # fmt: skip
        for _ in range(60)
    ]
    release = surveys.release(responses, ["concerned_domestic_violence"], instrument)
    assert any(c is None for _, _, c in _published(release))  # there is something to protect
    assert _attack(release, responses) == []


def test_results_by_a_custom_group_count_the_answers_entered():
    instrument = surveys.instrument_from_record(CONCERN)
    responses = (
        _people("AM-01-S1", "female", "refugee", 7)
        + _people("AM-01-S1", "female", "host_community", 5, "no")
        + _people("AM-01-S1", "male", "refugee", 2)
        + _people("AM-01-S1", "male", "host_community", 9, "no")
    )
    result = surveys.results(
        responses, ["concerned_domestic_violence"], ["population_group"], "ar", instrument
    )
    cells = {c["population_group"]: c for c in result["cells"]}
    assert cells["refugee"]["responses"] == 9
    [item] = cells["refugee"]["items"]
    assert item["positive_share"] == 1.0 and item["question"].startswith("هل أنت قلق")
    with pytest.raises(RuleViolation, match="by"):
        surveys.results(responses, [], ["population_group", "gender", "area"], "en", instrument)
