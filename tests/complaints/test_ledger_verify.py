"""The ledger of a running service, as an oversight body and a complainant check it: every event
of a complaint (status changes, findings, recommendations and their answers, deadline events)
is in its chain; `jisr ledger dump` + `verify` (offline and live, with a state file) pass on the
honest ledger and fail when a recommendation or a deadline event is removed; checkpoints are
published on Kafka and in the feed; consistency proofs between two checkpoints verify; a
complainant's ledger proves their chain is in the signed tree and holds nothing of any other
complaint; recording a recommendation or an answer twice with one Idempotency-Key makes one."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from jisr.cli import app as cli
from libs.chassis.db import make_engine, make_session_factory
from services.complaints.deadlines import emit_due
from services.complaints.domain import ledger, merkle
from services.complaints.domain.clocks import DEFAULT_PACK
from tests.complaints.support import file, move, staff, status_topic


async def _jisr(*args: str) -> tuple[int, str]:
    """The real command, in a thread so this loop keeps serving it."""
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
    return result.exit_code, result.output


async def _history(platform, client) -> tuple[str, str]:
    """Two complaints: one referred with a recommendation (answered) and one unanswered;
    one left in triage; then a scheduler pass a year on (deadline events)."""
    officer = staff(platform, "complaints_officer")
    admin = staff(platform, "admin")
    body = {"body_id": "ombudsman", "title": "Ombudsman", "national": True}
    assert (await client.put("/v1/oversight/bodies/ombudsman", json=body, headers=admin)).is_success
    body = {"body_id": "north", "title": "Irbid office", "national": False, "governorates": ["IR"]}
    assert (await client.put("/v1/oversight/bodies/north", json=body, headers=admin)).is_success
    overseer = staff(platform, "oversight", oversight_body="ombudsman")
    referred = (await file(client))["complaint_id"]
    open_one = (await file(client))["complaint_id"]
    for to, extra in [("logged", {}), ("triage", {}), ("referred", {"reason": "elsewhere"})]:
        await move(client, referred, officer, to, **extra)
    await move(client, open_one, officer, "logged")
    recommendation = {"category": "training", "text": "Train the unit on arrests."}
    once = {**overseer, "Idempotency-Key": "rec-1"}
    first = await client.post(
        f"/v1/complaints/{referred}/recommendations", json=recommendation, headers=once
    )
    again = await client.post(
        f"/v1/complaints/{referred}/recommendations", json=recommendation, headers=once
    )
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    rec_id = first.json()["recommendation_id"]
    answered = {**officer, "Idempotency-Key": "ans-1"}
    for _ in range(2):
        response = await client.post(
            f"/v1/recommendations/{rec_id}/answer", json={"answer": "accepted"}, headers=answered
        )
        assert response.status_code == 200, response.text
    await client.post(
        f"/v1/complaints/{referred}/recommendations",
        json={"category": "sanction", "text": "Discipline the officer."},
        headers=overseer,
    )
    listed = (await client.get("/v1/recommendations", headers=overseer)).json()
    assert len(listed) == 2  # the retried one made one
    engine = make_engine(platform.settings.database_url, "complaints", pool_size=2)
    try:
        later = datetime.now(UTC) + timedelta(days=400)
        assert await emit_due(make_session_factory(engine), DEFAULT_PACK, later) > 0
    finally:
        await engine.dispose()
    return referred, open_one


async def test_every_event_is_chained_and_verify_catches_removals(served, tmp_path: Path):
    platform, client, url = served
    referred, _ = await _history(platform, client)
    admin = staff(platform, "admin")
    first = await client.post("/v1/ledger/checkpoints", headers=admin)
    assert first.status_code == 201, first.text
    key = tmp_path / "ledger.pem"
    key.write_text((await client.get("/v1/ledger/public-key")).text)
    token = platform.token("oversight", oversight_body="ombudsman")["Authorization"][7:]
    state = tmp_path / "seen.json"

    dump = tmp_path / "feed.json"
    code, out = await _jisr("ledger", "dump", "--url", url, "--token", token, "-o", str(dump))
    assert code == 0, out
    code, out = await _jisr(
        "ledger", "verify", "--file", str(dump), "--public-key", str(key), "--state", str(state)
    )
    assert code == 0 and "checkpoint: valid" in out and "OK: 2 complaints" in out, out
    honest = json.loads(dump.read_text())
    types = {i["type"] for i in honest["items"] if i["complaint_id"] == referred}
    assert {
        "jisr.complaint.received.v1",
        ledger.STATUS_CHANGED,
        "jisr.complaint.recommendation_made.v1",
        "jisr.complaint.recommendation_answered.v1",
        "jisr.complaint.deadline_breached.v1",
    } <= types
    assert all(i["data"].get("chain") for i in honest["items"] if i["type"] != ledger.CHECKPOINT)
    assert any(i["type"] == ledger.CHECKPOINT for i in honest["items"])  # in the feed

    for removed in ("recommendation_made", "deadline_breached"):
        cut = dict(honest, items=[i for i in honest["items"] if removed not in i["type"]])
        path = tmp_path / f"without-{removed}.json"
        path.write_text(json.dumps(cut))
        code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
        assert code == 1 and "TAMPERED" in out, out
        # in a chain's middle a gap; at the ends of the chains, fewer leaves than signed
        assert "missing (deleted)" in out or "truncated: a checkpoint signed" in out, out

    # More happens, a second checkpoint: live verify checks the service's consistency proof
    # from the checkpoint seen before, and the tree against both.
    await file(client)
    second = (await client.post("/v1/ledger/checkpoints", headers=admin)).json()
    code, out = await _jisr(
        "ledger", "verify", "--url", url, "--token", token, "--public-key", str(key),
        "--state", str(state),
    )  # fmt: skip
    assert code == 0 and "OK: 3 complaints" in out, out
    sizes = first.json()["tree_size"], second["tree_size"]
    proof = await client.get(
        "/v1/ledger/consistency",
        params={"first": sizes[0], "second": sizes[1]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert proof.status_code == 200
    roots = bytes.fromhex(first.json()["root_hash"]), bytes.fromhex(second["root_hash"])
    hashes = [bytes.fromhex(h) for h in proof.json()["proof"]]
    assert merkle.verify_consistency(*sizes, *roots, hashes)
    too_far = await client.get(
        "/v1/ledger/consistency",
        params={"first": 1, "second": sizes[1] + 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert too_far.status_code == 422

    records = await status_topic(platform, len(honest["items"]) + 5)  # + 2 bodies
    published = [data for kind, data in records if kind == ledger.CHECKPOINT]
    assert [c["tree_size"] for c in published] == list(sizes)
    public = ledger.load_public_key(key.read_text())
    assert all(ledger.checkpoint_valid(public, c) for c in published)


async def test_regional_body_verifies_with_leaves_only(served, tmp_path: Path):
    platform, client, url = served
    await _history(platform, client)
    filed = await file(client, body=None)
    await client.post("/v1/ledger/checkpoints", headers=staff(platform, "admin"))
    key = tmp_path / "ledger.pem"
    key.write_text((await client.get("/v1/ledger/public-key")).text)
    token = platform.token("oversight", oversight_body="north")["Authorization"][7:]
    code, out = await _jisr(
        "ledger", "verify", "--url", url, "--token", token, "--public-key", str(key)
    )
    assert code == 0 and "OK: 0 complaints" in out, out  # every complaint is in AM
    feed = (
        await client.get("/v1/oversight/feed", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert filed["complaint_id"] not in json.dumps(feed)
    assert all(i["complaint_id"] is None for i in feed["items"])
    assert {ledger.LEAF, ledger.CHECKPOINT} <= {i["type"] for i in feed["items"]}


async def test_complainant_gets_an_inclusion_proof_and_nothing_else(served, tmp_path: Path):
    platform, client, _ = served
    other = await file(client)  # someone else's complaint, also under the signed checkpoint
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
    document = own.json()
    assert other["complaint_id"] not in own.text and "heads" not in own.text
    assert document["inclusion"]["tree_size"] == 5  # 2 + 3 events, nationally: a count only
    path = tmp_path / "mine.json"
    path.write_text(own.text)
    key = tmp_path / "key.pem"
    key.write_text(document["public_key"])
    code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
    assert code == 0 and "OK: 1 complaints, 3 ledger entries" in out, out
    document["items"][-1]["data"]["chain"]["hash"] = "0" * 64
    path.write_text(json.dumps(document))
    code, out = await _jisr("ledger", "verify", "--file", str(path), "--public-key", str(key))
    assert code == 1 and "altered" in out, out
