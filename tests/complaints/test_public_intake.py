"""Intake from every channel, the PIN-protected status page in Arabic and English, rate limits,
notifications with retries, recommendations and erasure at the end of retention."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.rate_limit import Backoff, RateLimit
from services.complaints.deadlines import emit_due
from services.complaints.domain.clocks import DEFAULT_PACK, Span
from services.complaints.domain.ledger import verify_feed
from tests.complaints.support import COMPLAINT, FAST, complaints_service, file, move, staff
from tests.support.platform import eventually

REFERENCE = re.compile(r"^CMP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
ANONYMOUS = {k: v for k, v in COMPLAINT.items() if k != "complainant"}


async def test_channels_reference_pin_and_bilingual_status(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        web = await file(client, ANONYMOUS)
        assert REFERENCE.match(web["reference"]) and re.fullmatch(r"\d{8}", web["pin"])
        ngo = await file(client, COMPLAINT | {"on_behalf": {"organisation": "Mizan Law"}})
        hotline = await file(client, headers=staff(platform, "complaints_officer"))
        counter = await file(client, headers=staff(platform, "station_officer", station="MA-01-S1"))
        channels = await platform.sql("complaints", "SELECT channel, anonymous FROM complaints")
        assert sorted((r["channel"], r["anonymous"]) for r in channels) == [
            ("hotline", False), ("ngo", False), ("station_counter", False), ("web", True)
        ]  # fmt: skip
        assert ngo and hotline and counter

        # Read out over the phone: lower case, spaces, O for 0 and I/L for 1 are forgiven.
        spoken = web["reference"].lower().replace("-", " ").replace("0", "o").replace("1", "l")
        pin = {"X-Complaint-PIN": web["pin"]}
        english = await client.get(
            f"/v1/complaints/{spoken}/status", headers=pin | {"Accept-Language": "en-GB,en;q=0.9"}
        )
        assert english.status_code == 200, english.text
        assert english.headers["Content-Language"] == "en"
        assert english.json()["status_text"] == "We have received your complaint."
        assert english.json()["next_deadline"]["clock"] == "acknowledgement"
        arabic = await client.get(
            f"/v1/complaints/{web['reference']}/status", headers=pin | {"Accept-Language": "ar-JO"}
        )
        assert arabic.json()["status_text"] == "استلمنا شكواك."
        assert arabic.json()["next_deadline"]["text"] == "الإقرار باستلام شكواك"
        assert set(arabic.json()) == {
            "reference",
            "status",
            "status_text",
            "since",
            "next_deadline",
            "ledger",
            "decision",
        }
        assert arabic.json()["decision"] is None  # nothing decided yet

        # Validation names the field and the rule.
        bad = await client.post("/v1/complaints", json=COMPLAINT | {"station_id": "XX-99"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "station_id"]
        bad = await client.post("/v1/complaints", json=COMPLAINT | {"channel": "hotline"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "channel"]


async def test_wrong_pins_and_intake_are_rate_limited(platform):
    await platform.migrate("complaints")
    config = replace(
        FAST,
        intake_limit=RateLimit("intake", 3, 3600, "too many complaints filed from this address"),
        pin_limit=Backoff("pin", free=3, base_seconds=1, max_seconds=2, message="wrong PIN"),
    )
    async with complaints_service(platform, config) as client:
        filed = await file(client)
        url = f"/v1/complaints/{filed['reference']}/status"
        for _ in range(4):
            wrong = await client.get(url, headers={"X-Complaint-PIN": "00000000"})
            assert wrong.status_code == 404
        # The fourth wrong PIN costs a delay: even the right PIN waits (and is not checked) ...
        delayed = await client.get(url, headers={"X-Complaint-PIN": filed["pin"]})
        assert delayed.status_code == 429
        assert int(delayed.headers["Retry-After"]) > 0
        assert "wrong PIN" in delayed.json()["detail"][0]["msg"]
        # ... but is never locked out: once the (capped) delay has passed it gets in.
        await asyncio.sleep(1.1)
        assert (await client.get(url, headers={"X-Complaint-PIN": filed["pin"]})).status_code == 200
        rows = await platform.sql("complaints", "SELECT failures FROM rate_backoffs")
        assert rows == []  # the right PIN cleared them
        unknown = await client.get(
            "/v1/complaints/CMP-AAAA-BBBB-CCCC/status", headers={"X-Complaint-PIN": "1"}
        )
        assert unknown.status_code == 404  # same answer as a wrong PIN

        await file(client)
        await file(client)
        refused = await client.post("/v1/complaints", json=COMPLAINT)
        assert refused.status_code == 429
        assert "too many complaints" in refused.json()["detail"][0]["msg"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 3


class FlakyChannel:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    async def send(self, to: str, text: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.sent.append(text)


async def test_notifications_in_the_complainants_language_are_retried(platform):
    await platform.migrate("complaints")
    sms = FlakyChannel(failures=2)
    config = replace(FAST, channels={"sms": sms, "email": sms}, notify_backoff_seconds=0.05)
    officer = staff(platform, "complaints_officer")
    async with complaints_service(platform, config) as client:
        filed = await file(client, COMPLAINT | {"language": "ar"})
        await move(client, filed["complaint_id"], officer, "logged")
        await eventually(lambda: _sent(platform))
        anonymous = await file(client, ANONYMOUS)
        await move(client, anonymous["complaint_id"], officer, "logged")
    row = (await platform.sql("complaints", "SELECT * FROM notifications"))[0]
    assert (row["state"], row["attempts"], row["channel"], row["about"]) == (
        "sent",
        3,
        "sms",
        "logged",
    )
    assert sms.sent == [f"شكواك {filed['reference']}: تم تسجيل شكواك والإقرار باستلامها."]
    assert await platform.scalar("complaints", "SELECT count(*) FROM notifications") == 1


async def _sent(platform) -> bool:
    return await platform.scalar("complaints", "SELECT state = 'sent' FROM notifications") is True


async def test_recommendations_must_be_answered_in_time(platform):
    await platform.migrate("complaints")
    admin = staff(platform, "admin")
    watch = staff(platform, "oversight", oversight_body="ombudsman")
    officer = staff(platform, "complaints_officer")
    async with complaints_service(platform, replace(FAST, tick_seconds=3600)) as client:
        body = {"body_id": "ombudsman", "title": "Ombudsman", "national": True}
        await client.put("/v1/oversight/bodies/ombudsman", json=body, headers=admin)
        cid = (await file(client))["complaint_id"]
        made = await client.post(
            f"/v1/complaints/{cid}/recommendations",
            json={
                "category": "reinvestigate",
                "text": "Interview the second witness.",
                "respond_within_days": 10,
            },
            headers=watch,
        )
        assert made.status_code == 201, made.text
        rid = made.json()["recommendation_id"]
        declined = await client.post(
            f"/v1/recommendations/{rid}/answer", json={"answer": "declined"}, headers=officer
        )
        assert declined.status_code == 422 and "reason" in declined.text
        unanswered = await client.get("/v1/recommendations?unanswered=true", headers=watch)
        assert [r["recommendation_id"] for r in unanswered.json()] == [rid]

    engine = make_engine(platform.settings.database_url, "complaints")
    try:
        sessions = make_session_factory(engine)
        later = datetime.now(UTC) + timedelta(days=11)
        assert await emit_due(sessions, DEFAULT_PACK, later) >= 1
    finally:
        await engine.dispose()
    breached = await platform.sql(
        "complaints", "SELECT kind FROM clock_events WHERE clock = 'recommendation_response'"
    )
    assert [r["kind"] for r in breached] == ["breached"]

    async with complaints_service(platform, replace(FAST, tick_seconds=3600)) as client:
        answer = {
            "answer": "declined",
            "reason": "disproportionate",
            "text": "Witness already heard.",
        }
        answered = await client.post(
            f"/v1/recommendations/{rid}/answer", json=answer, headers=officer
        )
        assert answered.status_code == 200
        again = await client.post(f"/v1/recommendations/{rid}/answer", json=answer, headers=officer)
        assert again.status_code == 409
        timeline = (await client.get(f"/v1/complaints/{cid}/timeline", headers=watch)).json()
        about_it = [
            e["type"].split(".")[2]
            for e in timeline["events"]
            if "recommendation_id" in e["data"]
            or e["data"].get("clock") == "recommendation_response"
        ]
        assert about_it == ["recommendation_made", "deadline_breached", "recommendation_answered"]


async def test_erasure_after_retention_keeps_the_case_and_ledger(platform):
    await platform.migrate("complaints")
    pack = replace(DEFAULT_PACK, retention=Span(seconds=0))
    officer, admin = staff(platform, "complaints_officer"), staff(platform, "admin")
    async with complaints_service(platform, replace(FAST, pack=pack)) as client:
        filed = await file(client)
        cid = filed["complaint_id"]
        early = await client.post(f"/v1/complaints/{cid}/erase", headers=admin)
        assert early.status_code == 409 and "closed" in early.json()["detail"][0]["msg"]
        for to, extra in [
            ("logged", {}),
            ("triage", {}),
            ("referred", {"reason": "court"}),
            ("closed", {}),
        ]:
            await move(client, cid, officer, to, **extra)
        assert (await client.post(f"/v1/complaints/{cid}/erase", headers=admin)).status_code == 200

        gone = await client.get(
            f"/v1/complaints/{cid}/personal-data",
            params={"purpose": "audit check"},
            headers=officer,
        )
        assert gone.status_code == 410
        case = await client.get(f"/v1/complaints/{cid}", headers=officer)
        assert case.json()["status"] == "closed" and len(case.json()["allegations"]) == 2
        ledger = (await client.get(f"/v1/complaints/{cid}/ledger", headers=officer)).json()
        moves = [i for i in ledger["items"] if i["type"].endswith("status_changed.v1")]
        assert verify_feed(ledger["items"]).ok and len(moves) == 5
        status = await client.get(
            f"/v1/complaints/{filed['reference']}/status", headers={"X-Complaint-PIN": filed["pin"]}
        )
        assert status.json()["status"] == "closed"
    assert await platform.scalar("complaints", "SELECT count(*) FROM personal_data") == 0
    assert await platform.scalar("complaints", "SELECT wrapped_key FROM subject_keys") is None
