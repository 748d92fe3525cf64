"""The one `jisr up --demo` the dashboard's browser tests share (starting it costs about a
minute; a module-scoped fixture): a real OpenID Connect provider (oidc-provider-mock,
tests/support/oidc.py) in its own process, and the platform set up to sign analysts in with
it, as a ministry runs it. The
development sign-in (a pasted token) is tested over HTTP (tests/analytics/test_access.py and
the view tests); it is offered only when no provider is configured."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from jisr.local_stack import free_port
from tests.e2e.test_jisr_up import (
    REPO,
    SERVICES,
    _env,
    _kill_everything,
    _service_ports,
    _wait_for_banner,
)
from tests.support.oidc import ANALYST, Provider, oidc_provider

DEMO_SCALE = "0.02"  # ~1,600 incidents over three years: loads in seconds
# `jisr up --demo` on a shared, busy machine: longer than test_jisr_up's 120 s
START_TIMEOUT = 360.0


@dataclass(frozen=True)
class SignedInDemo:
    url: str  # analytics
    provider: Provider


@pytest.fixture(scope="module", name="signed_in_demo")
def stack_signing_in_with_a_provider(tmp_path_factory) -> Iterator[SignedInDemo]:
    """A provider, then `jisr up --demo` set up to sign in with it; Ctrl-C at the end."""
    tmp_path = tmp_path_factory.mktemp("signed-in-demo")
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
            _wait_for_banner(up, output, home, timeout=START_TIMEOUT)
            yield SignedInDemo(f"http://127.0.0.1:{base + SERVICES.index('analytics')}", provider)
            up.send_signal(signal.SIGINT)
            assert up.wait(60) == 0
        finally:
            if up.poll() is None:
                _kill_everything(up, home)


def choose_user_at_provider(page, user: dict) -> None:
    """On the provider's page: choose the predefined user."""
    page.click(f'button[name="sub"][value="{user["sub"]}"]')


def sign_in(page, demo: SignedInDemo, path: str = "/overview", user: dict = ANALYST) -> None:
    """Open `path` signed out, sign in at the provider, land on `path`."""
    page.goto(f"{demo.url}{path}")
    assert page.url.startswith(f"{demo.url}/login"), page.url  # signed out: the login page
    page.click("#sign-in-oidc")
    page.wait_for_url(f"{demo.provider.issuer}/oauth2/authorize*")
    choose_user_at_provider(page, user)
    page.wait_for_url(f"{demo.url}{path}")
