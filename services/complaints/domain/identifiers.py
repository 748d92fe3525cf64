"""How a complaint and its officers are named: the public reference and officer pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread aloud
_READ_ALOUD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference() -> str:
    """CMP-XXXX-XXXX-XXXX: 60 random bits in Crockford base32, grouped to read out."""
    bits = secrets.randbits(60)
    chars = "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(12))
    return "CMP-" + "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalise_reference(text: str) -> str:
    """What a caller typed or heard, as stored: case, spaces and O/I/L look-alikes forgiven."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_READ_ALOUD)
    raw = raw.removeprefix("CMP")
    return "CMP-" + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def officer_pseudonym(pseudonym_key: str, service_number: str) -> str:
    """A keyed hash of an officer's service number: stable, unlinkable without the key."""
    key = hashlib.sha256(b"jisr-officer-pseudonym\x00" + pseudonym_key.encode()).digest()
    normalised = service_number.strip().upper().encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:32]
