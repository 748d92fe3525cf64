"""A personal-data key rotation of the running complaints service, done the runbook's way:
new key + previous key, `jisr keys rewrap`, `jisr keys status`, then the old key retired —
complainants' data readable throughout, officers' pseudonyms unchanged."""

from __future__ import annotations

import base64
import os
from uuid import UUID

from tests.complaints.support import complaints_service, file, staff
from tests.support.cli import run_cli

NEW = base64.b64encode(os.urandom(32)).decode()


async def personal_name(client, platform, complaint_id) -> str:
    response = await client.get(
        f"/v1/complaints/{complaint_id}/personal-data",
        params={"purpose": "key rotation check"},
        headers=staff(platform, "complaints_officer"),
    )
    assert response.status_code == 200, response.text
    return response.json()["name"]


async def pseudonym(platform, complaint_id) -> str:
    """The pseudonym of the officer (PSD-4471 in every test complaint) in a complaint."""
    rows = await platform.sql(
        "complaints",
        "SELECT officer_pseudonym FROM allegations"
        " WHERE complaint_id = $1 AND officer_pseudonym IS NOT NULL",
        complaint_id,
    )
    [row] = rows
    return row["officer_pseudonym"]


async def test_rotate_the_personal_data_key_of_a_running_service(platform):
    await platform.migrate("complaints")
    old = platform.settings.personal_data_key
    async with complaints_service(platform) as client:
        filed = [(await file(client))["complaint_id"] for _ in range(3)]
    officer = await pseudonym(platform, UUID(filed[0]))

    overlap = platform.settings.model_copy(
        update={"personal_data_key": NEW, "personal_data_previous_keys": old}
    )
    rotating = type(platform)(overlap)
    async with complaints_service(rotating) as client:
        assert await personal_name(client, platform, filed[0]) == "Test Person"
        filed.append((await file(client))["complaint_id"])  # wrapped with the new key

        env = {"JISR_PERSONAL_DATA_KEY": NEW, "JISR_PERSONAL_DATA_PREVIOUS_KEYS": old}
        status = await run_cli(platform, "keys", "status", "--service", "complaints", env=env)
        assert "3 data keys under previous master keys" in status
        out = await run_cli(platform, "keys", "rewrap", "--service", "complaints", env=env)
        assert "re-wrapped 3 data keys" in out
        status = await run_cli(platform, "keys", "status", "--service", "complaints", env=env)
        assert "0 data keys under previous master keys" in status

    retired = type(platform)(platform.settings.model_copy(update={"personal_data_key": NEW}))
    async with complaints_service(retired) as client:
        for complaint_id in filed:
            assert await personal_name(client, platform, complaint_id) == "Test Person"
        filed.append((await file(client))["complaint_id"])
    # The same officer keeps the same pseudonym across the rotation.
    assert await pseudonym(platform, UUID(filed[-1])) == officer


async def test_fora_members_rotate_the_same_way(platform):
    await platform.migrate("fora")
    out = await run_cli(platform, "keys", "rewrap", "--service", "fora")
    assert "fora: re-wrapped 0 data keys" in out


async def test_rewrap_refuses_a_service_without_personal_data(platform):
    err = await run_cli(platform, "keys", "rewrap", "--service", "incidents", expect=2)
    assert "keeps no personal data" in err
