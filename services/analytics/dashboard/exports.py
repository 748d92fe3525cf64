"""A view's table, or the public report, as CSV (UTF-8 with a BOM, so spreadsheet programs
read the Arabic)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.responses import Response

from ..domain.scope import field_error


class CsvResponse(Response):
    media_type = "text/csv; charset=utf-8"


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_file(rows: list[dict[str, Any]], filename: str) -> Response:
    return Response(
        "\ufeff" + csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def view_csv(result: dict[str, Any], table: str | None) -> Response:
    """One table of a view (default: its first); 422 naming `table` when it has none such."""
    name = table or next(iter(result["tables"]))
    if name not in result["tables"]:
        raise field_error("table", f"choose one of {', '.join(result['tables'])}")
    f = result["filters"]
    filename = f"jisr-{result['view']}-{name}-{f['area']}-{f['from']}-{f['to']}.csv"
    return csv_file(result["tables"][name], filename)
