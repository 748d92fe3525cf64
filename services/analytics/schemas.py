"""Response models. A view's summary and tables carry figures that differ per view (and per
table), so they are declared as maps of figures and lists of rows; the envelope around them,
the filters, the scope and the notes are fixed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Figure = int | float | str | None
Row = dict[str, Any]


class IncidentCount(BaseModel):
    key: str | None
    count: int


class IncidentCounts(BaseModel):
    group_by: Literal["station", "district", "governorate", "iccs"]
    rows: list[IncidentCount]
    total: int


class ViewFilters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: str = Field(alias="from", description="first day, YYYY-MM-DD")
    end: str = Field(alias="to", description="last day, YYYY-MM-DD")
    area: str
    category: str | None


class ViewScope(BaseModel):
    area: str | None = Field(description="the area the caller may see; null: the whole country")
    who: str


class Note(BaseModel):
    code: str
    detail: str | None
    text: str


class CohortView(BaseModel):
    """Accountability and engagement: no series unit (their series are per period too)."""

    view: Literal["accountability", "engagement"]
    filters: ViewFilters
    summary: dict[str, Figure]
    notes: list[Note]
    tables: dict[str, list[Row]]
    scope: ViewScope


class TimedView(BaseModel):
    """Crime, the scorecard and the overview: with the unit of their series."""

    view: Literal["crime", "scorecard", "overview"]
    filters: ViewFilters
    summary: dict[str, Figure]
    time_unit: Literal["week", "month"]
    notes: list[Note]
    tables: dict[str, list[Row]]
    scope: ViewScope


AnyView = TimedView | CohortView

Shown = int | str  # a count, or "<5" / "x" when suppressed


class ReportRow(BaseModel):
    governorate: str
    name_en: str
    name_ar: str
    incidents: Shown
    complaints_received: Shown
    complaints_closed: Shown
    incidents_per_100k: float | str | None


class PublicReport(BaseModel):
    report: Literal["public"]
    month: str
    rows: list[ReportRow]
    total: ReportRow
    rule: str
