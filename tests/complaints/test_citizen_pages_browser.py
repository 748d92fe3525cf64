"""The citizens' pages in a real browser with JavaScript turned off: Debian's Chromium driven by
Playwright against the complaints service on a real port. In Arabic and in English: a form
refused with its errors named, filed, the reference and PIN shown once, followed with them,
moved by staff through the API to its outcome, read, and a review asked for. Screenshots go
to the test's tmp_path; the Arabic pages are checked to be laid out right-to-left."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.complaints.support import move, staff

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]  # fmt: skip
INVESTIGATOR = "inv-7"
STATION = "AM-01-S1"


async def staff_decide(platform, client, anonymous: bool) -> None:
    """What staff do between filing and the review window, through the API."""
    officer = staff(platform, "complaints_officer")
    investigator = staff(platform, "investigator", subject=INVESTIGATOR)
    found = (await client.get("/v1/complaints", headers=officer)).json()
    assert len(found) == 1, "each test has a database of its own: the one complaint filed"
    cid = found[0]["complaint_id"]
    for to in ("logged", "triage", "formal_investigation"):
        await move(client, cid, officer, to)
    posting = await client.put(
        f"/v1/staff/{INVESTIGATOR}", json={"unit_code": "PSD-HQ"}, headers=staff(platform, "admin")
    )
    assert posting.status_code in (200, 201), posting.text
    assign = {"investigator": {"investigator_id": INVESTIGATOR}}
    await move(client, cid, officer, "assigned", **assign)
    await move(client, cid, investigator, "under_investigation")
    detail = (await client.get(f"/v1/complaints/{cid}", headers=investigator)).json()
    findings = [
        {"allegation_id": a["allegation_id"], "finding": "SUBSTANTIATED"}
        for a in detail["allegations"]
    ]
    await move(client, cid, investigator, "findings", findings=findings)
    await move(client, cid, officer, "outcome", reason="sanction")
    # No contact details: staff record why no message went; the page is how they are told.
    told = {"reason": "anonymous_no_contact"} if anonymous else {}
    moved = await move(client, cid, officer, "complainant_notified", **told)
    if moved["status"] != "review_window":  # the window opens by itself on notification
        await move(client, cid, officer, "review_window")


async def laid_out(page, lang: str) -> None:
    """Arabic is laid out right-to-left, English left-to-right: the computed direction, and
    the heading hugs the start edge of its column (the right one in Arabic)."""
    direction = await page.evaluate("getComputedStyle(document.body).direction")
    assert direction == ("rtl" if lang == "ar" else "ltr")
    # The heading's text, not its box (a block spans the whole column either way).
    heading = await page.evaluate(
        """() => { const r = document.createRange();
                   r.selectNodeContents(document.querySelector('h1').firstChild);
                   const b = r.getBoundingClientRect();
                   return {x: b.x, width: b.width}; }"""
    )
    column = await page.locator("main").bounding_box()
    right_gap = column["x"] + column["width"] - (heading["x"] + heading["width"])
    left_gap = heading["x"] - column["x"]
    start, end = (right_gap, left_gap) if lang == "ar" else (left_gap, right_gap)
    assert start < 40 and end >= start, (heading, column)


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_file_track_outcome_review_without_javascript(served, lang, tmp_path):
    from playwright.async_api import async_playwright

    assert CHROMIUM.exists(), "no /usr/bin/chromium: `./dev test` installs it (apt-get)"
    platform, client, url = served
    words = {
        "ar": {"narrative": "صف ما حدث", "missing": "مطلوب", "received": "استلمنا شكواك."},
        "en": {
            "narrative": "Describe what happened",
            "missing": "is required",
            "received": "We have received your complaint.",
        },
    }[lang]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = await browser.new_context(
            java_script_enabled=False,
            locale="ar-JO" if lang == "ar" else "en-GB",
            viewport={"width": 390, "height": 844},  # a phone
        )
        page = await context.new_page()
        shot = 0

        async def screenshot(name: str) -> None:
            nonlocal shot
            shot += 1
            await page.screenshot(path=tmp_path / f"{shot:02d}-{lang}-{name}.png", full_page=True)

        await page.goto(f"{url}/citizen?lang={lang}")
        html = "[document.documentElement.lang, document.documentElement.dir]"
        assert await page.evaluate(html) == [lang, "rtl" if lang == "ar" else "ltr"]
        await page.click("#go-file")

        # An empty form: refused on the page, every problem named and linked to its field.
        await page.click("#send")
        assert page.url.endswith("/citizen/file")
        summary = page.locator("#error-summary")
        assert await summary.is_visible()
        assert await summary.get_attribute("tabindex") == "-1"
        assert f"{words['narrative']}:" in await summary.inner_text()
        assert await page.get_attribute("#narrative", "aria-invalid") == "true"
        described = await page.get_attribute("#narrative", "aria-describedby")
        assert "narrative-error" in described.split()
        assert words["missing"] in await page.inner_text("#a0_category-error")
        assert await page.get_attribute('a[href="#a0_category"]', "href") == "#a0_category"
        await laid_out(page, lang)
        await screenshot("refused")

        # Filed: anonymous in Arabic, with a phone and on behalf of an organisation in English.
        await page.fill("#narrative", "Pushed to the ground at the checkpoint; my phone was taken.")
        await page.select_option("#station_id", STATION)
        await page.select_option("#a0_category", "use_of_force")
        await page.fill("#a0_officer_service_number", "PSD-4471")
        if lang == "en":
            await page.fill("#phone", "+962790000001")
            await page.click("details:has(#ob_organisation) > summary")
            await page.fill("#ob_organisation", "Mizan Law Group")
        await page.check(f"#language_{lang}")
        async with page.expect_response(lambda r: r.url.endswith("/citizen/filed")) as shown:
            await page.click("#send")
        assert (await shown.value).headers["cache-control"] == "no-store"
        reference = (await page.inner_text("#reference")).strip()
        pin = (await page.inner_text("#pin")).strip()
        assert reference.startswith("CMP-") and len(pin) == 8 and pin.isdigit()
        await screenshot("filed")
        await laid_out(page, lang)
        await page.reload()  # shown once
        assert await page.locator("#pin").count() == 0
        assert await page.locator("#already-shown").is_visible()

        # Followed with the reference and PIN: a POST, then the status page (no PIN in a URL).
        await page.goto(f"{url}/citizen/track")
        await page.fill("#reference", reference.lower())
        await page.fill("#pin", "00000000")
        await page.click("#show-status")
        assert await page.locator("#error-summary").is_visible()  # a wrong PIN
        await page.fill("#pin", pin)
        await page.click("#show-status")
        assert page.url == f"{url}/citizen/status"
        assert (await page.inner_text("#status-text")).strip() == words["received"]
        await laid_out(page, lang)
        await screenshot("received")

        await staff_decide(platform, client, anonymous=lang == "ar")
        await page.reload()
        assert await page.get_attribute("#status-text", "data-status") == "review_window"
        assert await page.locator("#findings li").count() == 1
        assert await page.locator("#outcome").is_visible()
        await screenshot("outcome")
        await page.click("#ask-review")
        assert page.url == f"{url}/citizen/status?done=review"
        assert await page.get_attribute("#status-text", "data-status") == "review_requested"
        assert await page.locator("#ask-review").count() == 0
        await screenshot("review-requested")
        await browser.close()
    assert len(list(tmp_path.glob("*.png"))) == shot
