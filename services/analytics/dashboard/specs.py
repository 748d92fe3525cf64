"""What each dashboard page shows: its headline figures, charts and tables, by key.

Pure: turns a view's JSON (the same the API answers) into cards, Plotly figures and table
rows in the page's language. Numbers are never recomputed here, only formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.reference import load_reference

from ..domain.labels import WORDS, Lang, code, national_label, word

FONT = "Noto Naskh Arabic, Noto Sans Arabic, Tahoma, Arial, sans-serif"


@dataclass(frozen=True)
class Column:
    key: str
    kind: str = "int"  # int | float | share | area | iccs | code | text | week


@dataclass(frozen=True)
class TableSpec:
    name: str  # key in the view's tables
    heading: str  # a WORDS key
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    heading: str
    table: str
    x: Column
    y: tuple[str, ...]
    kind: str = "bar"  # bar | line | band


AREA = Column("area", "area")
PERIOD = Column("period", "text")
C = Column

PAGES: dict[str, dict] = {
    "overview": {
        "cards": (
            "incidents",
            "rate_per_100k",
            "open_alerts",
            "complaints_received",
            "median_days_to_close",
            "recommendations_open",
            "meetings_held",
            "women_share",
        ),
        "charts": (
            Chart("chart-incidents-by-area", "by_area", "by_area", AREA, ("incidents",)),
            Chart(
                "chart-crime-time",
                "incidents_over_time",
                "crime_over_time",
                PERIOD,
                ("incidents",),
                "line",
            ),
            Chart(
                "chart-complaints-time",
                "received_over_time",
                "complaints_over_time",
                PERIOD,
                ("received",),
                "line",
            ),
        ),
        "tables": (
            TableSpec(
                "by_area",
                "by_area",
                (
                    AREA,
                    C("incidents"),
                    C("rate_per_100k", "float"),
                    C("received"),
                    C("median_days_to_close", "float"),
                    C("share_past_any_clock", "share"),
                    C("meetings_held"),
                    C("quorum_rate", "share"),
                    C("women_share", "share"),
                    C("on_time_share", "share"),
                ),
            ),
            TableSpec(
                "alerts",
                "alerts",
                (
                    C("area", "area"),
                    C("iccs_code", "iccs"),
                    C("week_start", "text"),
                    C("observed"),
                    C("expected", "float"),
                    C("upper_limit", "float"),
                    C("status", "code"),
                ),
            ),
        ),
    },
    "crime": {
        "cards": ("incidents", "rate_per_100k", "open_alerts"),
        "charts": (
            Chart(
                "chart-crime-time",
                "incidents_over_time",
                "over_time",
                PERIOD,
                ("incidents", "expected", "upper_limit"),
                "band",
            ),
            Chart("chart-incidents-by-area", "by_area", "by_area", AREA, ("incidents",)),
            Chart(
                "chart-incidents-by-category",
                "by_category",
                "by_category",
                C("iccs_code", "iccs"),
                ("incidents",),
            ),
        ),
        "tables": (
            TableSpec("by_area", "by_area", (AREA, C("incidents"), C("rate_per_100k", "float"))),
            TableSpec(
                "by_category",
                "by_category",
                (C("iccs_code", "iccs"), C("incidents"), C("rate_per_100k", "float")),
            ),
            TableSpec(
                "alerts",
                "alerts",
                (
                    C("area", "area"),
                    C("iccs_code", "iccs"),
                    C("week_start", "text"),
                    C("observed"),
                    C("expected", "float"),
                    C("upper_limit", "float"),
                    C("method", "code"),
                    C("status", "code"),
                ),
            ),
        ),
    },
    "accountability": {
        "cards": (
            "received",
            "closed",
            "median_days_to_close",
            "p90_days_to_close",
            "share_past_any_clock",
            "substantiated_share",
            "reviews_upheld",
            "reviews_not_upheld",
            "recommendations_open",
            "recommendations_overdue",
        ),
        "charts": (
            Chart(
                "chart-complaints-time",
                "received_over_time",
                "over_time",
                PERIOD,
                ("received",),
                "line",
            ),
            Chart("chart-complaints-by-area", "by_area", "by_area", AREA, ("received",)),
            Chart("chart-findings", "findings", "findings", C("finding", "code"), ("allegations",)),
            Chart(
                "chart-allegations",
                "by_allegation",
                "by_category",
                C("category", "code"),
                ("allegations",),
            ),
        ),
        "tables": (
            TableSpec(
                "by_area",
                "by_area",
                (
                    AREA,
                    C("received"),
                    C("closed"),
                    C("median_days_to_close", "float"),
                    C("p90_days_to_close", "float"),
                    C("share_past_any_clock", "share"),
                    C("substantiated_share", "share"),
                ),
            ),
            TableSpec("by_category", "by_allegation", (C("category", "code"), C("allegations"))),
            TableSpec(
                "clocks", "clock", (C("clock", "code"), C("complaints"), C("share", "share"))
            ),
            TableSpec(
                "findings",
                "findings",
                (C("finding", "code"), C("allegations"), C("share", "share")),
            ),
            TableSpec("reviews", "outcome", (C("outcome", "code"), C("complaints"))),
            TableSpec(
                "recommendations",
                "recommendations_open",
                (
                    C("oversight_body", "text"),
                    C("made"),
                    C("open"),
                    C("overdue"),
                    C("accepted"),
                    C("declined"),
                ),
            ),
        ),
    },
    "engagement": {
        "cards": (
            "fora",
            "meetings_held",
            "quorum_rate",
            "women_share",
            "women_target",
            "women_only_sessions",
            "actions_due",
            "on_time_share",
            "actions_overdue",
            "concerns_raised",
            "survey_waves",
            "safe_after_dark_share",
            "trust_police_share",
        ),
        "charts": (
            Chart(
                "chart-meetings-time",
                "meetings_over_time",
                "over_time",
                PERIOD,
                ("meetings_held",),
                "line",
            ),
            Chart("chart-women-by-area", "women_share", "by_area", AREA, ("women_share",)),
            Chart("chart-groups", "group_shares", "group_shares", C("group", "code"), ("share",)),
            Chart(
                "chart-survey-by-gender",
                "survey_by_gender",
                "survey_by_gender",
                C("item", "code"),
                ("all_share", "female_share", "male_share"),
            ),
        ),
        "tables": (
            TableSpec(
                "by_area",
                "by_area",
                (
                    AREA,
                    C("fora"),
                    C("meetings_held"),
                    C("quorum_rate", "share"),
                    C("attendees"),
                    C("women_share", "share"),
                    C("actions_due"),
                    C("actions_closed_on_time"),
                    C("actions_overdue"),
                    C("on_time_share", "share"),
                ),
            ),
            TableSpec(
                "group_shares",
                "group_shares",
                (C("group", "code"), C("attendees"), C("share", "share")),
            ),
            TableSpec("by_forum_type", "forum_type", (C("forum_type", "code"), C("fora"))),
            TableSpec("concerns", "concerns", (C("category", "code"), C("concerns"))),
            TableSpec(
                "survey_by_gender",
                "survey_by_gender",
                (
                    C("item", "code"),
                    C("all_share", "share"),
                    C("all_answered"),
                    C("all_suppressed"),
                    C("female_share", "share"),
                    C("female_answered"),
                    C("female_suppressed"),
                    C("male_share", "share"),
                    C("male_answered"),
                    C("male_suppressed"),
                ),
            ),
            TableSpec(
                "survey_by_area",
                "survey_by_area",
                (
                    AREA,
                    C("item", "code"),
                    C("share", "share"),
                    C("answered"),
                    C("suppressed"),
                ),
            ),
        ),
    },
    "scorecard": {
        "cards": (
            "crime_incidents",
            "crime_open_alerts",
            "complaints_received",
            "complaints_median_days_to_close",
            "complaints_share_past_any_clock",
            "fora_meetings_held",
            "fora_quorum_rate",
            "fora_women_share",
            "fora_on_time_share",
        ),
        "charts": (
            Chart(
                "chart-crime-time",
                "incidents_over_time",
                "crime_over_time",
                PERIOD,
                ("incidents", "expected", "upper_limit"),
                "band",
            ),
            Chart(
                "chart-incidents-by-category",
                "by_category",
                "crime_by_category",
                C("iccs_code", "iccs"),
                ("incidents",),
            ),
            Chart(
                "chart-meetings-time",
                "meetings_over_time",
                "meetings_over_time",
                PERIOD,
                ("meetings_held",),
                "line",
            ),
        ),
        "tables": (
            TableSpec(
                "alerts",
                "alerts",
                (
                    C("area", "area"),
                    C("iccs_code", "iccs"),
                    C("week_start", "text"),
                    C("observed"),
                    C("expected", "float"),
                    C("status", "code"),
                ),
            ),
            TableSpec("findings", "findings", (C("finding", "code"), C("allegations"))),
            TableSpec(
                "clocks", "clock", (C("clock", "code"), C("complaints"), C("share", "share"))
            ),
        ),
    },
}

PREFIXES = ("crime_", "complaints_", "fora_")


def card_label(key: str, lang: Lang) -> str:
    if key not in WORDS:
        for prefix in PREFIXES:
            if key.startswith(prefix):
                return word(key[len(prefix) :], lang)
    return word(key, lang)


def kind_of(key: str) -> str:
    if "share" in key or key.endswith("_rate") or key.endswith("women_target"):
        return "share"
    if key.endswith(("days_to_close", "per_100k")):
        return "float"
    return "int"


def label(column: Column, value, lang: Lang) -> str:
    """The text of a label cell: an area's or ICCS category's name, a code in words."""
    if value is None:
        return "—"
    reference = load_reference()
    if column.kind == "area":
        for areas in (reference.governorates, reference.districts, reference.stations):
            if value in areas:
                return areas[value].name_ar if lang == "ar" else areas[value].name_en
        if value == reference.national_code:
            return national_label(reference, lang)
        return word(value, lang)
    if column.kind == "iccs":
        item = reference.iccs.get(value)
        return (item.title_ar if lang == "ar" else item.title_en) if item else str(value)
    if column.kind == "code":
        return code(str(value), lang)
    return str(value)


def number(value, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "float":
        return f"{value:,.2f}"
    return f"{value:,}"


def cell(column: Column, row: dict, lang: Lang) -> dict:
    value = row.get(column.key)
    if column.kind in ("area", "iccs", "code", "text"):
        text = label(column, value, lang) if column.kind != "text" else number(value, "text")
        # "unknown"/"above" pseudo-areas carry their own names
        if column.kind == "area" and "name_en" in row and value not in _known_areas():
            text = row["name_ar"] if lang == "ar" else row["name_en"]
        return {"key": column.key, "value": value, "text": text, "numeric": False}
    return {"key": column.key, "value": value, "text": number(value, column.kind), "numeric": True}


def _known_areas() -> set[str]:
    r = load_reference()
    return set(r.governorates) | set(r.districts) | set(r.stations)


def tables(view: dict, page: str, lang: Lang) -> list[dict]:
    out = []
    for spec in PAGES[page]["tables"]:
        rows = view["tables"].get(spec.name, [])
        out.append(
            {
                "name": spec.name,
                "heading": word(spec.heading, lang),
                "headers": [word(c.key, lang) for c in spec.columns],
                "rows": [[cell(c, row, lang) for c in spec.columns] for row in rows],
            }
        )
    return out


def cards(view: dict, page: str, lang: Lang) -> list[dict]:
    summary = view["summary"]
    return [
        {
            "key": key,
            "label": card_label(key, lang),
            "value": summary.get(key),
            "text": number(summary.get(key), kind_of(key)),
        }
        for key in PAGES[page]["cards"]
    ]


def figure(chart: Chart, view: dict, lang: Lang) -> dict:
    rows = view["tables"].get(chart.table, [])
    xs = [cell(chart.x, row, lang)["text"] for row in rows]
    traces: list[dict[str, Any]] = []
    for i, key in enumerate(chart.y):
        ys = [row.get(key) for row in rows]
        if chart.kind == "band" and i > 0:
            if all(y is None for y in ys):
                continue  # no band: the chart says so in a note
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": xs,
                    "y": ys,
                    "name": word(key, lang),
                    "line": {"dash": "dot" if key == "upper_limit" else "dash"},
                }
            )
            continue
        kind = "bar" if chart.kind == "bar" else "scatter"
        trace: dict[str, Any] = {"type": kind, "x": xs, "y": ys, "name": word(key, lang)}
        if kind == "scatter":
            trace["mode"] = "lines+markers"
        traces.append(trace)
    legend = len(traces) > 1
    layout = {
        "margin": {"t": 40 if legend else 10, "r": 55, "b": 90, "l": 55},
        "height": 340 if legend else 320,
        "font": {"family": FONT},
        "showlegend": legend,
        # above the plot: below it, the legend would cover slanted category names
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "xaxis": {"automargin": True},  # long category names grow the margin, not overlap
    }
    if all(kind_of(key) == "share" for key in chart.y):
        layout["yaxis"] = {"tickformat": ".0%", "rangemode": "tozero"}
    return {"id": chart.id, "heading": word(chart.heading, lang), "data": traces, "layout": layout}


def figures(view: dict, page: str, lang: Lang) -> list[dict]:
    return [figure(chart, view, lang) for chart in PAGES[page]["charts"]]
