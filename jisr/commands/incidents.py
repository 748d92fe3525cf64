"""`jisr incidents upload FILE`: a CSV or JSON Lines file of incidents sent to the incidents
service as an upload job, with a progress bar while it is sent and stored, then the error
report (line, field, rule). Exits 1 when any row was rejected or the job failed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import typer

from jisr.progress import bars

app = typer.Typer(help="The incidents service: uploads.", no_args_is_help=True)

PIECE = 1024 * 1024
ENDED = ("done", "failed")


def _content_type(path: Path) -> str:
    return "application/x-ndjson" if path.suffix.lower() in (".jsonl", ".ndjson") else "text/csv"


def _lines(path: Path) -> int:
    """Lines in the file (the bar's total while the service stores them)."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(PIECE):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _dev_token(station: str | None) -> str:
    """A token signed with JISR_HOME's development key, as `jisr token` mints it."""
    from libs.chassis.auth import mint_token
    from libs.chassis.settings import get_settings

    roles = ["station_officer"] if station else ["admin"]
    return mint_token(get_settings(), role=roles, station_id=station)


def _refused(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text[:500]
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return str(detail)


def send(
    client: httpx.Client,
    path: Path,
    *,
    max_errors: int = 50,
    poll_seconds: float = 0.5,
    echo: Any = typer.echo,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Upload `path` as a job and follow it to its end; (the job, the errors fetched)."""
    size = path.stat().st_size
    lines = _lines(path)
    with bars(stderr=True) as bar:
        sent = bar(f"sending {path.name} (bytes)")

        def pieces() -> Iterator[bytes]:
            done = 0
            sent(0, size)
            with path.open("rb") as handle:
                while piece := handle.read(PIECE):
                    done += len(piece)
                    sent(done, size)
                    yield piece

        response = client.post(
            "/v1/incidents/bulk",
            content=pieces(),
            headers={"Content-Type": _content_type(path), "Prefer": "respond-async"},
        )
        if response.status_code != 202:
            raise UploadRefused(response.status_code, _refused(response))
        job = response.json()
        location = response.headers.get("Location", f"/v1/incidents/uploads/{job['job_id']}")
        stored = bar("storing (lines)")
        while True:
            stored(job["lines"], lines)
            if job["state"] in ENDED:
                break
            time.sleep(poll_seconds)
            polled = client.get(location)
            if polled.status_code != 200:
                raise UploadRefused(polled.status_code, _refused(polled))
            job = polled.json()
    errors: list[dict[str, Any]] = []
    after = 0
    while len(errors) < min(max_errors, job["errors_reported"]):
        page = client.get(
            job["errors_url"], params={"after": after, "limit": min(500, max_errors)}
        ).json()
        errors += page["errors"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    return job, errors[:max_errors]


class UploadRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


@app.command()
def upload(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    url: str = typer.Option(
        "http://127.0.0.1:8003", "--url", envvar="JISR_INCIDENTS_URL", help="incidents service"
    ),
    token: str | None = typer.Option(
        None, "--token", envvar="JISR_TOKEN", help="bearer token (default: a dev token)"
    ),
    station: str | None = typer.Option(
        None, "--station", help="upload as this station's officer (with the dev token)"
    ),
    max_errors: int = typer.Option(50, "--max-errors", min=0, help="errors to print"),
) -> None:
    """Upload a CSV (.csv) or JSON Lines (.jsonl) file of incidents: the service stores it as
    a job; this shows its progress and prints the rows it rejected, by line, field and rule."""
    bearer = token or _dev_token(station)
    started = time.monotonic()
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {bearer}"}, timeout=60
    ) as client:
        try:
            job, errors = send(client, file, max_errors=max_errors)
        except UploadRefused as exc:
            typer.echo(f"upload refused ({exc})", err=True)
            raise typer.Exit(1) from exc
        except httpx.HTTPError as exc:
            typer.echo(f"cannot reach {url}: {exc}", err=True)
            raise typer.Exit(1) from exc
    seconds = time.monotonic() - started
    for error in errors:
        typer.echo(f"line {error['line']}: {error['field']}: {error['rule']}")
    more = job["errors_reported"] - len(errors)
    if more > 0:
        typer.echo(f"... {more} more errors: GET {url}{job['errors_url']}?after={errors[-1]['n']}")
    typer.echo(
        f"job {job['job_id']} {job['state']}: {job['lines']} lines, stored {job['stored']},"
        f" duplicates {job['duplicates']}, rejected {job['rejected']}"
        f" ({seconds:.1f} s, {job['lines'] / seconds if seconds else 0:,.0f} lines/s)"
    )
    if job["state"] == "failed":
        typer.echo(f"failed: {job['failure']}", err=True)
    if job["rejected"] or job["state"] != "done":
        raise typer.Exit(1)
