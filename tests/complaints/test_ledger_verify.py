"""`jisr ledger verify` passes on an honest feed and fails — naming the complaint and the
sequence — after any single event is deleted, reordered or edited; offline from a dump and
live against a running service, with the public key."""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import sys
from pathlib import Path

import httpx
import pytest
import uvicorn

from libs.chassis.service import create_app
from services.complaints.definition import make_definition
from services.complaints.domain.ledger import STATUS_CHANGED, entry_hash
from tests.complaints.support import FAST, file, move, staff

JISR = [sys.executable, "-m", "jisr.cli"]


async def _jisr(*args: str, env: dict | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *JISR, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
    )
    out, _ = await process.communicate()
    return process.returncode, out.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def served(platform):
    """The complaints service on a real port (the CLI runs in another process)."""
    await platform.migrate("complaints")
    port = _free_port()
    app = create_app(make_definition(FAST), platform.settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield platform, client, url
    server.should_exit = True
    await task


async def _history(platform, client) -> None:
    officer = staff(platform, "complaints_officer")
    for _ in range(2):
        cid = (await file(client))["complaint_id"]
        for to, extra in [("logged", {}), ("triage", {}), ("referred", {"reason": "elsewhere"})]:
            await move(client, cid, officer, to, **extra)


def _status_positions(items: list[dict], complaint_id: str) -> list[int]:
    return [
        i
        for i, item in enumerate(items)
        if item["type"] == STATUS_CHANGED and item["complaint_id"] == complaint_id
    ]


async def test_verify_offline_and_live(served, tmp_path: Path):
    platform, client, url = served
    await _history(platform, client)
    admin = staff(platform, "admin")
    assert (await client.post("/v1/ledger/checkpoints", headers=admin)).status_code == 201
    key = tmp_path / "ledger.pem"
    key.write_text((await client.get("/v1/ledger/public-key")).text)
    token = mint = platform.token("oversight", oversight_body="ombudsman")["Authorization"][7:]
    body = {"body_id": "ombudsman", "title": "Ombudsman", "national": True}
    await client.put("/v1/oversight/bodies/ombudsman", json=body, headers=admin)

    dump = tmp_path / "feed.json"
    code, out = await _jisr("ledger", "dump", "--url", url, "--token", mint, "-o", str(dump))
    assert code == 0, out
    code, out = await _jisr("ledger", "verify", "--file", str(dump), "--public-key", str(key))
    assert code == 0, out
    assert "checkpoint: valid" in out and "OK: 2 complaints, 8 ledger entries" in out

    code, out = await _jisr(
        "ledger", "verify", "--url", url, "--token", token, "--public-key", str(key)
    )
    assert code == 0 and "OK: 2 complaints" in out, out

    honest = json.loads(dump.read_text())
    victim = honest["items"][0]["complaint_id"]
    positions = _status_positions(honest["items"], victim)  # sequences 1..4 of one complaint

    def tampered(change) -> Path:
        document = copy.deepcopy(honest)
        change(document["items"])
        path = tmp_path / f"tampered-{change.__name__}.json"
        path.write_text(json.dumps(document))
        return path

    def delete_second(items):
        del items[positions[1]]

    def delete_last(items):
        del items[positions[3]]

    def reorder(items):
        a, b = positions[1], positions[2]
        items[a], items[b] = items[b], items[a]

    def edit(items):
        items[positions[2]]["data"]["to_status"] = "not_accepted"

    def edit_and_rehash(items):
        data = items[positions[1]]["data"]
        data["changed_at"] = "2020-01-01T00:00:00Z"
        data["hash"] = entry_hash(data)

    expected = {
        delete_second: f"complaint {victim} sequence 3: sequence 2 missing",
        delete_last: f"complaint {victim} sequence 4: deleted",
        reorder: f"complaint {victim} sequence 3: out of order",
        edit: f"complaint {victim} sequence 3: altered",
        edit_and_rehash: f"complaint {victim} sequence 2: altered",
    }
    for change, message in expected.items():
        path = tampered(change)
        code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
        assert code == 1, f"{change.__name__} went unnoticed:\n{out}"
        assert message in out, f"{change.__name__}:\n{out}"
        assert "TAMPERED" in out

    forged = copy.deepcopy(honest)
    forged["checkpoint"]["body"] = forged["checkpoint"]["body"].replace(
        '"sequence":4', '"sequence":3'
    )
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
    assert code == 1 and "bad signature" in out, out


async def test_complainant_verifies_their_own_case(served, tmp_path: Path):
    platform, client, _ = served
    await file(client)  # someone else's complaint, also under the signed checkpoint
    filed = await file(client)
    officer = staff(platform, "complaints_officer")
    await move(client, filed["complaint_id"], officer, "logged")
    await client.post("/v1/ledger/checkpoints", headers=staff(platform, "admin"))
    pin = {"X-Complaint-PIN": filed["pin"]}
    status = (await client.get(f"/v1/complaints/{filed['reference']}/status", headers=pin)).json()
    assert status["ledger"]["verified"] is True
    assert status["ledger"]["signed_checkpoint"]["sequence"] == 2
    assert status["ledger"]["signed_checkpoint"]["hash"] == status["ledger"]["entries"][-1]["hash"]
    own = await client.get(f"/v1/complaints/{filed['reference']}/ledger", headers=pin)
    assert own.status_code == 200
    path = tmp_path / "mine.json"
    path.write_text(own.text)
    key = tmp_path / "key.pem"
    key.write_text(own.json()["public_key"])
    code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
    assert code == 0 and "OK: 1 complaints, 2 ledger entries" in out, out
