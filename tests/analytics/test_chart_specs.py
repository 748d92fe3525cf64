"""How the dashboard draws a view (dashboard/specs.py, time_axis.py), on plain view JSON:
unfinished periods apart, empty charts as a sentence, targets as lines, shares on 0-100 %,
category bars horizontal, open alerts a page at a time, Arabic month names, "—" with why."""

from __future__ import annotations

from datetime import date

from libs.chassis.dates import MONTHS_AR
from services.analytics.dashboard import specs, time_axis

CRIME_TIME = specs.Chart(
    "t", "incidents_over_time", "over_time", specs.PERIOD, ("incidents", "expected"), "band"
)
WOMEN = specs.Chart(
    "w", "women_share", "by_area", specs.AREA, ("women_share",), target="women_target"
)


def view(**tables) -> dict:
    return {
        "filters": {"from": "2026-09-03", "to": "2026-12-02", "area": "JO", "category": None},
        "summary": {"women_target": 1 / 3, "median_days_to_close": None, "received": 0},
        "tables": tables,
    }


def weeks(counts: list[int]) -> list[dict]:
    mondays = ["2026-08-31", "2026-09-07", "2026-09-14", "2026-11-23", "2026-11-30"]
    pairs = zip(mondays, counts, strict=True)
    return [{"period": p, "incidents": n, "expected": 2.0} for p, n in pairs]


def test_unfinished_weeks_are_drawn_dashed_and_named_under_the_chart():
    f = specs.figure(CRIME_TIME, view(over_time=weeks([1, 5, 6, 7, 2])), "en")
    whole, unfinished, expected = f["data"]
    # 31 Aug (from = 3 Sep) and 30 Nov (to = 2 Dec) are cut by the period: not on the solid line
    assert whole["y"] == [None, 5, 6, 7, None]
    assert unfinished["line"]["dash"] == "dash"
    assert unfinished["y"][0] == 1 and unfinished["y"][-1] == 2
    assert unfinished["marker"]["opacity"] == [1, 0, 0, 0, 1]
    assert expected["name"] == "Expected"
    [note] = f["notes"]
    assert "3 Sep 2026 – 6 Sep 2026" in note and "30 Nov 2026 – 2 Dec 2026" in note


def test_time_ticks_carry_the_month_names_of_jordan_and_iraq():
    f = specs.figure(CRIME_TIME, view(over_time=weeks([1, 5, 6, 7, 2])), "ar")
    axis = f["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["tickangle"] == 0
    assert axis["autorange"] == "reversed"  # right to left
    assert any("أيلول" in t for t in axis["ticktext"])
    assert f["data"][0]["text"][1] == "7 أيلول 2026"
    months = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"]
    values, texts = time_axis.ticks(months, "ar")
    assert len(values) <= time_axis.MAX_TICKS and values[0] == "2025-01-01"
    assert texts[0] == f"{MONTHS_AR[0]}<br>2025" and MONTHS_AR[0] == "كانون الثاني"
    assert time_axis.partial("2026-12", date(2026, 12, 1), date(2026, 12, 2))
    assert not time_axis.partial("2026-11", date(2026, 11, 1), date(2026, 11, 30))


def test_a_chart_with_nothing_to_draw_is_a_sentence():
    for rows in ([], weeks([0, 0, 0, 0, 0])):
        f = specs.figure(
            specs.Chart("t", "x", "over_time", specs.PERIOD, ("incidents",), "line"),
            view(over_time=[{k: v for k, v in r.items() if k != "expected"} for r in rows]),
            "en",
        )
        assert f["data"] == [] and f["empty"].startswith("Nothing to draw")


def test_shares_run_0_to_100_percent_and_the_target_is_a_line():
    rows = [{"area": "AM", "women_share": 0.25}, {"area": "IR", "women_share": None}]
    f = specs.figure(WOMEN, view(by_area=rows), "en")
    [bars] = f["data"]
    assert bars["orientation"] == "h" and bars["y"] == ["Amman", "Irbid"]
    assert f["layout"]["xaxis"]["range"] == [0, 1] and f["layout"]["xaxis"]["tickformat"] == ".0%"
    [line] = f["layout"]["shapes"]
    assert line["x0"] == line["x1"] == 1 / 3 and f["target"] == 1 / 3
    assert "Target: 33.3%" in f["layout"]["annotations"][0]["text"]
    arabic = specs.figure(WOMEN, view(by_area=rows), "ar")
    assert arabic["layout"]["xaxis"]["range"] == [1, 0]  # bars grow from the right
    assert arabic["layout"]["yaxis"]["side"] == "right"


def test_long_category_names_are_wrapped_not_cut():
    rows = [{"iccs_code": "01", "incidents": 3}, {"iccs_code": "0501", "incidents": 2}]
    chart = specs.Chart("c", "by_category", "t", specs.C("iccs_code", "iccs"), ("incidents",))
    f = specs.figure(chart, view(t=rows), "en")
    first = f["data"][0]["y"][0]
    assert "<br>" in first and all(len(line) <= specs.LABEL_WIDTH for line in first.split("<br>"))
    assert f["data"][0]["customdata"][0].startswith("Acts leading to death")  # hover: whole


def test_open_alerts_only_a_page_at_a_time():
    alert = {"area": "AM", "iccs_code": "05", "week_start": "2026-11-30", "observed": 9}
    rows = [alert | {"status": "raised"}] * 45 + [alert | {"status": "cleared"}] * 7
    spec = next(t for t in specs.PAGES["crime"]["tables"] if t.name == "alerts")
    first = specs.table(spec, view(alerts=rows), "en")
    assert len(first["rows"]) == specs.ALERTS_PAGE
    assert first["pager"] | {} == {
        "param": "alerts_page", "page": 1, "pages": 3, "shown": 45, "all": 52,
        "first": 1, "last": 20,
    }  # fmt: skip
    last = specs.table(spec, view(alerts=rows), "en", {"alerts_page": "9"})  # clamped
    assert last["pager"]["page"] == 3 and len(last["rows"]) == 5
    week = next(c for c in last["rows"][0] if c["key"] == "week_start")
    assert week["cls"] == "date" and week["text"] == "30 Nov 2026"
    headers = {h["text"]: h["cls"] for h in first["header_cells"]}
    assert headers["Observed"] == "num" and headers["Area"] == ""


def test_nothing_to_measure_is_a_dash_with_the_reason():
    cards = specs.cards(view(), "overview", "ar")
    [card] = [c for c in cards if c["key"] == "median_days_to_close"]
    assert card["text"] == "—" and "لم تُغلق" in card["reason"]
    cell = specs.cell(specs.C("median_days_to_close", "float"), {}, "en")
    assert cell["text"] == "—" and "no complaint" in cell["reason"] and cell["cls"] == "num"
