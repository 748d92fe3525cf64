"""A filing retried over a bad connection (same Idempotency-Key) creates one complaint; the
retry gets the same reference and a fresh PIN, and no PIN is ever stored in clear."""

from __future__ import annotations

import json

from tests.complaints.support import COMPLAINT, complaints_service, staff

KEY = {"Idempotency-Key": "9b2f6c1e-web-retry"}


async def status(client, reference: str, pin: str) -> int:
    response = await client.get(
        f"/v1/complaints/{reference}/status", headers={"X-Complaint-PIN": pin}
    )
    return response.status_code


async def test_a_retried_filing_creates_one_complaint_and_reissues_the_pin(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        first = await client.post("/v1/complaints", json=COMPLAINT, headers=KEY)
        retry = await client.post("/v1/complaints", json=COMPLAINT, headers=KEY)
        assert first.status_code == retry.status_code == 201, retry.text
        assert retry.headers["Idempotent-Replayed"] == "true"
        a, b = first.json(), retry.json()
        assert (a["complaint_id"], a["reference"]) == (b["complaint_id"], b["reference"])
        assert a["pin"] != b["pin"]
        # The PIN of the latest answer works; the earlier one (maybe never received) does not.
        assert await status(client, b["reference"], b["pin"]) == 200
        assert await status(client, a["reference"], a["pin"]) == 404

    assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 1
    received = await platform.scalar(
        "complaints",
        "SELECT count(*) FROM outbox WHERE event_type = 'jisr.complaint.received.v1'",
    )
    assert received == 1
    stored = await platform.sql("complaints", "SELECT response::text AS r FROM idempotency_keys")
    assert len(stored) == 1 and "pin" not in json.loads(stored[0]["r"])
    assert a["pin"] not in stored[0]["r"] and b["pin"] not in stored[0]["r"]


async def test_the_same_key_for_a_different_complaint_is_refused(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        assert (await client.post("/v1/complaints", json=COMPLAINT, headers=KEY)).status_code == 201
        other = COMPLAINT | {"narrative": "A different complaint entirely, about a checkpoint."}
        response = await client.post("/v1/complaints", json=other, headers=KEY)
        assert response.status_code == 422
        assert "different request" in response.json()["detail"][0]["msg"]
    assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 1


async def test_keys_are_per_caller(platform):
    """A station counter and the public may pick the same key without meeting each other."""
    await platform.migrate("complaints")
    counter = staff(platform, "station_officer", station="MA-01-S1") | KEY
    async with complaints_service(platform) as client:
        public = await client.post("/v1/complaints", json=COMPLAINT, headers=KEY)
        at_counter = await client.post("/v1/complaints", json=COMPLAINT, headers=counter)
        assert public.status_code == at_counter.status_code == 201
        assert public.json()["complaint_id"] != at_counter.json()["complaint_id"]
        assert "Idempotent-Replayed" not in at_counter.headers
