"""The tamper-evident ledger: a hash chain per complaint and Ed25519-signed checkpoints.

Pure functions, shared by the service (which writes the chain) and `jisr ledger verify` (which
checks it, offline or against the live API).

- Entry: a `complaint.status_changed` event. Its `hash` is SHA-256 over the canonical JSON of
  the event's data without `hash` (so over `sequence` and `prev_hash` too); `prev_hash` of
  sequence 1 is 64 zeros. Canonical JSON: keys sorted, no spaces, UTF-8.
- Checkpoint: the heads of all chains (complaint, sequence, hash, governorate) at one moment,
  canonical JSON, signed with the service's Ed25519 key. A head proves that no entry at or
  below it was deleted from the end of a chain, and its governorate lets an oversight body
  with a regional jurisdiction notice a whole complaint missing from its feed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64
STATUS_CHANGED = "jisr.complaint.status_changed.v1"
# Development only: a fixed key so every replica of a local stack signs alike.
_DEV_SEED = hashlib.sha256(b"jisr-local-development-only-ledger-key").digest()


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(data: Mapping[str, Any]) -> str:
    """The hash an entry must carry: over everything in it except the hash itself."""
    body = {k: v for k, v in data.items() if k != "hash"}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


# --- keys and signatures ---------------------------------------------------------------------


def signing_key(pem: str | None) -> Ed25519PrivateKey:
    if not pem:
        return Ed25519PrivateKey.from_private_bytes(_DEV_SEED)
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("JISR_LEDGER_SIGNING_KEY must be an Ed25519 private key (PEM)")
    return key


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the ledger public key must be an Ed25519 public key (PEM)")
    return key


def sign_checkpoint(key: Ed25519PrivateKey, body: Mapping[str, Any]) -> dict[str, Any]:
    """A signed checkpoint: the canonical body text exactly as signed, and the signature."""
    text = canonical(body)
    return {"body": text, "signature": base64.b64encode(key.sign(text.encode())).decode()}


def checkpoint_valid(public_key: Ed25519PublicKey, checkpoint: Mapping[str, Any]) -> bool:
    try:
        public_key.verify(base64.b64decode(checkpoint["signature"]), checkpoint["body"].encode())
    except (InvalidSignature, ValueError, KeyError):
        return False
    return True


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    complaint_id: str
    sequence: int | None
    what: str

    def __str__(self) -> str:
        at = f" sequence {self.sequence}" if self.sequence is not None else ""
        return f"complaint {self.complaint_id}{at}: {self.what}"


@dataclass(frozen=True)
class Report:
    chains: int
    entries: int
    problems: tuple[Problem, ...]
    checkpoint: str  # "valid", "absent", or why it failed

    @property
    def ok(self) -> bool:
        return not self.problems and self.checkpoint in ("valid", "absent")


def ledger_entries(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The status-changed data out of feed items or Kafka records ({"type", "data"})."""
    return [dict(e["data"]) for e in events if e.get("type") == STATUS_CHANGED]


def later_sequences(entries: Sequence[Mapping[str, Any]], entry: Mapping[str, Any]) -> set[Any]:
    position = next(i for i, e in enumerate(entries) if e is entry)
    return {e.get("sequence") for e in entries[position + 1 :]}


def verify_chain(complaint_id: str, entries: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Check one complaint's entries in the order given; name the first thing wrong.

    Only the first break is reported: after a deletion or a reordering, every later link is
    off too, and the first one is where the tampering is.
    """
    expected_sequence, expected_prev = 1, GENESIS
    for entry in entries:
        sequence = entry.get("sequence")
        if entry_hash(entry) != entry.get("hash"):
            return [Problem(complaint_id, sequence, "altered: its content does not match its hash")]
        if sequence != expected_sequence:
            if expected_sequence in later_sequences(entries, entry):
                what = f"out of order: it comes before sequence {expected_sequence}"
            elif isinstance(sequence, int) and sequence > expected_sequence:
                missing = (
                    f"sequence {expected_sequence}"
                    if sequence == expected_sequence + 1
                    else f"sequences {expected_sequence}..{sequence - 1}"
                )
                what = f"{missing} missing (deleted) before it"
            else:
                what = f"out of order: found after sequence {expected_sequence - 1}"
            return [Problem(complaint_id, sequence, what)]
        if entry.get("prev_hash") != expected_prev:
            return [
                Problem(
                    complaint_id,
                    expected_sequence - 1,
                    "altered: its hash does not match the prev_hash of the entry after it",
                )
            ]
        expected_sequence, expected_prev = sequence + 1, entry["hash"]
    return []


def _against_heads(
    chains: Mapping[str, list[Mapping[str, Any]]],
    heads: Sequence[Mapping[str, Any]],
    governorates: set[str] | None,
    complaints: set[str] | None,
) -> list[Problem]:
    """Each signed head in scope must be present in the dump with the same hash."""
    problems = []
    for head in heads:
        complaint_id, sequence = head["complaint_id"], head["sequence"]
        if complaints is not None and complaint_id not in complaints:
            continue
        entries = chains.get(complaint_id)
        if entries is None:
            in_scope = governorates is None or head.get("governorate") in governorates
            if in_scope:
                problems.append(
                    Problem(complaint_id, None, "missing from the feed but in the checkpoint")
                )
            continue
        found = next((e for e in entries if e.get("sequence") == sequence), None)
        if found is None:
            last = max((e.get("sequence") or 0 for e in entries), default=0)
            problems.append(
                Problem(
                    complaint_id,
                    last + 1,
                    f"deleted: the signed checkpoint has the chain up to sequence {sequence}",
                )
            )
        elif found.get("hash") != head["hash"]:
            problems.append(
                Problem(complaint_id, sequence, "altered: hash differs from the signed checkpoint")
            )
    return problems


def verify_feed(
    events: Iterable[Mapping[str, Any]],
    *,
    checkpoint: Mapping[str, Any] | None = None,
    public_key: Ed25519PublicKey | None = None,
    governorates: Iterable[str] | None = None,
    complaints: Iterable[str] | None = None,
) -> Report:
    """Verify every chain in a feed (in feed order) and, if given, against a signed checkpoint.

    `governorates`: the jurisdiction the feed was filtered to (None: national), so complaints
    outside it are not reported missing; `complaints`: the dump is of these complaints only.
    """
    chains: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    entries = ledger_entries(events)
    for entry in entries:
        chains[str(entry.get("complaint_id"))].append(entry)
    problems = [p for cid, chain in chains.items() for p in verify_chain(cid, chain)]
    status = "absent"
    if checkpoint is not None:
        if public_key is None or not checkpoint_valid(public_key, checkpoint):
            status = "bad signature: the checkpoint was not signed by this key or was changed"
        else:
            status = "valid"
            heads = json.loads(checkpoint["body"])["heads"]
            scope = set(governorates) if governorates is not None else None
            flagged = {p.complaint_id for p in problems}
            only = {str(c) for c in complaints} if complaints is not None else None
            problems += [
                p
                for p in _against_heads(chains, heads, scope, only)
                if p.complaint_id not in flagged
            ]
    return Report(len(chains), len(entries), tuple(problems), status)


def checkpoint_heads(checkpoint: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chain heads a checkpoint signed."""
    heads: list[dict[str, Any]] = json.loads(checkpoint["body"])["heads"]
    return heads
