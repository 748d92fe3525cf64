"""The personal-data read audit is readable: by an admin (every complaint) and an oversight
body (its jurisdiction only), through the API and `jisr audit reads`, filtered by who,
complaint, purpose and period, paginated; it names fields, never their values."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from jisr.cli import app as cli
from tests.complaints.support import COMPLAINT, file, staff

IRBID = COMPLAINT | {
    "station_id": "IR-01-S1",
    "allegations": [{"category": "discourtesy", "against": "officer"}],
}
URL = "/v1/audit/personal-data-reads"


async def test_the_read_audit_by_role_filter_and_page(served):  # noqa: F811
    platform, client, url = served
    admin = staff(platform, "admin")
    body = {"body_id": "north", "title": "Irbid office", "national": False, "governorates": ["IR"]}
    assert (await client.put("/v1/oversight/bodies/north", json=body, headers=admin)).is_success
    amman = (await file(client))["complaint_id"]
    irbid = (await file(client, IRBID))["complaint_id"]
    officer = staff(platform, "complaints_officer", subject="officer-7")
    other = staff(platform, "complaints_officer", subject="officer-9")
    for who, complaint, purpose in [
        (officer, amman, "calling back about the hearing"),
        (officer, irbid, "sending the outcome letter"),
        (other, irbid, "checking the contact details"),
    ]:
        read = await client.get(
            f"/v1/complaints/{complaint}/personal-data", params={"purpose": purpose}, headers=who
        )
        assert read.status_code == 200, read.text

    everything = await client.get(URL, headers=admin)
    assert everything.status_code == 200, everything.text
    rows = everything.json()["items"]
    assert [(r["actor"], r["complaint_id"]) for r in rows] == [
        ("officer-7", amman),
        ("officer-7", irbid),
        ("officer-9", irbid),
    ]
    assert "name" in rows[0]["fields"]
    for secret in ("Test Person", "+962790000001", "pushed to the ground"):
        assert secret not in everything.text  # field names, never their values

    north = staff(platform, "oversight", oversight_body="north")
    mine = (await client.get(URL, headers=north)).json()["items"]
    assert {r["complaint_id"] for r in mine} == {irbid}  # its jurisdiction only

    async def ids(**params) -> list[int]:
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    all_ids = [r["id"] for r in rows]
    assert await ids(actor="officer-9") == all_ids[2:]
    assert await ids(complaint_id=irbid) == all_ids[1:]
    assert await ids(purpose="OUTCOME") == all_ids[1:2]
    assert await ids(purpose="100%_") == []  # wildcards are words, not patterns
    now = datetime.now(UTC)
    assert await ids(since=(now - timedelta(hours=1)).isoformat()) == all_ids
    assert await ids(until=(now - timedelta(hours=1)).isoformat()) == []
    first = await client.get(URL, params={"limit": 2}, headers=admin)
    page = first.json()
    assert [r["id"] for r in page["items"]] == all_ids[:2]
    assert await ids(after=page["next_cursor"]) == all_ids[2:]

    assert (await client.get(URL, headers=officer)).status_code == 403
    assert (await client.get(URL)).status_code == 401
    backwards = {"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}
    refused = await client.get(URL, params=backwards, headers=admin)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "until"]
    for bad in ({"limit": 1001}, {"after": 2**64}, {"complaint_id": "nope"}):
        assert (await client.get(URL, params=bad, headers=admin)).status_code == 422

    token = north["Authorization"][7:]
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["audit", "reads", "--url", url, "--token", token, "--purpose", "contact", "--json"],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(r["actor"], r["complaint_id"]) for r in lines] == [("officer-9", irbid)]
