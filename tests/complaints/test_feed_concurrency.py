"""The oversight feed never skips a committed event: a poller following `next_cursor` while
500 transitions commit concurrently receives every event of the ledger exactly once, and the
dump it builds verifies against a signed checkpoint."""

from __future__ import annotations

import asyncio

import pytest

from services.complaints.application import intake
from services.complaints.domain import ledger
from tests.complaints.support import complaints_service, file, staff

COMPLAINTS = 125
IN_FLIGHT = 16
MOVES = [
    ("logged", {}),
    ("triage", {}),
    ("informal_resolution", {"complainant_agreed": True}),
    ("formal_investigation", {"reason": "complainant_withdrew_agreement"}),
]  # 125 complaints x 4 moves = 500 concurrent transitions


async def _cheap_hash(pin: str) -> str:
    return "unused-in-this-test"


@pytest.mark.slow
async def test_poller_receives_every_event_once_under_concurrent_transitions(
    platform, monkeypatch
):
    # Filing is not what is tested here: skip the PIN's scrypt (50 ms of CPU a complaint).
    monkeypatch.setattr(intake, "hash_pin", _cheap_hash)
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        admin, officer = staff(platform, "admin"), staff(platform, "complaints_officer")
        body = {"body_id": "ombudsman", "title": "Ombudsman", "national": True}
        assert (
            await client.put("/v1/oversight/bodies/ombudsman", json=body, headers=admin)
        ).is_success
        oversight = staff(platform, "oversight", oversight_body="ombudsman")
        # As many requests in flight as the service has connections: beyond that they would
        # only queue for the pool (and time out on a loaded machine).
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one_filing() -> dict:
            async with gate:
                return await file(client)

        filed = await asyncio.gather(*(one_filing() for _ in range(COMPLAINTS)))

        moved = 0

        async def walk(complaint_id: str) -> None:
            nonlocal moved
            for to, extra in MOVES:
                async with gate:
                    response = await client.post(
                        f"/v1/complaints/{complaint_id}/transitions",
                        json={"to": to, **extra},
                        headers=officer,
                    )
                assert response.status_code == 200, response.text
                moved += 1

        received: list[dict] = []
        cursor = 0
        done = asyncio.Event()

        async def poll() -> None:
            nonlocal cursor
            quiet = 0
            while quiet < 2:  # two empty pages after the writers finished
                page = await client.get(
                    "/v1/oversight/feed", params={"after": cursor, "limit": 40}, headers=oversight
                )
                assert page.status_code == 200, page.text
                data = page.json()
                received.extend(data["items"])
                cursor = data["next_cursor"]
                quiet = quiet + 1 if done.is_set() and not data["items"] else 0
                await asyncio.sleep(0.01)

        poller = asyncio.create_task(poll())
        await asyncio.gather(*(walk(f["complaint_id"]) for f in filed))
        done.set()
        await poller
        assert moved == 500

        rows = await platform.sql(
            "complaints",
            "SELECT complaint_id::text, chain_sequence FROM complaint_events"
            " WHERE complaint_id IS NOT NULL",
        )
        in_ledger = sorted((r["complaint_id"], r["chain_sequence"]) for r in rows)
        got = sorted(
            (i["complaint_id"], i["data"]["chain"]["sequence"])
            for i in received
            if i["type"] != ledger.CHECKPOINT
        )
        assert len(in_ledger) == COMPLAINTS * (2 + len(MOVES))
        assert got == in_ledger  # nothing missing, nothing twice
        cursors = [i["cursor"] for i in received]
        assert cursors == sorted(set(cursors))

        signed = await client.post("/v1/ledger/checkpoints", headers=admin)
        assert signed.status_code == 201, signed.text
        key = ledger.load_public_key((await client.get("/v1/ledger/public-key")).text)
        report = ledger.verify_document(
            {"items": received, "checkpoint": signed.json()}, public_key=key
        )
        assert report.ok, [str(p) for p in report.problems]
        assert report.checkpoints_checked >= 1 and report.chains == COMPLAINTS


async def test_a_cursor_beyond_any_position_is_refused_not_a_server_error(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        officer = staff(platform, "complaints_officer")
        for after in (2**63, 10**30, -1):
            response = await client.get(
                "/v1/oversight/feed", params={"after": after}, headers=officer
            )
            assert response.status_code == 422, response.text
            assert response.json()["detail"][0]["loc"] == ["query", "after"]
        for limit in (0, 5001):
            response = await client.get(
                "/v1/oversight/feed", params={"limit": limit}, headers=officer
            )
            assert response.status_code == 422
        response = await client.get(
            "/v1/oversight/feed", params={"after": 2**63 - 1}, headers=officer
        )
        assert response.status_code == 200 and response.json()["items"] == []
