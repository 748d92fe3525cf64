"""Survey shares combine published cells only: suppressed ones are counted, never estimated."""

from __future__ import annotations

from services.analytics.domain import survey as shares
from services.analytics.domain.survey import Cell

ASKED = frozenset({"trust_police", "feel_safe_after_dark"})


def cell(key, suppressed=False, asked=ASKED, position=0, **counts) -> Cell:
    return Cell("wave", position, key, suppressed, asked, counts, None if suppressed else 9)


def test_a_share_adds_visible_counts_and_counts_what_is_hidden():
    cells = [
        cell("female", trust_police=(10, 4)),
        cell("female", trust_police=(20, 15)),
        cell("female", trust_police=(3, None)),  # under the minimum inside a shown cell
        cell("female", suppressed=True),
        cell("female", asked=frozenset({"feel_safe_after_dark"})),  # not asked: not missing
    ]
    assert shares.item_figures(cells, "trust_police") == {
        "share": round(19 / 30, 4),
        "answered": 30,
        "positive": 19,
        "suppressed": 2,
    }
    hidden = [cell("male", suppressed=True), cell("male", trust_police=(4, None))]
    assert shares.item_figures(hidden, "trust_police") == {
        "share": None,
        "answered": 0,
        "positive": 0,
        "suppressed": 2,
    }


def test_by_gender_has_a_row_per_standard_item_and_headlines_read_it():
    cells = [
        cell("female", position=0, trust_police=(20, 12), feel_safe_after_dark=(20, 2)),
        cell("male", position=1, trust_police=(20, 18), feel_safe_after_dark=(20, 8)),
        cell("male", position=2, suppressed=True),
        cell("unknown", position=3, suppressed=True),
    ]
    rows = shares.by_gender(cells)
    assert [r["item"] for r in rows] == list(shares.ITEMS)
    trust = rows[shares.ITEMS.index("trust_police")]
    assert (trust["all_share"], trust["female_share"], trust["male_share"]) == (0.75, 0.6, 0.9)
    assert (trust["all_suppressed"], trust["male_suppressed"]) == (2, 1)
    assert (trust["unknown_share"], trust["item_en"]) == (None, "Trust the police")
    heard = rows[shares.ITEMS.index("heard_of_council")]
    assert (heard["all_answered"], heard["all_suppressed"]) == (0, 0)  # no wave asked it
    assert shares.headlines(rows) == {"safe_after_dark_share": 0.25, "trust_police_share": 0.75}
    assert shares.suppressed_cells(cells, cells[2:]) == 2  # each cell once
    assert shares.responses(cells) == 18  # the shown cells' only


def test_by_area_lists_only_the_items_an_area_has_anything_of():
    cells = [cell("AM", trust_police=(8, 2)), cell("IR", suppressed=True)]
    rows = shares.by_area(cells, ["AM", "IR"], lambda key: {"area": key})
    assert [(r["area"], r["item"]) for r in rows] == [
        ("AM", "feel_safe_after_dark"),  # asked, and missing from the shown cell
        ("AM", "trust_police"),
        ("IR", "feel_safe_after_dark"),
        ("IR", "trust_police"),
    ]
    assert rows[1]["share"] == 0.25 and rows[0]["suppressed"] == 1
