"""One entry point for every view, shared by the JSON/CSV API and the pages: check the
caller may open it, validate the filters against their scope, run its queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import get_args

from fastapi import HTTPException, Request
from fastapi.responses import Response

from libs.chassis.auth import Principal
from libs.chassis.service import Runtime
from libs.contracts.complaints import AllegationCategory
from libs.contracts.fora import ForumType
from libs.reference import load_reference

from .accountability_view import accountability_view
from .baselines_client import baselines_client
from .combined_views import overview_view, scorecard_view
from .crime_view import crime_view
from .engagement_view import engagement_view
from .scope import field_error, parse_filters, require_view, scope_for

VIEWS = ("overview", "crime", "accountability", "engagement", "scorecard")


def categories(view: str) -> frozenset[str]:
    """What the category filter means in each view: ICCS codes for crime (and the combined
    views), allegation categories for accountability, forum types for engagement."""
    if view == "accountability":
        return frozenset(get_args(AllegationCategory))
    if view == "engagement":
        return frozenset(get_args(ForumType))
    return frozenset(load_reference().iccs)


async def load_view(
    view: str,
    request: Request,
    principal: Principal,
    rt: Runtime,
    *,
    start: str | None = None,
    end: str | None = None,
    area: str | None = None,
    category: str | None = None,
) -> dict:
    scope = scope_for(principal)
    require_view(scope, view)
    if view == "scorecard" and (not area or area not in load_reference().stations):
        raise HTTPException(404, f"no station {area!r}")
    filters = parse_filters(
        scope, start=start, end=end, area=area, category=category, categories=categories(view)
    )
    now = datetime.now(UTC)
    fetch = baselines_client(request).band
    async with rt.sessions() as session:
        if view == "crime":
            result = await crime_view(session, filters, fetch)
        elif view == "accountability":
            result = await accountability_view(session, filters, now)
        elif view == "engagement":
            result = await engagement_view(session, filters, now.date())
        elif view == "scorecard":
            result = await scorecard_view(session, filters, fetch, now)
        else:
            result = await overview_view(session, filters, fetch, now)
    result["scope"] = {"area": scope.area, "who": scope.who}
    return result


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_response(result: dict, table: str | None) -> Response:
    """One table of a view as CSV (UTF-8 with a BOM, so spreadsheet programs read Arabic)."""
    name = table or next(iter(result["tables"]))
    if name not in result["tables"]:
        raise field_error("table", f"choose one of {', '.join(result['tables'])}")
    f = result["filters"]
    filename = f"jisr-{result['view']}-{name}-{f['area']}-{f['from']}-{f['to']}.csv"
    return Response(
        "\ufeff" + csv_text(result["tables"][name]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
