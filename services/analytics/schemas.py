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


class TopicFreshness(BaseModel):
    topic: str
    as_of: str | None = Field(description="time of the latest event applied from the topic")
    applied: int = Field(description="distinct events applied from the topic")
    lag: int | None = Field(description="events on the topic not yet applied; null: unknown")
    behind: bool
    on_broker: int | None = Field(description="records the topic holds; null: not checked yet")
    retained: int | None = Field(
        description="published rows its producer's outbox retains; null: not readable here"
    )
    history_short: bool


class Freshness(BaseModel):
    """How current the figures are (services/analytics/domain/freshness.py)."""

    as_of: str | None = Field(description="time of the latest event applied, any topic")
    behind: bool = Field(description="a topic lags more than max_lag events")
    lag_known: bool
    history_short: bool = Field(description="the broker holds fewer events than were published")
    max_lag: int
    checked_at: str | None
    fix: list[str] = Field(description="the commands that restore the broker's history")
    topics: list[TopicFreshness]


class CohortView(BaseModel):
    """Accountability, engagement and the programme views: no series unit."""

    view: Literal["accountability", "engagement", "outreach", "membership", "plans", "sara"]
    filters: ViewFilters
    summary: dict[str, Figure]
    notes: list[Note]
    tables: dict[str, list[Row]]
    scope: ViewScope
    freshness: Freshness | None = None


class TimedView(BaseModel):
    """Crime, the scorecard and the overview: with the unit of their series."""

    view: Literal["crime", "scorecard", "overview"]
    filters: ViewFilters
    summary: dict[str, Figure]
    time_unit: Literal["week", "month"]
    notes: list[Note]
    tables: dict[str, list[Row]]
    scope: ViewScope
    freshness: Freshness | None = None


AnyView = TimedView | CohortView


class EvaluationWindow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: str = Field(alias="from", description="first day, YYYY-MM-DD")
    last: str = Field(alias="to", description="last day, YYYY-MM-DD (included)")
    days: int


class EvaluationFilters(BaseModel):
    treated: str = Field(description="the pilot area")
    comparison: str
    start: str = Field(description="the programme's first day")
    before: EvaluationWindow
    after: EvaluationWindow
    category: str | None = Field(description="ICCS section or division (incidents only)")


class EvaluationView(BaseModel):
    """The before/after evaluation: pilot and comparison area, before and after."""

    view: Literal["evaluation"]
    filters: EvaluationFilters
    summary: dict[str, Figure]
    notes: list[Note]
    tables: dict[str, list[Row]]
    scope: ViewScope
    freshness: Freshness | None = None

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
