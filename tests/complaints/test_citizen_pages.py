"""The citizens' pages over HTTP (no browser): CSRF refusals, nothing cached, no PIN in any URL,
the reference and PIN shown once, a form sent twice filing once, the JSON intake's public rate
limit shared, field errors in Arabic, and a review waived by the complainant."""

from __future__ import annotations

import re
from dataclasses import replace

from libs.chassis.rate_limit import RateLimit
from tests.complaints.support import FAST, complaints_service, file, move, staff

FORM = {
    "narrative": "Pushed to the ground at the checkpoint; my phone was taken.",
    "station_id": "AM-01-S1",
    "a0_category": "use_of_force",
    "a0_against": "officer",
    "language": "ar",
}


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


async def form_page(client, path: str = "/citizen/file") -> tuple[str, dict[str, str]]:
    page = await client.get(path)
    assert page.status_code == 200
    fields = {"csrf": hidden(page.text, "csrf")}
    if path == "/citizen/file":
        fields["submission"] = hidden(page.text, "submission")
    return page.text, fields


async def test_forms_are_protected_and_never_cached(platform):
    await platform.migrate("complaints")
    async with complaints_service(platform) as client:
        page = await client.get("/citizen/file?lang=ar")
        assert page.headers["cache-control"] == "no-store"
        assert "script-src" not in page.headers["content-security-policy"]  # none allowed
        assert "<script" not in page.text
        assert '<html lang="ar" dir="rtl">' in page.text
        assert '<label for="narrative">' in page.text and "<legend>" in page.text
        assert "jisr_csrf" in page.headers["set-cookie"]
        token = hidden(page.text, "csrf")

        # A form without the token, with another token, or posted from another site: refused.
        for data, headers in [
            (FORM, {}),
            (FORM | {"csrf": "x" * 43}, {}),
            (FORM | {"csrf": token}, {"Origin": "https://evil.example"}),
        ]:
            refused = await client.post("/citizen/file", data=data, headers=headers)
            assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 0

        # Errors in Arabic, each naming its field and linked to it.
        _, fields = await form_page(client)
        bad = await client.post(
            "/citizen/file", data=FORM | fields | {"narrative": "short", "phone": "call me"}
        )
        assert bad.status_code == 422
        assert "صف ما حدث: قصير جدًا" in bad.text
        assert "الهاتف: صيغته غير صحيحة" in bad.text
        assert 'aria-describedby="phone-error" aria-invalid="true"' in bad.text
        assert 'href="#phone"' in bad.text
        assert "call me" in bad.text  # what they typed stays in the field, on their own page


async def test_filed_once_shown_once_tracked_and_waived(platform):
    await platform.migrate("complaints")
    officer = staff(platform, "complaints_officer")
    async with complaints_service(platform) as client:
        _, fields = await form_page(client)
        sent = await client.post("/citizen/file", data=FORM | fields)
        assert sent.status_code == 303 and sent.headers["location"] == "/citizen/filed"
        assert sent.headers["cache-control"] == "no-store"
        shown = await client.get("/citizen/filed")
        assert shown.headers["cache-control"] == "no-store"
        reference = re.search(r'id="reference" class="code">([^<]+)<', shown.text).group(1)
        first_pin = re.search(r'id="pin" class="code">(\d{8})<', shown.text).group(1)
        again = await client.get("/citizen/filed")
        assert first_pin not in again.text and 'id="already-shown"' in again.text

        # The same form sent again (a double tap): the same complaint, a fresh PIN.
        resent = await client.post("/citizen/file", data=FORM | fields)
        assert resent.status_code == 303
        shown = await client.get("/citizen/filed")
        pin = re.search(r'id="pin" class="code">(\d{8})<', shown.text).group(1)
        assert pin != first_pin
        assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 1
        row = await platform.sql(
            "complaints", "SELECT complaint_id, channel, anonymous FROM complaints"
        )
        assert (row[0]["channel"], row[0]["anonymous"]) == ("web", True)
        cid = row[0]["complaint_id"]

        _, track = await form_page(client, "/citizen/track")
        wrong = await client.post(
            "/citizen/track", data=track | {"reference": reference, "pin": first_pin}
        )
        assert wrong.status_code == 422 and "لا توجد شكوى" in wrong.text
        opened = await client.post(
            "/citizen/track", data=track | {"reference": reference, "pin": pin}
        )
        assert opened.status_code == 303 and opened.headers["location"] == "/citizen/status"
        assert pin not in opened.headers["location"] and pin not in opened.headers["set-cookie"]
        status = await client.get("/citizen/status")
        assert status.status_code == 200 and 'data-status="received"' in status.text

        for to in ("logged", "triage"):
            await move(client, cid, officer, to)
        await move(client, cid, officer, "informal_resolution", complainant_agreed=True)
        await move(client, cid, officer, "outcome")
        await move(client, cid, officer, "complainant_notified", reason="anonymous_no_contact")
        status = await client.get("/citizen/status")
        assert 'id="waive-review"' in status.text
        waived = await client.post("/citizen/waive", data={"csrf": track["csrf"]})
        assert waived.status_code == 303, waived.text
        closed = await client.get(waived.headers["location"])
        assert 'data-status="closed"' in closed.text and 'id="ask-review"' not in closed.text

        left = await client.post("/citizen/leave", data={"csrf": track["csrf"]})
        assert left.status_code == 303
        assert (await client.get("/citizen/status")).headers["location"].startswith(
            "/citizen/track")  # fmt: skip


async def test_the_page_and_the_json_intake_share_the_public_limit(platform):
    await platform.migrate("complaints")
    config = replace(FAST, intake_limit=RateLimit("intake", 2, 3600, "too many complaints"))
    async with complaints_service(platform, config) as client:
        await file(client)
        _, fields = await form_page(client)
        assert (await client.post("/citizen/file", data=FORM | fields)).status_code == 303
        _, fields = await form_page(client)
        limited = await client.post("/citizen/file", data=FORM | fields)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert "text/html" in limited.headers["content-type"]
        refused = await client.post("/v1/complaints", json={})
        assert refused.status_code in (422, 429)  # malformed JSON is refused before counting
        # Staff at a counter are not the public: not throttled by it.
        counter = staff(platform, "station_officer", station="MA-01-S1")
        assert await file(client, headers=counter)
    assert await platform.scalar("complaints", "SELECT count(*) FROM complaints") == 3
