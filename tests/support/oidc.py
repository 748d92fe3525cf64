"""A real OpenID Connect provider in its own process, for the dashboard's sign-in tests.

`oidc-provider-mock` (PyPI) is a small OIDC provider built on Authlib: discovery, JWKS, the
authorization endpoint with a page where a user is chosen, the token endpoint, userinfo and
end-session. Users are predefined with their claims: the jisr roles and scope travel in the ID
token as they would from the ministry's Keycloak (`roles`, `station_id`, `governorate`).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from jisr.local_stack import free_port

ANALYST = {
    "sub": "amal.analyst@ministry.example",
    "name": "Amal Analyst",
    "email": "amal.analyst@ministry.example",
    "roles": ["ministry_analyst", "offline_access"],
}
# Signed in at the provider, but granted nothing in jisr: the dashboard must say so.
VISITOR = {"sub": "visitor@ministry.example", "name": "Visiting User", "roles": ["offline_access"]}


@dataclass(frozen=True)
class Provider:
    issuer: str
    log: Path

    def env(self, client_id: str = "jisr-analytics", secret: str = "") -> dict[str, str]:
        """The analytics settings that point at this provider."""
        return {
            "JISR_OIDC_ISSUER": self.issuer,
            "JISR_OIDC_CLIENT_ID": client_id,
            "JISR_OIDC_CLIENT_SECRET": secret,
            "JISR_OIDC_PROVIDER_NAME": "Ministry ID (test)",
            "JISR_SESSION_SECRET": "test-session-secret-not-for-production",
        }


@contextlib.contextmanager
def oidc_provider(tmp: Path, users: tuple[dict, ...] = (ANALYST, VISITOR)) -> Iterator[Provider]:
    """Start the provider on a free port; yield once its discovery document answers."""
    port = free_port()
    log = tmp / "oidc-provider.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce"]
    for user in users:
        args += ["--user-claims", json.dumps(user)]
    with open(log, "wb") as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                    break
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OIDC provider did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield Provider(issuer, log)
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
