"""`jisr audit`: read the complaints service's personal-data read audit, as an admin or an
oversight body (its jurisdiction) would, with the API's filters.

    jisr audit reads --url http://localhost:8001 --token "$TOKEN" \\
        [--actor SUBJECT] [--complaint ID] [--purpose WORDS] [--since T] [--until T] [--json]

It follows the cursor to the end (or `--max` rows) and prints one line a read: when, who (and
as what), which complaint, which fields (names only: the audit never holds values), and why.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import typer

app = typer.Typer(help="The personal-data read audit (complaints).", no_args_is_help=True)
PAGE = 1000


def fetch(
    url: str, token: str, filters: dict[str, Any], most: int, client: httpx.Client | None = None
) -> list[dict[str, Any]]:
    client = client or httpx.Client(base_url=url, timeout=60)
    params = {k: v for k, v in filters.items() if v is not None}
    rows: list[dict[str, Any]] = []
    after = 0
    while len(rows) < most:
        response = client.get(
            "/v1/audit/personal-data-reads",
            params={**params, "after": after, "limit": min(PAGE, most - len(rows))},
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 200:
            detail = response.json().get("detail", response.text)
            messages = (
                "; ".join(d.get("msg", "") for d in detail) if isinstance(detail, list) else detail
            )
            raise typer.BadParameter(f"{response.status_code}: {messages}")
        page = response.json()
        rows += page["items"]
        if not page["items"]:
            break
        after = page["next_cursor"]
    return rows


@app.command()
def reads(
    url: str = typer.Option(..., help="The complaints service, e.g. http://localhost:8001"),
    token: str = typer.Option(..., envvar="JISR_TOKEN", help="An admin or oversight token"),
    actor: str | None = typer.Option(None, help="Only reads by this subject"),
    complaint: str | None = typer.Option(None, help="Only reads of this complaint (its id)"),
    purpose: str | None = typer.Option(None, help="Only reads whose purpose has these words"),
    since: datetime | None = typer.Option(None, help="From this instant"),
    until: datetime | None = typer.Option(None, help="Until this instant"),
    most: int = typer.Option(10_000, "--max", min=1, help="Stop after this many rows"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of text"),
) -> None:
    """List personal-data reads, oldest first."""
    filters = {
        "actor": actor,
        "complaint_id": complaint,
        "purpose": purpose,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    rows = fetch(url, token, filters, most)
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            typer.echo(
                f"{row['at']}  {row['actor']} ({row['role']})  complaint {row['complaint_id']}"
                f"  fields {','.join(row['fields'])}  purpose: {row['purpose']}"
            )
    if not as_json:
        typer.echo(f"{len(rows)} reads", err=True)
