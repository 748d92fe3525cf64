"""The dashboard in a real browser: headless Chromium (Debian's, installed by ./dev) driven
by Playwright against one `jisr up --demo` signing analysts in through a real OpenID Connect
provider process (tests/analytics/browser_stack.py).

- Signing in at the provider lands on the page asked for, with the analyst's name and role;
  every page's chart properties hold in both languages (tests/analytics/page_checks.py:
  bounded height, labels inside their charts, aligned numbers, unwrapped dates, Arabic month
  names, no raw codes); signing out goes through the provider's end-session page; a user the
  provider knows but jisr grants nothing is told so.
- Charts are drawn with data, Arabic is right to left, a filter applies, screenshots are saved
  (copies in /tmp/jisr-screens/); the target line is drawn; only open alerts, paginated."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from libs.chassis.auth import mint_token
from libs.chassis.settings import Settings
from tests.analytics.browser_stack import (
    SignedInDemo,
    choose_user_at_provider,
    sign_in,
    stack_signing_in_with_a_provider,  # noqa: F401  (the fixture signed_in_demo)
)
from tests.analytics.page_checks import check_every_page
from tests.support.oidc import ANALYST, VISITOR

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path("/tmp/jisr-screens")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(playwright, tmp_path: Path):
    """Debian's Chromium, headless, with a profile of the test's own and an English locale."""
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
        viewport={"width": 1400, "height": 1000}, locale="en-GB",
    )  # fmt: skip


def charts_with_data(page) -> dict[str, int]:
    """Chart id -> how many data points Plotly drew (traces' values that are numbers: y, or x
    for horizontal bars). Charts with nothing to draw are a sentence, not a `.chart`."""
    page.wait_for_selector("body[data-charts-ready=true]", timeout=30_000)
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('div.chart')].map(el => [
            el.id,
            el.querySelector('.main-svg') && el.data
              ? el.data.reduce((n, t) => n + ((t.orientation === 'h' ? t.x : t.y) || [])
                                         .filter(v => typeof v === 'number' && v > 0).length, 0)
              : 0]))"""
    )


def surveys_projected(demo: str, token: str, timeout: float = 30.0) -> None:
    """Wait until the engagement view shows a survey share (the demo's waves projected)."""
    deadline = time.monotonic() + timeout
    while True:
        view = httpx.get(f"{demo}/v1/stats/engagement",
                         headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
        if any(row["all_share"] for row in view["tables"]["survey_by_gender"]):
            return
        assert time.monotonic() < deadline, "no survey results reached analytics"
        time.sleep(0.5)


def test_dashboard_in_chromium(signed_in_demo: SignedInDemo, tmp_path):
    from playwright.sync_api import sync_playwright

    demo = signed_in_demo.url

    assert CHROMIUM.exists(), "no /usr/bin/chromium: `./dev test` installs it (apt-get)"
    analyst = mint_token(Settings(), role="ministry_analyst")
    shots = tmp_path / "screens"
    shots.mkdir()
    with sync_playwright() as p:
        browser = chromium(p, tmp_path)
        page = browser.new_page()
        sign_in(page, signed_in_demo, "/crime")
        assert page.evaluate("document.documentElement.dir") == "ltr"
        drawn = charts_with_data(page)
        assert drawn and all(n > 0 for n in drawn.values()), drawn
        page.screenshot(path=shots / "crime-en.png", full_page=True)

        page.click("#lang-switch")
        page.wait_for_url("**lang=ar**")
        assert page.evaluate("[document.documentElement.dir, document.documentElement.lang]") == [
            "rtl", "ar"]  # fmt: skip
        assert "الجريمة" in page.inner_text("h1")
        assert "الاعتداءات والتهديدات" in page.content()  # ICCS 0201 in Arabic
        drawn = charts_with_data(page)
        assert all(n > 0 for n in drawn.values()), drawn

        page.select_option("#filter-area", "AM")
        page.select_option("#filter-category", "05")
        page.click("#apply")
        page.wait_for_url("**category=05**")
        assert page.evaluate("document.documentElement.dir") == "rtl"  # the cookie remembers
        drawn = charts_with_data(page)
        assert all(n > 0 for n in drawn.values()), drawn
        band = page.evaluate(
            "document.getElementById('chart-crime-time').data"
            ".filter(t => t.legendgroup !== 'partial').length"
        )
        assert band == 3, "observed, expected and upper limit (from incidents' baselines)"
        shown = page.get_attribute(".card[data-key=incidents]", "data-value")
        params = {"area": "AM", "category": "05"} | {
            k: page.input_value(f"input[name={k}]") for k in ("from", "to")
        }
        api = httpx.get(f"{demo}/v1/stats/crime", params=params,
                        headers={"Authorization": f"Bearer {analyst}"}).json()  # fmt: skip
        assert int(shown) == api["summary"]["incidents"] > 0
        page.screenshot(path=shots / "crime-ar-filtered.png", full_page=True)

        # The demo publishes its survey results last; analytics projects them asynchronously.
        surveys_projected(demo, analyst)
        for view in ("overview", "accountability", "engagement"):
            page.goto(f"{demo}/{view}")
            drawn = charts_with_data(page)
            assert drawn and all(n > 0 for n in drawn.values()), (view, drawn)
            page.screenshot(path=shots / f"{view}-ar.png", full_page=True)
        page.goto(f"{demo}/public/report")
        page.screenshot(path=shots / "public-report-ar.png", full_page=True)
        browser.close()
    SCREENS.mkdir(exist_ok=True)
    for name in ("crime-ar-filtered.png", "overview-ar.png", "crime-en.png"):
        shutil.copy(shots / name, SCREENS / name)


def test_targets_and_open_alerts_read_well(signed_in_demo: SignedInDemo, tmp_path):
    """What the page-by-page checks (in the sign-in test below) cannot know: the women's
    share target drawn as a line, and only the open alerts listed, a page at a time."""
    from playwright.sync_api import sync_playwright

    from tests.analytics.page_checks import check_page

    demo = signed_in_demo.url
    analyst = mint_token(Settings(), role="ministry_analyst")
    with sync_playwright() as p:
        browser = chromium(p, tmp_path)
        page = browser.new_page()
        sign_in(page, signed_in_demo)
        surveys_projected(demo, analyst)
        # the women's share chart declares the one-third target: a line, labelled
        page.goto(f"{demo}/engagement?lang=ar")
        check_page(page, "ar")
        assert page.locator("[data-chart=chart-women-by-area] .shapelayer path").count() == 1
        assert "الهدف" in page.inner_text("[data-chart=chart-women-by-area]")

        # three years of alerts: only the open ones, a page at a time, all of them in the CSV
        start = "2023-12-04"
        api = httpx.get(f"{demo}/v1/stats/crime", params={"from": start},
                        headers={"Authorization": f"Bearer {analyst}"}).json()  # fmt: skip
        alerts = api["tables"]["alerts"]
        raised = [a for a in alerts if a["status"] == "raised"]
        # The demo's alerts are raised, and most are cleared again later; whether any is still
        # open depends on the day the demo ran, so both cases are checked.
        assert len(raised) < len(alerts), f"the demo raises and clears alerts: {len(alerts)}"
        page.goto(f"{demo}/crime?from={start}&lang=en")
        m, problems = check_page(page, "en")
        assert not problems, problems
        rows = page.locator("table[data-table=alerts] tbody tr").count()
        assert rows == min(len(raised), 20)
        if raised:
            pager = page.locator("[data-pager=alerts]")
            assert pager.get_attribute("data-shown") == str(len(raised))
            assert pager.get_attribute("data-all") == str(len(alerts))
        statuses = page.eval_on_selector_all(
            "table[data-table=alerts] td[data-key=status]", "tds => tds.map(c => c.dataset.value)"
        )
        assert set(statuses) == ({"raised"} if raised else set())
        href = page.get_attribute("[data-all-rows=alerts]", "href")
        with page.expect_download() as download:
            page.click("[data-all-rows=alerts]")
        listed = download.value.path().read_text(encoding="utf-8-sig").splitlines()
        assert len(listed) == len(alerts) + 1, href  # the header and every alert
        browser.close()


def test_sign_in_with_the_identity_provider_in_chromium(signed_in_demo: SignedInDemo, tmp_path):
    from playwright.sync_api import sync_playwright

    demo, provider = signed_in_demo.url, signed_in_demo.provider
    assert CHROMIUM.exists(), "no /usr/bin/chromium: `./dev test` installs it (apt-get)"
    shots = Path("/tmp/jisr-screens/oidc") if Path("/tmp").exists() else tmp_path / "screens"
    with sync_playwright() as p:
        browser = chromium(p, tmp_path)
        page = browser.new_page()
        page.goto(f"{demo}/crime")
        assert page.url.startswith(f"{demo}/login")
        assert page.inner_text("#sign-in-oidc") == "Sign in with Ministry ID (test)"
        assert page.locator("#token").count() == 0  # no token pasting with a provider
        page.click("#sign-in-oidc")
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize*")
        assert "code_challenge_method=S256" in page.url
        choose_user_at_provider(page, ANALYST)
        page.wait_for_url(f"{demo}/crime")
        who = page.inner_text("#signed-in")
        assert "Amal Analyst" in who and "Ministry analyst" in who, who
        assert page.locator("#freshness").count() == 1
        assert "Figures as of" in page.inner_text("#freshness")
        cookie = next(c for c in browser.cookies() if c["name"] == "jisr_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)

        # every page the navigation leads to, and a station's scorecard, in both languages,
        # once the demo's survey waves are projected (so the charts have data to draw)
        surveys_projected(demo, mint_token(Settings(), role="ministry_analyst"))
        reports = check_every_page(
            page, demo, langs=("ar", "en"), screenshot_dir=shots,
            extra_paths=("/scorecard/AM-01-S1",),
        )  # fmt: skip
        paths = {r.path for r in reports}
        assert {"/overview", "/crime", "/accountability", "/engagement", "/public/report",
                "/scorecard/AM-01-S1"} <= paths, paths  # fmt: skip
        assert all(r.screenshot and r.screenshot.stat().st_size > 10_000 for r in reports)
        page.goto(f"{demo}/overview?lang=ar")
        assert "محلل في الوزارة" in page.inner_text("#signed-in")
        page.goto(f"{demo}/overview?lang=en")

        page.click("#sign-out")
        page.wait_for_url(f"{provider.issuer}/oauth2/end_session*")
        page.click("button[type=submit]")  # the provider's "End session"
        page.wait_for_url(f"{demo}/login*")
        assert not [c for c in browser.cookies() if c["name"] == "jisr_session"]
        page.goto(f"{demo}/overview")
        assert page.url.startswith(f"{demo}/login")

        page.click("#sign-in-oidc")
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize*")
        choose_user_at_provider(page, VISITOR)
        page.wait_for_url(f"{demo}/login/callback*")
        assert "carries no jisr role" in page.inner_text("#sign-in-error")
        browser.close()
