"""`GET /public/report?month=YYYY-MM`: the monthly transparency report, no token needed,
as a page (`format=html`, default), CSV or JSON. Small counts are suppressed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from libs.chassis.service import Runtime, runtime

from .labels import word
from .pages import language, render
from .public_report import COLUMNS, public_report
from .views import csv_text

router = APIRouter(tags=["public"])


@router.get("/public/report", summary="Monthly crime and complaints per governorate (public)")
async def report(
    request: Request,
    month: str | None = Query(None, description="YYYY-MM; default: last full month"),
    format: Literal["html", "csv", "json"] = "html",
    lang: str | None = Query(None),
    rt: Runtime = Depends(runtime),
):
    chosen = language(request, lang)
    try:
        async with rt.sessions() as session:
            result = await public_report(session, month, datetime.now(UTC))
    except HTTPException as exc:
        if format != "html":
            raise
        msg = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.detail)
        return render(
            request,
            "error.html",
            chosen,
            exc.status_code,
            message=msg,
            heading=word("public_report", chosen),
            nav=[],
        )
    if format == "json":
        return result
    if format == "csv":
        rows = [*result["rows"], result["total"]]
        filename = f"jisr-public-report-{result['month']}.csv"
        return Response(
            "\ufeff" + csv_text(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    name = "name_ar" if chosen == "ar" else "name_en"
    return render(
        request,
        "public_report.html",
        chosen,
        report=result,
        columns=[*COLUMNS, "incidents_per_100k"],
        name_key=name,
        nav=[],
        csv_url=f"/public/report?month={result['month']}&format=csv",
    )
