"""The accountability guarantees over HTTP: the complainant is told the findings and the
outcome (or the status page says why no message could be sent), reviews are independent and
only the complainant waives one, the review window closes with a dated 409, public intake is
limited per real client address and staff channels are not, clocks can be run as of an
instant, overdue deadlines stay shown, and erasure works in bulk."""

from __future__ import annotations

import asyncio
import json
import sys
from asyncio.subprocess import PIPE
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from libs.chassis.rate_limit import Backoff, RateLimit
from services.complaints.domain.clocks import DEFAULT_PACK, ClockRule, Span
from tests.complaints.support import COMPLAINT, FAST, complaints_service, file, move, staff
from tests.support.platform import eventually

ANONYMOUS = {k: v for k, v in COMPLAINT.items() if k != "complainant"}


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, to: str, text: str) -> None:
        self.sent.append((to, text))


async def _to_outcome(client, platform, cid, officer, reason="sanction_and_remedy"):
    admin = staff(platform, "admin")
    put = await client.put("/v1/staff/inv-7", json={"unit_code": "PSD-HQ"}, headers=admin)
    assert put.status_code == 200, put.text
    investigator = staff(platform, "investigator", subject="inv-7")
    for to in ("logged", "triage", "formal_investigation"):
        await move(client, cid, officer, to)
    await move(client, cid, officer, "assigned", investigator={"investigator_id": "inv-7"})
    await move(client, cid, investigator, "under_investigation")
    case = (await client.get(f"/v1/complaints/{cid}", headers=investigator)).json()
    findings = [
        {"allegation_id": a["allegation_id"], "finding": f}
        for a, f in zip(case["allegations"], ["SUBSTANTIATED", "NOT_SUBSTANTIATED"], strict=True)
    ]
    await move(client, cid, investigator, "findings", findings=findings)
    await move(client, cid, officer, "outcome", reason=reason)


async def test_the_complainant_is_told_findings_and_outcome_in_their_language(platform):
    await platform.migrate("complaints")
    sms = Recording()
    officer = staff(platform, "complaints_officer")
    config = replace(FAST, channels={"sms": sms, "email": sms})
    async with complaints_service(platform, config) as client:
        # With contact details, in Arabic: the message carries each finding and the outcome.
        told = await file(client, COMPLAINT | {"language": "ar"})
        await _to_outcome(client, platform, told["complaint_id"], officer)
        await move(client, told["complaint_id"], officer, "complainant_notified")

        def outcome_sent():
            return [t for _, t in sms.sent if "هذه نتيجتها" in t]

        [message] = await eventually(outcome_sent, timeout=10)
        assert "استخدام القوة: ثبتت" in message
        assert "إتلاف الممتلكات أو فقدانها: لم تثبت" in message
        assert "إجراء تأديبي وإنصاف لك" in message and "يمكنك طلب مراجعة النتيجة حتى" in message
        assert "PSD-4471" not in message and "Test Person" not in message

        # Anonymous, no contact: moving to complainant_notified needs the recorded reason ...
        anonymous = await file(client, ANONYMOUS | {"language": "en"})
        aid = anonymous["complaint_id"]
        await _to_outcome(client, platform, aid, officer, reason="learning")
        refused = await move(client, aid, officer, "complainant_notified", expect=409)
        assert refused["detail"][0]["type"] == "complainant_not_notified"
        assert "anonymous_no_contact" in refused["detail"][0]["msg"]
        await move(client, aid, officer, "complainant_notified", reason="anonymous_no_contact")
        # ... and the status page shows the findings and the outcome, and says why no message.
        page = await client.get(
            f"/v1/complaints/{anonymous['reference']}/status",
            headers={"X-Complaint-PIN": anonymous["pin"], "Accept-Language": "en"},
        )
        assert page.status_code == 200, page.text
        shown = page.json()
        assert shown["status"] == "review_window"
        assert "you gave no contact details" in shown["status_text"]
        decision = shown["decision"]
        assert [(f["category"], f["finding"]) for f in decision["findings"]] == [
            ("use_of_force", "SUBSTANTIATED"),
            ("property_damage_or_loss", "NOT_SUBSTANTIATED"),
        ]
        assert decision["outcome"]["code"] == "learning" and decision["notified"] is False
        assert decision["review"]["open"] is True
        assert "officer_pseudonym" not in page.text and "inv-7" not in page.text

        # Not accepted: the reasons are on the page, in Arabic.
        rejected = await file(client, ANONYMOUS)
        for to, extra in [
            ("logged", {}),
            ("triage", {}),
            ("not_accepted", {"reason": "out_of_time"}),
        ]:
            await move(client, rejected["complaint_id"], officer, to, **extra)
        page = await client.get(
            f"/v1/complaints/{rejected['reference']}/status",
            headers={"X-Complaint-PIN": rejected["pin"], "Accept-Language": "ar"},
        )
        assert page.json()["decision"]["reasons"]["text"] == "قُدّمت بعد مرور وقت طويل على الأحداث"


async def test_reviews_are_independent_and_the_window_closes_with_a_dated_409(platform):
    await platform.migrate("complaints")
    window = ClockRule(
        "review_window", frozenset({"complainant_notified", "review_window"}), Span(seconds=2)
    )
    rules = tuple(r for r in DEFAULT_PACK.rules if r.kind != "review_window") + (window,)
    config = replace(FAST, pack=replace(DEFAULT_PACK, rules=rules))
    officer = staff(platform, "complaints_officer")
    reviewer = staff(platform, "reviewer", subject="reviewer-1")
    async with complaints_service(platform, config) as client:
        filed = await file(client)
        cid, pin = filed["complaint_id"], {"X-Complaint-PIN": filed["pin"]}
        await _to_outcome(client, platform, cid, officer)
        moved = await move(client, cid, officer, "complainant_notified")
        assert moved["status"] == "review_window"  # opened by itself
        waived = await move(client, cid, officer, "closed", expect=403, reason="review_waived")
        assert "only the complainant can waive" in waived["detail"][0]["msg"]
        # The complainant asks, with no staff move in between.
        asked = await client.post(
            f"/v1/complaints/{filed['reference']}/review-request", headers=pin
        )
        assert asked.status_code == 200 and asked.json()["status"] == "review_requested"
        own = await move(client, cid, officer, "closed", expect=403)
        assert "review_deciders" in own["detail"][0]["msg"]
        listed = await client.get("/v1/complaints", headers=reviewer)
        assert [c["complaint_id"] for c in listed.json()] == [cid]  # what awaits review
        await move(client, cid, reviewer, "closed")  # not upheld, by the designated reviewer

        late = await file(client)
        await _to_outcome(client, platform, late["complaint_id"], officer)
        await move(client, late["complaint_id"], officer, "complainant_notified")
        await asyncio.sleep(2.1)
        for language, words in (("ar", "انتهت فترة طلب المراجعة في"), ("en", "ended on")):
            refused = await client.post(
                f"/v1/complaints/{late['reference']}/review-request",
                headers={"X-Complaint-PIN": late["pin"], "Accept-Language": language},
            )
            assert refused.status_code == 409, refused.text
            assert words in refused.json()["detail"][0]["msg"]
            assert refused.json()["detail"][0]["type"] == "review_window_closed"
        await move(client, late["complaint_id"], officer, "closed")  # elapsed: staff may close


async def test_public_filings_are_limited_per_real_address_and_staff_channels_are_not(platform):
    await platform.migrate("complaints")
    config = replace(
        FAST,
        intake_limit=RateLimit("intake", 20, 3600, "too many complaints filed from this address"),
    )
    async with complaints_service(platform, config) as direct:
        # uvicorn's own middleware, as `jisr serve` runs it with JISR_TRUSTED_PROXIES=127.0.0.1
        behind = ProxyHeadersMiddleware(direct.app, trusted_hosts="127.0.0.1")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=behind), base_url="http://test"
        ) as client:
            counter = staff(platform, "station_officer", station="MA-01-S1")
            for _ in range(40):
                await file(client, headers=counter)  # one counter, one proxy: never throttled
            citizen = {"X-Forwarded-For": "203.0.113.7"}
            for _ in range(20):
                await file(client, ANONYMOUS, headers=citizen)
            throttled = await client.post("/v1/complaints", json=ANONYMOUS, headers=citizen)
            assert throttled.status_code == 429
            assert int(throttled.headers["Retry-After"]) > 0
            # Another citizen behind the same proxy has their own bucket.
            await file(client, ANONYMOUS, headers={"X-Forwarded-For": "198.51.100.20"})
            hotline = staff(platform, "complaints_officer")
            await file(client, headers=hotline | citizen)
    assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 62


async def test_wrong_pins_delay_per_address_and_never_lock_out(platform):
    await platform.migrate("complaints")
    config = replace(FAST, pin_limit=Backoff("pin", free=2, base_seconds=30, max_seconds=60))
    async with complaints_service(platform, config) as direct:
        behind = ProxyHeadersMiddleware(direct.app, trusted_hosts="127.0.0.1")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=behind), base_url="http://test"
        ) as client:
            filed = await file(client)
            url = f"/v1/complaints/{filed['reference']}/status"
            guesser = {"X-Forwarded-For": "203.0.113.66", "X-Complaint-PIN": "00000000"}
            for _ in range(3):
                assert (await client.get(url, headers=guesser)).status_code == 404
            delayed = await client.get(url, headers=guesser)
            assert delayed.status_code == 429 and int(delayed.headers["Retry-After"]) > 20
            # The holder of the right PIN, from their own address, is not held up at all.
            holder = {"X-Forwarded-For": "198.51.100.5", "X-Complaint-PIN": filed["pin"]}
            assert (await client.get(url, headers=holder)).status_code == 200
    assert Backoff("pin", free=3, base_seconds=1, max_seconds=900).delay(20) == 900
    assert [Backoff("p", free=3).delay(n) for n in (3, 4, 5, 6)] == [0, 1, 2, 4]


async def test_clocks_run_as_of_an_instant_once_and_overdue_stays_shown(platform):
    await platform.migrate("complaints")
    admin, officer = staff(platform, "admin"), staff(platform, "complaints_officer")
    config = replace(FAST, tick_seconds=3600)  # only our passes run the clocks
    async with complaints_service(platform, config) as client:
        filed = await file(client, ANONYMOUS)
        at = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        first = await client.post("/v1/clocks/run", json={"at": at}, headers=admin)
        assert first.status_code == 200, first.text
        kinds = {(e["clock"], e["type"]) for e in first.json()["deadline_events"]}
        assert ("acknowledgement", "complaint.deadline_breached") in kinds
        again = await client.post("/v1/clocks/run", json={"at": at}, headers=admin)
        assert again.json()["deadline_events"] == []  # exactly once
        forbidden = await client.post("/v1/clocks/run", json={"at": at}, headers=officer)
        assert forbidden.status_code == 403
        naive = await client.post("/v1/clocks/run", json={"at": "2027-01-01T00:00"}, headers=admin)
        assert naive.status_code == 422
        breached = await platform.scalar(
            "complaints", "SELECT count(*) FROM clock_events WHERE kind = 'breached'"
        )
        assert breached == 1

        unknown = await client.get("/v1/complaints", params={"status": "lost"}, headers=officer)
        assert unknown.status_code == 422 and "'under_investigation'" in unknown.text

    pack = replace(
        DEFAULT_PACK,
        rules=tuple(
            replace(r, due=Span(seconds=1)) if r.kind == "acknowledgement" else r
            for r in DEFAULT_PACK.rules
        ),
    )
    async with complaints_service(platform, replace(config, pack=pack)) as client:
        await asyncio.sleep(1.1)
        page = await client.get(
            f"/v1/complaints/{filed['reference']}/status",
            headers={"X-Complaint-PIN": filed["pin"], "Accept-Language": "en"},
        )
        shown = page.json()["next_deadline"]
        assert shown["clock"] == "acknowledgement" and shown["overdue"] is True
        assert shown["text"].endswith("(overdue)")


async def test_erasure_in_bulk_by_complaints_officers(platform):
    await platform.migrate("complaints")
    pack = replace(DEFAULT_PACK, retention=Span(seconds=0))
    officer = staff(platform, "complaints_officer")
    async with complaints_service(platform, replace(FAST, pack=pack)) as client:
        closed = []
        for _ in range(3):
            cid = (await file(client))["complaint_id"]
            for to, extra in [("logged", {}), ("triage", {}), ("referred", {"reason": "court"})]:
                await move(client, cid, officer, to, **extra)
            await move(client, cid, officer, "closed")
            closed.append(cid)
        still_open = (await file(client))["complaint_id"]
        named = await client.post(
            "/v1/erasures", json={"complaint_ids": [closed[0], still_open]}, headers=officer
        )
        assert named.status_code == 200, named.text
        assert [e["complaint_id"] for e in named.json()["erased"]] == [closed[0]]
        assert named.json()["refused"][0]["complaint_id"] == still_open
        eligible = await client.post(
            "/v1/erasures", json={"eligible": True, "limit": 500}, headers=officer
        )
        assert sorted(e["complaint_id"] for e in eligible.json()["erased"]) == sorted(closed[1:])
        too_many = await client.post("/v1/erasures", json={"eligible": True, "limit": 501},
                                     headers=officer)  # fmt: skip
        assert too_many.status_code == 422
        station = staff(platform, "station_officer", station="AM-01-S1")
        assert (await client.post("/v1/erasures", json={"eligible": True},
                                  headers=station)).status_code == 403  # fmt: skip
    assert (
        await platform.scalar(
            "complaints", "SELECT count(*) FROM complaints WHERE erased_at IS NOT NULL"
        )
        == 3
    )


async def test_the_cli_runs_a_pass_as_of_an_instant(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform, replace(FAST, tick_seconds=3600)) as client:
        await file(client, ANONYMOUS)
    at = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    command = [sys.executable, "-m", "jisr.cli", "complaints", "clocks", "run", "--at", at]
    runs = []
    for _ in range(2):
        done = await asyncio.create_subprocess_exec(
            *command, "--no-notifications", env=platform.env(), stdout=PIPE, stderr=PIPE
        )
        out, err = await done.communicate()
        assert done.returncode == 0, err.decode()[-2000:]
        runs.append(json.loads(out))
    assert {e["clock"] for e in runs[0]["deadline_events"]} == {"acknowledgement"}
    assert runs[1]["deadline_events"] == []  # the same instant again adds nothing
