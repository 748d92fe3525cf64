"""What the pages keep in the browser between a form and the page after it, and the forms'
CSRF token.

- CSRF: a double-submit token. The first page sets a random `jisr_csrf` cookie (HttpOnly,
  SameSite=Strict) and every form carries the same value in a hidden field; a POST whose field
  and cookie differ, or whose Origin is another site, is refused. No JavaScript involved.
- Sealed cookies: after a POST the page redirects (POST-redirect-GET) and the next page needs
  what the POST learned — the new reference and PIN to show once, or the PIN that opened a
  complaint's status. They travel in a short-lived cookie encrypted and authenticated with
  AES-GCM under a key derived from the personal-data key, never in a URL, so no proxy log,
  history or Referer ever holds a PIN. Every replica derives the same key.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request
from fastapi.responses import Response

CSRF_COOKIE = "jisr_csrf"
CSRF_FIELD = "csrf"
FILED_COOKIE = "jisr_filed"  # the new reference and PIN, until shown once
TRACK_COOKIE = "jisr_track"  # the reference and PIN that opened a status page
FILED_SECONDS = 600
TRACK_SECONDS = 1800


def _key(personal_data_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"jisr complaints pages cookie"
    ).derive(personal_data_key.encode())


def seal(personal_data_key: str, kind: str, value: dict[str, Any], seconds: int) -> str:
    nonce = secrets.token_bytes(12)
    body = json.dumps(value | {"exp": int(time.time()) + seconds}).encode()
    sealed = AESGCM(_key(personal_data_key)).encrypt(nonce, body, kind.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(personal_data_key: str, kind: str, text: str | None) -> dict[str, Any] | None:
    """The value, or None if absent, altered, of another kind, or expired."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = AESGCM(_key(personal_data_key)).decrypt(raw[:12], raw[12:], kind.encode())
        value: dict[str, Any] = json.loads(body)
    except Exception:  # any tampering or garbage reads as "no cookie"
        return None
    return value if value.get("exp", 0) > time.time() else None


def set_cookie(
    request: Request, response: Response, name: str, value: str, seconds: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def csrf_token(request: Request) -> tuple[str, bool]:
    """The token for this browser's forms, and whether the cookie must be (re)set."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and 20 <= len(current) <= 100:
        return current, False
    return secrets.token_urlsafe(32), True


def csrf_ok(request: Request, form: dict[str, str]) -> bool:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        return False
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get(CSRF_FIELD, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), field.encode())


def new_submission() -> str:
    """The id of one rendering of the filing form (its Idempotency-Key when sent)."""
    return secrets.token_urlsafe(18)


def submission_key(value: str | None) -> str | None:
    return value if value and 16 <= len(value) <= 64 and value.isascii() else None
