"""Signing in to the dashboard in a real browser through a real OpenID Connect provider:
`jisr up --demo` with JISR_OIDC_* pointing at oidc-provider-mock in its own process
(tests/support/oidc.py), headless Chromium driven by Playwright. The analyst signs in on the
provider's page, lands on the page they asked for, sees their name and role, every page's chart
properties hold in both languages (tests/analytics/page_checks.py), and signs out through the
provider's end-session page; a user the provider knows but jisr grants nothing is told so."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jisr.local_stack import free_port
from tests.analytics.page_checks import check_every_page
from tests.analytics.test_dashboard_browser import ARGS, CHROMIUM, DEMO_SCALE
from tests.e2e.test_jisr_up import (
    READY_LINE,
    REPO,
    SERVICES,
    _diagnostics,
    _env,
    _kill_everything,
    _service_ports,
)
from tests.support.oidc import ANALYST, VISITOR, oidc_provider

pytestmark = pytest.mark.slow
# `jisr up --demo` on a shared, busy machine: longer than test_jisr_up's 120 s
START_TIMEOUT = 360.0


def wait_for_banner(up: subprocess.Popen, output: Path, home: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while READY_LINE not in output.read_text(errors="replace"):
        if up.poll() is not None:
            pytest.fail(f"jisr up exited with {up.returncode}\n{_diagnostics(output, home)}")
        if time.monotonic() > deadline:
            pytest.fail(f"jisr up not ready in {START_TIMEOUT:.0f}s\n{_diagnostics(output, home)}")
        time.sleep(0.5)


@pytest.fixture
def signed_in_demo(tmp_path):
    """A provider, then `jisr up --demo` set up to sign in with it; yields (analytics URL,
    provider)."""
    with oidc_provider(tmp_path) as provider:
        home, output = (tmp_path / "home").resolve(), tmp_path / "jisr-up.out"
        base, kafka = _service_ports(), free_port()
        while base <= kafka < base + len(SERVICES):
            kafka = free_port()
        env = _env() | provider.env(secret="analytics-client-secret")
        with open(output, "wb") as out:
            up = subprocess.Popen(
                [sys.executable, "-m", "jisr.cli", "up", "--demo", "--demo-scale", DEMO_SCALE,
                 "--home", str(home), "--base-port", str(base), "--kafka-port", str(kafka)],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for_banner(up, output, home)
            yield f"http://127.0.0.1:{base + SERVICES.index('analytics')}", provider
            up.send_signal(signal.SIGINT)
            assert up.wait(60) == 0
        finally:
            if up.poll() is None:
                _kill_everything(up, home)


def _sign_in_at_provider(page, user: dict) -> None:
    """On the provider's page: choose the predefined user."""
    page.click(f'button[name="sub"][value="{user["sub"]}"]')


def test_sign_in_with_the_identity_provider_in_chromium(signed_in_demo, tmp_path):
    from playwright.sync_api import sync_playwright

    demo, provider = signed_in_demo
    assert CHROMIUM.exists(), "no /usr/bin/chromium: `./dev test` installs it (apt-get)"
    shots = Path("/tmp/jisr-screens/oidc") if Path("/tmp").exists() else tmp_path / "screens"
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1400, "height": 1000}, locale="en-GB",
        )  # fmt: skip
        page = browser.new_page()
        page.goto(f"{demo}/crime")
        assert page.url.startswith(f"{demo}/login")
        assert page.inner_text("#sign-in-oidc") == "Sign in with Ministry ID (test)"
        assert page.locator("#token").count() == 0  # no token pasting with a provider
        page.click("#sign-in-oidc")
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize*")
        assert "code_challenge_method=S256" in page.url
        _sign_in_at_provider(page, ANALYST)
        page.wait_for_url(f"{demo}/crime")
        who = page.inner_text("#signed-in")
        assert "Amal Analyst" in who and "Ministry analyst" in who, who
        assert page.locator("#freshness").count() == 1
        assert "Figures as of" in page.inner_text("#freshness")
        cookie = next(c for c in browser.cookies() if c["name"] == "jisr_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)

        reports = check_every_page(page, demo, langs=("ar", "en"), screenshot_dir=shots)
        assert len({r.path for r in reports}) >= 4, [r.path for r in reports]
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
        _sign_in_at_provider(page, VISITOR)
        page.wait_for_url(f"{demo}/login/callback*")
        assert "carries no jisr role" in page.inner_text("#sign-in-error")
        browser.close()
