"""`GET /public/report?month=YYYY-MM`: the monthly transparency report, no token needed,
as a page (`format=html`, default), CSV or JSON. Small counts are suppressed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from libs.chassis import dates
from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime, runtime

from ..application.public_report import public_report
from ..dashboard.exports import csv_file
from ..dashboard.render import language, message, render
from ..domain.labels import word
from ..domain.public_report import COLUMNS
from ..schemas import PublicReport

router = APIRouter(tags=["public"])


def shown_cell(value: Any) -> str:
    """A published cell as text: "<5" and "x" as they are, a rate to two places."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@router.get(
    "/public/report",
    summary="Monthly crime and complaints per governorate (public)",
    response_model=PublicReport,
    responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
)
async def report(
    request: Request,
    month: str | None = Query(
        None, max_length=7, description="YYYY-MM, 1900-01 to 2199-12; default: last full month"
    ),
    format: Literal["html", "csv", "json"] = "html",
    lang: str | None = Query(None, max_length=8),
    rt: Runtime = Depends(runtime),
) -> Any:
    chosen = language(request, lang)
    now = datetime.now(UTC)
    try:
        result = await in_transaction(
            rt.sessions, lambda session: public_report(session, month, now)
        )
    except RuleViolation as exc:
        if format != "html":
            raise
        return render(
            request,
            "error.html",
            chosen,
            exc.status,
            message=message(exc, last_part=True),
            heading=word("public_report", chosen),
            nav=[],
        )
    if format == "json":
        return result
    if format == "csv":
        return csv_file(
            [*result["rows"], result["total"]], f"jisr-public-report-{result['month']}.csv"
        )
    name = "name_ar" if chosen == "ar" else "name_en"
    year, number = int(result["month"][:4]), int(result["month"][5:])
    return render(
        request,
        "public_report.html",
        chosen,
        report=result,
        month_text=f"{dates.month_name(number, chosen)} {year}",
        shown=shown_cell,
        columns=[*COLUMNS, "incidents_per_100k"],
        name_key=name,
        nav=[],
        csv_url=f"/public/report?month={result['month']}&format=csv",
    )
