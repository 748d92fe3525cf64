"""The complainant's tracking PIN: 8 digits shown once, stored only as a scrypt hash."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

PIN_DIGITS = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


async def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, pin, salt)  # ~50 ms of CPU: off the event loop
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


async def pin_matches(pin: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    candidate = await asyncio.to_thread(_scrypt, pin, base64.b64decode(salt))
    return hmac.compare_digest(candidate, base64.b64decode(digest))
