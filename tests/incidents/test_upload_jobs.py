"""Large bulk uploads as jobs: 202 with a job whose progress and error report are read back,
seen only by its station (or an admin), resumed after its process stops without counting a
row twice; and `jisr incidents upload` against the service on a real port."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from jisr.cli import app as cli
from jisr.services import definition
from libs.chassis.service import create_app
from libs.reference import load_reference
from services.incidents.application import bulk, upload_jobs
from tests.incidents.test_bulk_upload import CSV_ROWS, HEADER

ASYNC = {"Content-Type": "text/csv", "Prefer": "respond-async"}


async def _ended(client, location: str, token) -> dict:
    for _ in range(400):
        job = (await client.get(location, headers=token)).json()
        if job["state"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job still {job['state']}")


async def test_a_job_answers_202_and_its_progress_and_error_report_are_read(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    body = ("\n".join(CSV_ROWS) + "\n").encode()
    response = await client.post("/v1/incidents/bulk", content=body, headers=officer | ASYNC)
    assert response.status_code == 202, response.text
    assert response.headers["Preference-Applied"] == "respond-async"
    job = response.json()
    assert response.headers["Location"] == f"/v1/incidents/uploads/{job['job_id']}"
    assert job["state"] in ("queued", "running", "done") and job["bytes_received"] == len(body)

    job = await _ended(client, response.headers["Location"], officer)
    # the same figures as the synchronous upload of the same file (test_bulk_upload)
    assert job["state"] == "done", job
    assert (job["stored"], job["rejected"], job["duplicates"]) == (3, 5, 0)
    assert job["lines"] == len(CSV_ROWS) and job["errors_reported"] == 5 and job["attempts"] == 1

    first = (await client.get(job["errors_url"], params={"limit": 2}, headers=officer)).json()
    assert [e["line"] for e in first["errors"]] == [4, 5] and first["next_after"] == 2
    rest = (
        await client.get(job["errors_url"], params={"after": 2, "limit": 5}, headers=officer)
    ).json()
    assert [e["line"] for e in rest["errors"]] == [6, 7, 10] and rest["next_after"] is None
    assert rest["errors"][-1]["field"] == "location_type"

    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 3
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 3
    assert await platform.scalar("incidents", "SELECT count(*) FROM upload_job_chunks") == 0


async def test_a_big_declared_length_is_a_job_and_a_small_one_is_not(incidents, monkeypatch):
    platform, client = incidents
    admin = platform.token("admin")
    body = ("\n".join(CSV_ROWS[:3]) + "\n").encode()
    csv = {"Content-Type": "text/csv"}
    small = await client.post("/v1/incidents/bulk", content=body, headers=admin | csv)
    assert small.status_code == 200 and small.json()["stored"] == 2
    monkeypatch.setattr(upload_jobs, "ASYNC_ABOVE_BYTES", len(body) - 1)
    big = await client.post("/v1/incidents/bulk", content=body, headers=admin | csv)
    assert big.status_code == 202, big.text
    job = await _ended(client, big.headers["Location"], admin)
    assert (job["stored"], job["duplicates"]) == (0, 2)  # a re-sent file stores nothing twice


async def test_only_the_uploading_station_or_an_admin_sees_the_job(incidents):
    platform, client = incidents
    own = platform.token("station_officer", station="AM-01-S1")
    body = ("\n".join(CSV_ROWS[:2]) + "\n").encode()
    response = await client.post("/v1/incidents/bulk", content=body, headers=own | ASYNC)
    location = response.headers["Location"]
    await _ended(client, location, own)
    other = platform.token("station_officer", station="IR-01-S1")
    for path in (location, f"{location}/errors"):
        assert (await client.get(path, headers=own)).status_code == 200
        assert (await client.get(path, headers=platform.token("admin"))).status_code == 200
        assert (await client.get(path, headers=other)).status_code == 404
        analyst = platform.token("ministry_analyst")
        assert (await client.get(path, headers=analyst)).status_code == 403
        assert (await client.get(path)).status_code == 401


async def test_a_broken_header_fails_the_job_with_the_reason(incidents):
    platform, client = incidents
    admin = platform.token("admin")
    response = await client.post(
        "/v1/incidents/bulk", content=b"station,when\nAM-01-S1,now\n", headers=admin | ASYNC
    )
    job = await _ended(client, response.headers["Location"], admin)
    assert job["state"] == "failed" and "source_ref" in job["failure"]
    errors = (await client.get(job["errors_url"], headers=admin)).json()["errors"]
    assert errors[0]["line"] == 1 and errors[0]["field"] == "body.header"


def _rows(n: int, bad_every: int = 100) -> bytes:
    lines = [HEADER]
    for i in range(n):
        code = "9999" if i % bad_every == bad_every - 1 else "0502"
        lines.append(f"AM-02-S1,r-{i},2026-09-03T10:00:00+03:00,street,{code},,")
    return ("\n".join(lines) + "\n").encode()


async def test_a_job_stopped_mid_file_resumes_and_counts_every_row_once(incidents, monkeypatch):
    """The process stops (the database connection goes, as in a restart) after the first
    batch committed: the job stays running, its lease runs out, the sweeper resumes it after
    the committed lines; the batch in flight was rolled back and is redone."""
    platform, client = incidents
    admin = platform.token("admin")
    n = bulk.BATCH_ROWS * 2 + 500
    monkeypatch.setattr(upload_jobs, "start", lambda *args: None)  # no run in this process
    response = await client.post("/v1/incidents/bulk", content=_rows(n), headers=admin | ASYNC)
    assert response.status_code == 202
    job_id = response.json()["job_id"]

    store = upload_jobs.JobWriter.store
    calls = 0

    async def store_then_die(self, batch):
        nonlocal calls
        calls += 1
        if calls == 2:
            await store(self, batch)  # stores the batch, then the connection is lost
            raise OSError("connection lost")
        return await store(self, batch)

    monkeypatch.setattr(upload_jobs.JobWriter, "store", store_then_die)
    sessions = client.app.state.runtime.sessions  # the service's own pool
    reference = load_reference()
    # the second batch's transaction committed before the loss: still counted exactly once
    assert await upload_jobs.run(sessions, reference, job_id) == "running"
    job = (await client.get(f"/v1/incidents/uploads/{job_id}", headers=admin)).json()
    assert job["state"] == "running" and job["stored"] > 0
    assert job["stored"] == await platform.scalar("incidents", "SELECT count(*) FROM incidents")

    monkeypatch.setattr(upload_jobs.JobWriter, "store", store)
    assert await upload_jobs.run(sessions, reference, job_id) is None  # its lease still holds
    monkeypatch.setattr(upload_jobs, "LEASE_SECONDS", 0.0)
    assert job_id in {str(j) for j in await upload_jobs.sweep(sessions, reference)}
    job = (await client.get(f"/v1/incidents/uploads/{job_id}", headers=admin)).json()
    bad = n // 100
    assert job["state"] == "done" and job["attempts"] == 2
    assert (job["stored"], job["rejected"], job["lines"]) == (n - bad, bad, n + 1)
    assert job["errors_reported"] == bad
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == n - bad
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == n - bad
    assert (
        await platform.scalar(
            "incidents",
            "SELECT n FROM weekly_counts WHERE station_id = 'AM-02-S1' AND iccs_code = '05'",
        )
        == n - bad
    )
    lines = await platform.sql(
        "incidents", "SELECT line FROM upload_job_errors WHERE job_id = $1 ORDER BY n", job_id
    )
    assert [r["line"] for r in lines] == [i + 2 for i in range(n) if i % 100 == 99]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(platform):
    await platform.migrate("incidents")
    port = _free_port()
    app = create_app(definition("incidents"), platform.settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield platform, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_the_cli_uploads_a_file_shows_progress_and_prints_the_error_report(served, tmp_path):
    platform, url = served
    path = tmp_path / "history.csv"
    path.write_bytes(("\n".join(CSV_ROWS) + "\n").encode())
    token = platform.token("station_officer", station="AM-01-S1")["Authorization"].split()[1]
    args = ["incidents", "upload", str(path), "--url", url, "--token", token]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert result.exit_code == 1, result.output  # rows were rejected
    assert "line 4: offences.0.iccs_code: '9999' is not an ICCS code" in result.output
    assert "stored 3, duplicates 0, rejected 5" in result.output
    assert "sending history.csv" in result.output  # the progress lines (not a terminal here)

    good = tmp_path / "good.csv"
    good.write_bytes(("\n".join([*CSV_ROWS[:3], CSV_ROWS[8]]) + "\n").encode())
    again = await asyncio.to_thread(
        CliRunner().invoke, cli, ["incidents", "upload", str(good), "--url", url, "--token", token]
    )
    assert again.exit_code == 0, again.output
    assert "stored 0, duplicates 3, rejected 0" in again.output
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/readyz")).status_code == 200

    refused = await asyncio.to_thread(
        CliRunner().invoke, cli, ["incidents", "upload", str(good), "--url", url, "--token", "x"]
    )
    assert refused.exit_code == 1 and "upload refused (401" in refused.output


async def test_backslashes_and_tabs_survive_the_copy_text_format(incidents):
    platform, client = incidents
    admin = platform.token("admin")
    line = 'AM-01-S1,"a\\b\tc",2026-09-01T10:00:00+03:00,street,0502,N\\1,'
    response = await client.post(
        "/v1/incidents/bulk",
        content=f"{HEADER}\n{line}\n".encode(),
        headers=admin | {"Content-Type": "text/csv"},
    )
    assert response.json()["stored"] == 1, response.text
    [row] = await platform.sql(
        "incidents",
        "SELECT i.source_ref, o.national_code, x.payload FROM incidents i"
        " JOIN offences o USING (incident_id) JOIN outbox x ON x.key = i.incident_id::text",
    )
    assert (row["source_ref"], row["national_code"]) == ("a\\b\tc", "N\\1")
    assert json.loads(row["payload"])["offences"][0]["national_code"] == "N\\1"
