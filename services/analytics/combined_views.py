"""Views that combine the three: a station's scorecard and the national overview."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from .accountability_view import accountability_view
from .crime_view import FetchBand, crime_view
from .engagement_view import engagement_view
from .scope import Filters


async def _three(session: AsyncSession, filters: Filters, fetch: FetchBand | None, now: datetime):
    plain = replace(filters, category=None)  # categories differ per view: none applies to all
    crime = await crime_view(session, filters, fetch)
    accountability = await accountability_view(session, plain, now)
    engagement = await engagement_view(session, plain, now.date())
    return crime, accountability, engagement


async def scorecard_view(
    session: AsyncSession, filters: Filters, fetch: FetchBand | None, now: datetime
) -> dict:
    crime, accountability, engagement = await _three(session, filters, fetch, now)
    return {
        "view": "scorecard",
        "filters": filters.as_dict(),
        "summary": {
            **{f"crime_{k}": v for k, v in crime["summary"].items()},
            **{f"complaints_{k}": v for k, v in accountability["summary"].items()},
            **{f"fora_{k}": v for k, v in engagement["summary"].items()},
        },
        "time_unit": crime["time_unit"],
        "notes": crime["notes"],
        "tables": {
            "crime_over_time": crime["tables"]["over_time"],
            "crime_by_category": crime["tables"]["by_category"],
            "alerts": crime["tables"]["alerts"],
            "findings": accountability["tables"]["findings"],
            "clocks": accountability["tables"]["clocks"],
            "meetings_over_time": engagement["tables"]["over_time"],
        },
    }


OVERVIEW_COLUMNS = {
    "crime": ("incidents", "rate_per_100k"),
    "accountability": ("received", "median_days_to_close", "share_past_any_clock"),
    "engagement": ("meetings_held", "quorum_rate", "women_share", "on_time_share"),
}


async def overview_view(
    session: AsyncSession, filters: Filters, fetch: FetchBand | None, now: datetime
) -> dict:
    crime, accountability, engagement = await _three(session, filters, fetch, now)
    rows: dict[str, dict] = {}
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
