"""What each dashboard page shows: its headline figures, charts and tables, by key.

Pure: turns a view's JSON (the same the API answers) into cards, Plotly figures and table
rows in the page's language. Numbers are never recomputed here, only formatted.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from libs.chassis.dates import day_text
from libs.reference import load_reference

from ..domain.labels import WORDS, Lang, code, national_label, word
from . import time_axis

#: room beyond a horizontal bar chart's value axis for half its widest last tick label
END_TICK_MARGIN = 32
FONT = "Noto Naskh Arabic, Noto Sans Arabic, Tahoma, Arial, sans-serif"
# Okabe-Ito: told apart by colour-blind readers too; a series keeps its colour across pages
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
BAND_COLOURS = {"expected": "#555555", "upper_limit": "#B22222"}
TARGET_COLOUR = "#B22222"
LABEL_WIDTH = 26  # characters per line of a category label (wrapped, never cut)


@dataclass(frozen=True)
class Column:
    key: str
    # int | float | share | area | iccs | code | text | date (a day: "7 Sep 2026", no wrap)
    kind: str = "int"


@dataclass(frozen=True)
class TableSpec:
    name: str  # key in the view's tables
    heading: str  # a WORDS key
    columns: tuple[Column, ...]
    # only the rows whose column `only[0]` holds `only[1]` (e.g. open alerts); the CSV link
    # under the table gives them all
    only: tuple[str, str] | None = None
    page_size: int | None = None  # rows per page (`?<name>_page=2`), None: all


@dataclass(frozen=True)
class Chart:
    id: str
    heading: str
    table: str
    x: Column  # PERIOD: a time chart (weeks or months); else categories, as horizontal bars
    y: tuple[str, ...]
    kind: str = "bar"  # bar | line | band
    # a line across the chart: a number (a share: 1/3) or the key of the summary figure
    # holding it ("women_target"); drawn with its value, and the page says so
    target: float | str | None = None


AREA = Column("area", "area")
PERIOD = Column("period", "text")
C = Column
OPEN = ("status", "raised")  # an alert not (yet) cleared
ALERTS_PAGE = 20  # open alerts listed per page
# the programme pages' repeated columns
ACTIVITY_FIGURES = (
    C("activities"),
    C("trainings"),
    C("participants"),
    C("women_participants"),
    C("men_participants"),
    C("women_participant_share", "share"),
    C("direct_beneficiaries"),
    C("indirect_beneficiaries"),
)
STAGE_COLUMNS = tuple(
    C(f"stage_{s}") for s in ("scanning", "analysis", "response", "assessment", "closed")
)

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
                    C("week_start", "date"),
                    C("observed"),
                    C("expected", "float"),
                    C("upper_limit", "float"),
                    C("status", "code"),
                ),
                only=OPEN,  # open alerts only; the CSV link lists them all
                page_size=ALERTS_PAGE,
            ),
        ),
    },
    "crime": {
        "cards": ("incidents", "rate_per_100k", "open_alerts", "domestic_incidents"),
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
            Chart(
                "chart-domestic-time",
                "domestic_over_time",
                "domestic_over_time",
                PERIOD,
                ("incidents", "expected", "upper_limit"),
                "band",
            ),
            Chart(
                "chart-incidents-by-victim-sex",
                "by_victim_sex",
                "by_victim_sex",
                C("victim_sex", "code"),
                ("incidents", "domestic"),
            ),
            Chart(
                "chart-incidents-by-victim-age",
                "by_victim_age_band",
                "by_victim_age_band",
                C("victim_age_band", "code"),
                ("incidents", "domestic"),
            ),
        ),
        "tables": (
            TableSpec("by_area", "by_area", (AREA, C("incidents"), C("rate_per_100k", "float"))),
            TableSpec(
                "by_victim_sex",
                "by_victim_sex",
                (C("victim_sex", "code"), C("incidents"), C("domestic")),
            ),
            TableSpec(
                "by_victim_age_band",
                "by_victim_age_band",
                (C("victim_age_band", "code"), C("incidents"), C("domestic")),
            ),
            TableSpec(
                "domestic_by_area",
                "domestic_by_area",
                (
                    AREA,
                    C("domestic"),
                    C("incidents"),
                    C("domestic_share", "share"),
                    C("rate_per_100k", "float"),
                ),
            ),
            TableSpec(
                "domestic_over_time",
                "domestic_over_time",
                (PERIOD, C("incidents"), C("expected", "float"), C("upper_limit", "float")),
            ),
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
                    C("week_start", "date"),
                    C("observed"),
                    C("expected", "float"),
                    C("upper_limit", "float"),
                    C("method", "code"),
                    C("status", "code"),
                ),
                only=OPEN,  # open alerts only; the CSV link lists them all
                page_size=ALERTS_PAGE,
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
                    C("oversight_body", "code"),
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
            Chart(
                "chart-women-by-area",
                "women_share",
                "by_area",
                AREA,
                ("women_share",),
                target="women_target",
            ),
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
            "perceptions_waves",
            "perceptions_safe_after_dark_share",
            "perceptions_trust_police_share",
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
                    C("week_start", "date"),
                    C("observed"),
                    C("expected", "float"),
                    C("status", "code"),
                ),
                only=OPEN,  # open alerts only; the CSV link lists them all
                page_size=ALERTS_PAGE,
            ),
            TableSpec("findings", "findings", (C("finding", "code"), C("allegations"))),
            TableSpec(
                "clocks", "clock", (C("clock", "code"), C("complaints"), C("share", "share"))
            ),
            TableSpec(
                "perceptions",
                "perceptions",
                (
                    C("item", "code"),
                    C("all_share", "share"),
                    C("all_ci_low", "share"),
                    C("all_ci_high", "share"),
                    C("all_answered"),
                    C("all_suppressed"),
                    C("female_share", "share"),
                    C("female_ci_low", "share"),
                    C("female_ci_high", "share"),
                    C("male_share", "share"),
                    C("male_ci_low", "share"),
                    C("male_ci_high", "share"),
                ),
            ),
        ),
    },
    # the before/after evaluation (evaluation.view); its own template, evaluation.html
    "evaluation": {
        "cards": (
            "treated_incidents_before",
            "treated_incidents_after",
            "comparison_incidents_before",
            "comparison_incidents_after",
            "wdd",
            "wdd_ci_low",
            "wdd_ci_high",
            "wdd_p",
            "etest_p",
        ),
        "charts": (
            Chart(
                "chart-evaluation-incidents",
                "eval_incidents",
                "incidents",
                AREA,
                ("incidents_before", "incidents_after"),
            ),
            Chart(
                "chart-evaluation-complaints",
                "eval_complaints",
                "complaints",
                AREA,
                ("received_before", "received_after", "closed_before", "closed_after"),
            ),
            Chart(
                "chart-evaluation-survey",
                "eval_survey_shares",
                "survey_shares",
                C("item", "code"),
                (
                    "treated_before_share",
                    "treated_after_share",
                    "comparison_before_share",
                    "comparison_after_share",
                ),
            ),
        ),
        "tables": (
            TableSpec(
                "incidents",
                "eval_incidents",
                (
                    C("role", "code"),
                    AREA,
                    C("incidents_before"),
                    C("incidents_after"),
                    C("incidents_change"),
                    C("incidents_change_share", "share"),
                ),
            ),
            TableSpec(
                "incidents_test",
                "eval_incidents_test",
                (
                    C("treated_before"),
                    C("treated_after"),
                    C("comparison_before"),
                    C("comparison_after"),
                    C("wdd", "float"),
                    C("wdd_ci_low", "float"),
                    C("wdd_ci_high", "float"),
                    C("wdd_z", "float"),
                    C("wdd_p"),  # p-values as they are (4 places), not to 2
                    C("etest_p"),
                ),
            ),
            TableSpec(
                "complaints",
                "eval_complaints",
                (
                    C("role", "code"),
                    AREA,
                    C("received_before"),
                    C("received_after"),
                    C("closed_before"),
                    C("closed_after"),
                ),
            ),
            TableSpec(
                "survey",
                "eval_survey",
                (
                    C("role", "code"),
                    AREA,
                    C("item", "code"),
                    C("before_share", "share"),
                    C("before_ci_low", "share"),
                    C("before_ci_high", "share"),
                    C("before_answered"),
                    C("before_suppressed"),
                    C("after_share", "share"),
                    C("after_ci_low", "share"),
                    C("after_ci_high", "share"),
                    C("after_answered"),
                    C("after_suppressed"),
                ),
            ),
        ),
    },
    # the programme pages (programme.view)
    "outreach": {
        "cards": (
            "activities",
            "trainings",
            "outreach_activities",
            "participants",
            "women_participant_share",
            "direct_beneficiaries",
            "indirect_beneficiaries",
        ),
        "charts": (
            Chart(
                "chart-activities-time",
                "activities_over_time",
                "over_time",
                PERIOD,
                ("activities", "trainings"),
                "line",
            ),
            Chart(
                "chart-activities-by-area",
                "by_area",
                "by_area",
                AREA,
                ("direct_beneficiaries", "indirect_beneficiaries"),
            ),
            Chart(
                "chart-participants-by-gender",
                "by_gender",
                "by_gender",
                C("gender", "code"),
                ("training_participants", "outreach_participants"),
            ),
            Chart(
                "chart-participants-by-audience",
                "by_audience",
                "by_audience",
                C("audience", "code"),
                ("participants",),
            ),
            Chart("chart-activities-by-origin", "by_origin", "by_origin", C("origin", "code"),
                  ("activities",)),  # fmt: skip
        ),
        "tables": (
            TableSpec("by_area", "by_area", (AREA, *ACTIVITY_FIGURES)),
            TableSpec("by_kind", "by_kind", (C("kind", "code"), *ACTIVITY_FIGURES)),
            TableSpec("by_audience", "by_audience", (C("audience", "code"), *ACTIVITY_FIGURES)),
            TableSpec(
                "trainings_by_audience",
                "trainings_by_audience",
                (C("audience", "code"), *ACTIVITY_FIGURES),
            ),
            TableSpec(
                "by_gender",
                "by_gender",
                (
                    C("gender", "code"),
                    C("participants"),
                    C("training_participants"),
                    C("outreach_participants"),
                ),
            ),
            TableSpec("by_origin", "by_origin", (C("origin", "code"), *ACTIVITY_FIGURES)),
            TableSpec(
                "by_forum",
                "by_forum",
                (
                    C("forum_id", "text"),
                    C("forum_type", "code"),
                    AREA,
                    C("origin", "code"),
                    *ACTIVITY_FIGURES,
                ),
            ),
        ),
    },
    "membership": {
        "cards": (
            "fora_counted",
            "members",
            "women_members",
            "women_member_share",
            "women_target",
            "fora_meeting_target",
        ),
        "charts": (
            Chart(
                "chart-women-members-by-area",
                "women_member_share",
                "by_area",
                AREA,
                ("women_member_share",),
                target="women_target",
            ),
            Chart(
                "chart-members-by-group",
                "by_group",
                "by_group",
                C("group", "code"),
                ("women_members", "men_members", "gender_unknown"),
            ),
        ),
        "tables": (
            TableSpec(
                "by_area",
                "by_area",
                (
                    AREA,
                    C("fora_counted"),
                    C("members"),
                    C("women_members"),
                    C("men_members"),
                    C("women_member_share", "share"),
                    C("fora_meeting_target"),
                ),
            ),
            TableSpec(
                "by_group",
                "by_group",
                (
                    C("group", "code"),
                    C("members"),
                    C("women_members"),
                    C("men_members"),
                    C("gender_unknown"),
                    C("women_member_share", "share"),
                    C("share", "share"),
                ),
            ),
            TableSpec(
                "by_forum",
                "by_forum",
                (
                    C("forum_id", "text"),
                    C("forum_type", "code"),
                    AREA,
                    C("members"),
                    C("women_members"),
                    C("women_member_share", "share"),
                    C("meets_target", "code"),
                ),
            ),
        ),
    },
    "plans": {
        "cards": (
            "plans",
            "indicators",
            "indicators_achieved",
            "indicators_on_track",
            "indicators_behind",
            "indicators_no_data",
        ),
        "charts": (
            Chart("chart-indicators-by-status", "by_status", "by_status", C("status", "code"),
                  ("indicators",)),  # fmt: skip
        ),
        "tables": (
            TableSpec(
                "indicators",
                "indicators",
                (
                    AREA,
                    C("source", "code"),
                    C("measure", "code"),
                    C("period", "text"),
                    C("baseline", "float"),
                    C("target", "float"),
                    C("value", "float"),
                    C("rating", "code"),
                    C("status", "code"),
                    C("trend", "code"),
                    C("as_of", "date"),
                    C("indicator_id", "text"),
                ),
            ),
            TableSpec("by_status", "by_status", (C("status", "code"), C("indicators"))),
            TableSpec(
                "trend",
                "indicator_trend",
                (
                    C("indicator_id", "text"),
                    AREA,
                    C("measure", "code"),
                    C("period", "text"),
                    C("value", "float"),
                    C("rating", "code"),
                    C("status", "code"),
                ),
            ),
        ),
    },
    "sara": {
        "cards": (
            "cases_opened",
            "cases_open",
            "cases_assessed",
            "assessed_reduction",
            "assessed_increase",
            "assessed_no_significant_change",
        ),
        "charts": (
            Chart("chart-cases-by-stage", "by_stage", "by_stage", C("stage", "code"), ("cases",)),
            Chart(
                "chart-cases-by-problem",
                "by_problem",
                "by_problem",
                C("iccs_code", "iccs"),
                ("cases_opened",),
            ),
            Chart("chart-cases-by-area", "by_area", "by_area", AREA, ("cases_opened",)),
        ),
        "tables": (
            TableSpec("by_stage", "by_stage", (C("stage", "code"), C("cases"))),
            TableSpec(
                "by_problem",
                "by_problem",
                (C("iccs_code", "iccs"), C("cases_opened"), C("cases_open"), *STAGE_COLUMNS),
            ),
            TableSpec(
                "by_area",
                "by_area",
                (AREA, C("cases_opened"), C("cases_open"), *STAGE_COLUMNS),
            ),
            TableSpec(
                "assessments",
                "assessments",
                (
                    AREA,
                    C("iccs_code", "iccs"),
                    C("comparison_area", "area"),
                    C("assessed_on", "date"),
                    C("before", "text"),
                    C("after", "text"),
                    C("treated_before"),
                    C("treated_after"),
                    C("comparison_before"),
                    C("comparison_after"),
                    C("wdd", "float"),
                    C("wdd_p"),  # p-values as they are, as on the evaluation page
                    C("etest_p"),
                    C("impact", "code"),
                    C("displacement", "code"),
                    C("interventions_planned"),
                    C("interventions_as_planned"),
                ),
            ),
        ),
    },
}

PREFIXES = ("crime_", "complaints_", "fora_", "perceptions_")


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


def why_missing(key: str) -> str | None:
    """The WORDS key saying why a figure has no value ("—"), when there is a general reason."""
    if key.endswith("days_to_close"):
        return "missing_none_closed"
    if key.endswith("per_100k"):
        return "missing_no_population"
    if kind_of(key) == "share":
        return "missing_no_denominator"
    return None


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
        # not an ICCS code (a SARA case of no crime category): a code in words
        return (item.title_ar if lang == "ar" else item.title_en) if item else code(value, lang)
    if column.kind == "code":
        return code(str(value), lang)
    if column.kind == "date":
        try:
            return day_text(date.fromisoformat(str(value)[:10]), lang, short=True)
        except ValueError:
            return str(value)
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


LABEL_KINDS = ("area", "iccs", "code", "text", "date")


def cell(column: Column, row: dict, lang: Lang) -> dict:
    """A table cell: its text, value (data-value: what tests read back) and CSS class (`num`
    right-aligned like its header, `date` never wrapped); `reason` says why a number is "—"."""
    value = row.get(column.key)
    if column.kind in LABEL_KINDS:
        text = label(column, value, lang) if column.kind != "text" else number(value, "text")
        # "unknown"/"above" pseudo-areas carry their own names
        if column.kind == "area" and "name_en" in row and value not in _known_areas():
            text = row["name_ar"] if lang == "ar" else row["name_en"]
        cls = "date" if column.kind == "date" else ""
        return {"key": column.key, "value": value, "text": text, "numeric": False, "cls": cls}
    reason = why_missing(column.key) if value is None else None
    return {
        "key": column.key,
        "value": value,
        "text": number(value, column.kind),
        "numeric": True,
        "cls": "num",
        "reason": word(reason, lang) if reason else None,
    }


def _known_areas() -> set[str]:
    r = load_reference()
    return set(r.governorates) | set(r.districts) | set(r.stations)


def _page_number(pages: Mapping[str, str] | None, name: str) -> int:
    raw = (pages or {}).get(f"{name}_page", "1")
    return int(raw) if str(raw).isdigit() and 0 < len(str(raw)) < 7 else 1


def table(spec: TableSpec, view: dict, lang: Lang, pages: Mapping[str, str] | None = None):
    """One table in the page's language: headers (numeric ones right-aligned like their
    cells), rows (filtered by `spec.only`, one page of `spec.page_size`), the pager and the
    reasons for its "—" cells."""
    every = view["tables"].get(spec.name, [])
    rows = every
    if spec.only:
        key, wanted = spec.only
        rows = [r for r in every if r.get(key) == wanted]
    pager = None
    if spec.page_size:
        count = max(1, -(-len(rows) // spec.page_size))
        number_ = min(_page_number(pages, spec.name), count)
        pager = {
            "param": f"{spec.name}_page",
            "page": number_,
            "pages": count,
            "shown": len(rows),
            "all": len(every),
            "first": (number_ - 1) * spec.page_size + 1 if rows else 0,
            "last": min(number_ * spec.page_size, len(rows)),
        }
        rows = rows[(number_ - 1) * spec.page_size : number_ * spec.page_size]
    body = [[cell(c, row, lang) for c in spec.columns] for row in rows]
    numeric = [c.kind not in LABEL_KINDS for c in spec.columns]
    reasons = sorted({c["reason"] for r in body for c in r if c.get("reason")})
    return {
        "name": spec.name,
        "heading": word(spec.heading, lang),
        "headers": [word(c.key, lang) for c in spec.columns],
        "header_cells": [
            {"text": word(c.key, lang), "cls": "num" if n else ""}
            for c, n in zip(spec.columns, numeric, strict=True)
        ],
        "rows": body,
        "pager": pager,
        "only": spec.only,
        "reasons": reasons,
    }


def tables(
    view: dict, page: str, lang: Lang, pages: Mapping[str, str] | None = None
) -> list[dict]:
    """`pages`: the query parameters (`<table>_page=n` chooses a paginated table's page)."""
    return [table(spec, view, lang, pages) for spec in PAGES[page]["tables"]]


def cards(view: dict, page: str, lang: Lang) -> list[dict]:
    summary = view["summary"]
    out = []
    for key in PAGES[page]["cards"]:
        value = summary.get(key)
        reason = why_missing(key) if value is None else None
        out.append(
            {
                "key": key,
                "label": card_label(key, lang),
                "value": value,
                "text": number(value, kind_of(key)),
                "reason": word(reason, lang) if reason else None,
            }
        )
    return out


def _numbers(values) -> list[float]:
    return [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _target(chart: Chart, view: dict) -> float | None:
    if isinstance(chart.target, str):
        value = view.get("summary", {}).get(chart.target)
        return value if isinstance(value, int | float) else None
    return chart.target


def _wrap(text: str) -> str:
    """A category label on at most three lines of LABEL_WIDTH characters (Plotly's <br>)."""
    lines = textwrap.wrap(text, LABEL_WIDTH) or [text]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), LABEL_WIDTH, placeholder="…")]
    return "<br>".join(lines)


def _value_axis(shares: bool, values: list[float], target: float | None) -> dict[str, Any]:
    """The value axis: shares 0-100 %, counts from 0 (never below it)."""
    if shares:
        return {"tickformat": ".0%", "range": [0, 1], "fixedrange": True, "automargin": True}
    top = max([*values, target or 0])
    axis: dict[str, Any] = {"rangemode": "tozero", "automargin": True}
    if top <= 5 and all(float(v).is_integer() for v in values):
        axis["dtick"] = 1  # a few counts: whole numbers only
    return axis


def _target_shape(value: float, horizontal: bool, lang: Lang, shares: bool):
    text = f"{word('target', lang)}: {number(value, 'share' if shares else 'float')}"
    line = {"color": TARGET_COLOUR, "width": 2, "dash": "dash"}
    if horizontal:  # bars run along x: the target is a vertical line
        shape = {"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value,
                 "y0": 0, "y1": 1, "line": line}  # fmt: skip
        note = {"xref": "x", "yref": "paper", "x": value, "y": 1, "yanchor": "bottom",
                "text": text, "showarrow": False, "font": {"color": TARGET_COLOUR}}  # fmt: skip
    else:
        shape = {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                 "y0": value, "y1": value, "line": line}  # fmt: skip
        note = {"xref": "paper", "yref": "y", "x": 1 if lang == "en" else 0, "y": value,
                "xanchor": "right" if lang == "en" else "left", "yanchor": "bottom",
                "text": text, "showarrow": False, "font": {"color": TARGET_COLOUR}}  # fmt: skip
    return shape, note


def figure(chart: Chart, view: dict, lang: Lang) -> dict:
    """A chart as Plotly's data and layout, laid out for the page's direction; or, when there
    is nothing to draw, no figure and the sentence saying so (`empty`)."""
    rows = view["tables"].get(chart.table, [])
    target = _target(chart, view)
    out: dict[str, Any] = {
        "id": chart.id,
        "heading": word(chart.heading, lang),
        "data": [],
        "layout": {},
        "empty": None,
        "notes": [],
        "time": chart.x.key == PERIOD.key,
        "target": target,
    }
    if chart.target is not None and target is None:
        out["notes"].append(word("target_unknown", lang))
    values = _numbers(row.get(key) for row in rows for key in chart.y)
    if not any(values):  # no rows, or every value missing or 0: axes would say -1..1
        out["empty"] = word("chart_empty", lang)
        return out
    if out["time"]:
        return out | _time_figure(chart, view, rows, target, lang, out["notes"])
    return out | _category_figure(chart, rows, values, target, lang)


def _layout(lang: Lang, legend: bool, height: int) -> dict[str, Any]:
    return {
        "margin": {"t": 46 if legend else 24, "r": 16, "b": 16, "l": 16},
        "height": height,
        "font": {"family": FONT, "size": 12},
        "showlegend": legend,
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom",
                   "x": 0 if lang == "en" else 1, "xanchor": "left" if lang == "en" else "right"},
        "hovermode": "closest",
        "separators": ".,",
    }  # fmt: skip


def _category_figure(chart, rows, values, target, lang: Lang) -> dict[str, Any]:
    """Horizontal bars: category names read along the bars, wrapped, never slanted or cut;
    the first row on top; in Arabic the bars grow from the right."""
    names = [cell(chart.x, row, lang)["text"] for row in rows]
    labels = [_wrap(n) for n in names]
    shares = all(kind_of(key) == "share" for key in chart.y)
    traces = []
    for i, key in enumerate(chart.y):
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [row.get(key) for row in rows],
                "name": word(key, lang),
                "marker": {"color": COLOURS[i % len(COLOURS)]},
                "customdata": names,
                "hovertemplate": "%{customdata}: "
                + ("%{x:.1%}" if shares else "%{x:,}")
                + f"<extra>{word(key, lang)}</extra>",
            }
        )
    lines = max(label.count("<br>") + 1 for label in labels)
    per_row = max(16 * lines + 10, 12 * len(traces) + 10)
    legend = len(traces) > 1
    height = 70 + (30 if legend else 0) + per_row * len(rows)
    layout = _layout(lang, legend, min(1400, max(180, height)))
    value_axis = _value_axis(shares, values, target)
    if lang == "ar":  # right to left: bars grow leftwards, names on the right
        if shares:
            value_axis["range"] = [1, 0]
        else:
            value_axis["autorange"] = "reversed"
    layout["xaxis"] = value_axis
    # the value axis's last tick label ("100%", "1,500") is centred on the plot's far edge:
    # half of it lies in the margin, which automargin does not widen on that side
    layout["margin"]["l" if lang == "ar" else "r"] = END_TICK_MARGIN
    layout["yaxis"] = {"automargin": True, "autorange": "reversed", "type": "category",
                       "side": "right" if lang == "ar" else "left"}  # fmt: skip
    layout["bargap"] = 0.25
    if target is not None:
        shape, note = _target_shape(target, True, lang, shares)
        layout["shapes"], layout["annotations"] = [shape], [note]
    return {"data": traces, "layout": layout}


def _time_figure(chart, view, rows, target, lang: Lang, notes: list[str]) -> dict[str, Any]:
    """Weeks or months on a date axis, ticks written in the page's language; a period the
    filters cover only in part is drawn dashed with open markers and named under the chart."""
    periods = [row["period"] for row in rows]
    start, end = _period_of(view)
    partial = [
        start is not None and end is not None and time_axis.partial(p, start, end)
        for p in periods
    ]
    xs = [time_axis.axis_value(p) for p in periods]
    texts = [time_axis.label(p, lang) for p in periods]
    shares = all(kind_of(key) == "share" for key in chart.y)
    fmt = "%{y:.1%}" if shares else "%{y:,}"
    traces: list[dict[str, Any]] = []
    for i, key in enumerate(chart.y):
        ys = [row.get(key) for row in rows]
        name = word(key, lang)
        hover = f"%{{text}}: {fmt}<extra>{name}</extra>"
        if chart.kind == "band" and i > 0:
            if all(y is None for y in ys):
                continue  # no band: the chart says so in a note
            traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": name,
                           "text": texts, "hovertemplate": hover,
                           "line": {"dash": "dot" if key == "upper_limit" else "dash",
                                    "color": BAND_COLOURS.get(key, COLOURS[i])}})  # fmt: skip
            continue
        colour = COLOURS[i % len(COLOURS)]
        whole = [None if part else y for y, part in zip(ys, partial, strict=True)]
        if chart.kind == "bar":
            traces.append({"type": "bar", "x": xs, "y": ys, "name": name, "text": texts,
                           "textposition": "none", "hovertemplate": hover,
                           "marker": {"color": colour,
                                      "opacity": [0.35 if p else 1 for p in partial]}})  # fmt: skip
            continue
        traces.append({"type": "scatter", "mode": "lines+markers", "x": xs, "y": whole,
                       "name": name, "text": texts, "hovertemplate": hover,
                       "line": {"color": colour},
                       "marker": {"color": colour, "size": 5}})  # fmt: skip
        if any(partial):
            # the unfinished periods and the segment joining them to their neighbours
            near = {j for j, part in enumerate(partial) if part}
            near |= {j + d for j in list(near) for d in (-1, 1) if 0 <= j + d < len(ys)}
            traces.append(
                {"type": "scatter", "mode": "lines+markers", "x": xs,
                 "y": [y if j in near else None for j, y in enumerate(ys)],
                 "name": word("partial_period", lang), "legendgroup": "partial",
                 "showlegend": i == 0, "text": texts, "hovertemplate": hover,
                 "connectgaps": False, "line": {"color": colour, "dash": "dash", "width": 1.5},
                 "marker": {"color": colour, "size": 7, "symbol": "circle-open",
                            "opacity": [1 if partial[j] else 0 for j in range(len(ys))]}}
            )  # fmt: skip
    if start is not None and end is not None and any(partial):
        spans = []
        for p, part in zip(periods, partial, strict=True):
            if part:
                first, last = time_axis.covered(p, start, end)
                spans.append(
                    f"{day_text(first, lang, short=True)} – {day_text(last, lang, short=True)}"
                )
        notes.append(word("partial_note", lang).format(periods="؛ ".join(spans) if lang == "ar"
                                                       else "; ".join(spans)))  # fmt: skip
    values = _numbers(row.get(key) for row in rows for key in chart.y)
    tickvals, ticktext = time_axis.ticks(periods, lang)
    legend = len({t["name"] for t in traces}) > 1
    layout = _layout(lang, legend, 340 if legend else 320)
    layout["xaxis"] = {"type": "date", "tickmode": "array", "tickvals": tickvals,
                       "ticktext": ticktext, "tickangle": 0, "automargin": True,
                       "showgrid": False}  # fmt: skip
    if lang == "ar":  # right to left: time runs from the right, values on the right
        layout["xaxis"]["autorange"] = "reversed"
    layout["yaxis"] = _value_axis(shares, values, target) | {
        "side": "right" if lang == "ar" else "left"
    }
    if target is not None:
        shape, note = _target_shape(target, False, lang, shares)
        layout["shapes"], layout["annotations"] = [shape], [note]
    return {"data": traces, "layout": layout}


def _period_of(view: dict) -> tuple[date | None, date | None]:
    f = view.get("filters") or {}
    try:
        return date.fromisoformat(f["from"]), date.fromisoformat(f["to"])
    except (KeyError, TypeError, ValueError):
        return None, None


def figures(view: dict, page: str, lang: Lang) -> list[dict]:
    return [figure(chart, view, lang) for chart in PAGES[page]["charts"]]
