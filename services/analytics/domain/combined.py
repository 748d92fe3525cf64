"""Views that combine the three subjects: a station's scorecard and the national overview,
put together from the crime, accountability and engagement views."""

from __future__ import annotations

from typing import Any

from .scope import Filters

View = dict[str, Any]

OVERVIEW_COLUMNS = {
    "crime": ("incidents", "rate_per_100k"),
    "accountability": ("received", "median_days_to_close", "share_past_any_clock"),
    "engagement": ("meetings_held", "quorum_rate", "women_share", "on_time_share"),
}


def scorecard(
    filters: Filters,
    crime: View,
    accountability: View,
    engagement: View,
    perceptions: View | None = None,
) -> View:
    """`perceptions`: the survey results of the waves covering the station
    (evaluation.perceptions), their summary already prefixed `perceptions_`."""
    perceived = perceptions or {"summary": {}, "notes": [], "tables": {}}
    return {
        "view": "scorecard",
        "filters": filters.as_dict(),
        "summary": {
            **{f"crime_{k}": v for k, v in crime["summary"].items()},
            **{f"complaints_{k}": v for k, v in accountability["summary"].items()},
            **{f"fora_{k}": v for k, v in engagement["summary"].items()},
            **perceived["summary"],
        },
        "time_unit": crime["time_unit"],
        "notes": crime["notes"] + perceived["notes"],
        "tables": {
            "crime_over_time": crime["tables"]["over_time"],
            "crime_by_category": crime["tables"]["by_category"],
            "alerts": crime["tables"]["alerts"],
            "findings": accountability["tables"]["findings"],
            "clocks": accountability["tables"]["clocks"],
            "meetings_over_time": engagement["tables"]["over_time"],
            **perceived["tables"],
        },
    }


def overview(filters: Filters, crime: View, accountability: View, engagement: View) -> View:
    rows: dict[str, dict[str, Any]] = {}
    for view, columns in zip(
        (crime, accountability, engagement), OVERVIEW_COLUMNS.values(), strict=True
    ):
        for row in view["tables"]["by_area"]:
            merged = rows.setdefault(
                row["area"], {k: row[k] for k in ("area", "level", "name_en", "name_ar")}
            )
            merged.update({column: row[column] for column in columns})
    return {
        "view": "overview",
        "filters": filters.as_dict(),
        "summary": {
            "incidents": crime["summary"]["incidents"],
            "rate_per_100k": crime["summary"]["rate_per_100k"],
            "open_alerts": crime["summary"]["open_alerts"],
            "complaints_received": accountability["summary"]["received"],
            "median_days_to_close": accountability["summary"]["median_days_to_close"],
            "recommendations_open": accountability["summary"]["recommendations_open"],
            "meetings_held": engagement["summary"]["meetings_held"],
            "women_share": engagement["summary"]["women_share"],
        },
        "time_unit": crime["time_unit"],
        "notes": crime["notes"],
        "tables": {
            "by_area": list(rows.values()),
            "crime_over_time": crime["tables"]["over_time"],
            "complaints_over_time": accountability["tables"]["over_time"],
            "meetings_over_time": engagement["tables"]["over_time"],
            "alerts": crime["tables"]["alerts"],
        },
    }
