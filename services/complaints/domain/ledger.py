"""The tamper-evident ledger: a hash chain per complaint, a Merkle-tree log over every link, and
Ed25519-signed checkpoints (tree heads). Pure functions, shared by the service (which writes it)
and `jisr ledger verify` (which checks it, offline or against the live API).

- Chain: every event of a complaint (received, status changes, findings, recommendations and
  their answers, deadline events, closure) carries `chain` = {sequence, prev_hash, hash}.
  `hash` is SHA-256 over the canonical JSON of {"type": <CloudEvents type>, "data": <the event
  with chain.hash left out>}, so over sequence and prev_hash too; prev_hash of sequence 1 is
  64 zeros. Canonical JSON: keys sorted, no spaces, UTF-8.
- Log: each link, once committed, becomes the next leaf of one national Merkle tree (RFC 9162,
  see `merkle`): leaf data = canonical {"governorate", "hash"}. The governorate lets a regional
  body check that no event of its jurisdiction hides behind a leaf served without its content.
- Checkpoint: a signed tree head, canonical JSON {"log", "tree_size", "root_hash",
  "created_at", "previous"} (previous: SHA-256 of the previous checkpoint's body).
- Status sub-chain: `complaint.status_changed` also carries its own `sequence`, `prev_hash` and
  `hash` over the status changes alone (`entry_hash`); the status page shows it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import merkle

GENESIS = "0" * 64
LOG_ID = "jisr.complaints"
STATUS_CHANGED = "jisr.complaint.status_changed.v1"
CHECKPOINT = "jisr.ledger.checkpoint_signed.v1"
#: A feed item outside the caller's jurisdiction: only its leaf (governorate and link hash).
LEAF = "jisr.ledger.leaf"
# Development only: a fixed key so every replica of a local stack signs alike.
_DEV_SEED = hashlib.sha256(b"jisr-local-development-only-ledger-key").digest()


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(data: Mapping[str, Any]) -> str:
    """The status sub-chain's hash of a status change: over everything in it except its own
    hash and the complaint chain's link (which is set after, over this)."""
    body = {k: v for k, v in data.items() if k not in ("hash", "chain")}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def link_hash(event_type: str, data: Mapping[str, Any]) -> str:
    """The hash a complaint event's chain link must carry."""
    link = {k: v for k, v in (data.get("chain") or {}).items() if k != "hash"}
    body = {"type": event_type, "data": {**data, "chain": link}}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def chained(event_type: str, data: Mapping[str, Any], sequence: int, prev: str) -> dict[str, Any]:
    """`data` with its chain link after `prev` (the complaint's head) at `sequence`."""
    draft = {**data, "chain": {"sequence": sequence, "prev_hash": prev}}
    return {**data, "chain": {**draft["chain"], "hash": link_hash(event_type, draft)}}


def leaf_data(governorate: str | None, hash_: str) -> bytes:
    return canonical({"governorate": governorate, "hash": hash_}).encode()


def leaf(governorate: str | None, hash_: str) -> merkle.Hash:
    return merkle.leaf_hash(leaf_data(governorate, hash_))


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
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


def tree_head(
    tree_size: int, root: merkle.Hash, created_at: str, previous: str | None
) -> dict[str, Any]:
    """The body a checkpoint signs."""
    return {
        "log": LOG_ID,
        "tree_size": tree_size,
        "root_hash": root.hex(),
        "created_at": created_at,
        "previous": previous,
    }


def body_digest(checkpoint: Mapping[str, Any]) -> str:
    return hashlib.sha256(checkpoint["body"].encode()).hexdigest()


@dataclass(frozen=True)
class Head:
    tree_size: int
    root: merkle.Hash
    created_at: str
    previous: str | None
    digest: str

    @classmethod
    def of(cls, checkpoint: Mapping[str, Any]) -> Head:
        body = json.loads(checkpoint["body"])
        return cls(
            int(body["tree_size"]),
            bytes.fromhex(body["root_hash"]),
            str(body.get("created_at")),
            body.get("previous"),
            body_digest(checkpoint),
        )


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    complaint_id: str | None
    sequence: int | None
    what: str

    def __str__(self) -> str:
        if self.complaint_id is None:
            return f"ledger: {self.what}"
        at = f" sequence {self.sequence}" if self.sequence is not None else ""
        return f"complaint {self.complaint_id}{at}: {self.what}"


@dataclass(frozen=True)
class Report:
    chains: int
    entries: int
    problems: tuple[Problem, ...]
    checkpoint: str  # "valid", "absent", or why it failed
    checkpoints_checked: int = 0
    notes: tuple[str, ...] = ()
    #: Signed checkpoints with a valid signature, to remember (jisr ledger verify --state).
    seen: tuple[dict[str, Any], ...] = ()
    #: complaint -> {"sequence", "hash"} of its last link, to remember when all is well.
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.checkpoint in ("valid", "absent")


def ledger_entries(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The status-changed data out of feed items or Kafka records ({"type", "data"})."""
    return [dict(e["data"]) for e in events if e.get("type") == STATUS_CHANGED]


def _later_sequences(entries: Sequence[Mapping[str, Any]], index: int, key: Any) -> set[Any]:
    return {key(e) for e in entries[index + 1 :]}


def _break(
    complaint_id: str, entries: Sequence[Mapping[str, Any]], index: int, expected: int, key: Any
) -> Problem:
    """Why the entry at `index` is not the expected `expected`-th link: deleted or reordered."""
    sequence = key(entries[index])
    if expected in _later_sequences(entries, index, key):
        what = f"out of order: it comes before sequence {expected}"
    elif isinstance(sequence, int) and sequence > expected:
        missing = (
            f"sequence {expected}"
            if sequence == expected + 1
            else f"sequences {expected}..{sequence - 1}"
        )
        what = f"{missing} missing (deleted) before it"
    else:
        what = f"out of order: found after sequence {expected - 1}"
    return Problem(complaint_id, sequence, what)


def verify_chain(complaint_id: str, entries: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """The status sub-chain of one complaint (status-changed data, in order); the first break.

    Only the first break is reported: after a deletion or a reordering, every later link is
    off too, and the first one is where the tampering is.
    """
    expected_sequence, expected_prev = 1, GENESIS
    for index, entry in enumerate(entries):
        sequence = entry.get("sequence")
        if entry_hash(entry) != entry.get("hash"):
            return [Problem(complaint_id, sequence, "altered: its content does not match its hash")]
        if sequence != expected_sequence:
            return [_break(complaint_id, entries, index, expected_sequence, _own_sequence)]
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


def _own_sequence(entry: Mapping[str, Any]) -> Any:
    return entry.get("sequence")


def _link_sequence(item: Mapping[str, Any]) -> Any:
    return (item["data"].get("chain") or {}).get("sequence")


def verify_links(complaint_id: str, items: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """One complaint's whole chain (feed items {"type", "data"}, in order); the first break."""
    expected_sequence, expected_prev = 1, GENESIS
    for index, item in enumerate(items):
        data, link = item["data"], item["data"].get("chain")
        if not isinstance(link, Mapping):
            return [Problem(complaint_id, None, f"a {item.get('type')} event outside the chain")]
        sequence = link.get("sequence")
        if link_hash(str(item.get("type")), data) != link.get("hash"):
            return [Problem(complaint_id, sequence, "altered: its content does not match its hash")]
        if sequence != expected_sequence:
            return [_break(complaint_id, items, index, expected_sequence, _link_sequence)]
        if link.get("prev_hash") != expected_prev:
            return [
                Problem(
                    complaint_id,
                    expected_sequence - 1,
                    "altered: its hash does not match the prev_hash of the entry after it",
                )
            ]
        expected_sequence, expected_prev = sequence + 1, link["hash"]
    return []


def _item_complaint(item: Mapping[str, Any]) -> str:
    return str(item.get("complaint_id") or item["data"].get("complaint_id"))


def _checkpoint_of(item: Mapping[str, Any]) -> dict[str, Any]:
    data = item["data"]
    return {"id": data.get("checkpoint_id"), "body": data["body"], "signature": data["signature"]}


@dataclass
class _Check:
    """What one verification found so far."""

    public_key: Ed25519PublicKey | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    heads: dict[int, list[tuple[Head, dict[str, Any]]]] = field(default_factory=dict)
    bad_signatures: int = 0

    def fail(self, what: str, complaint_id: str | None = None, sequence: int | None = None) -> None:
        self.problems.append(Problem(complaint_id, sequence, what))

    def admit(self, checkpoint: Mapping[str, Any], where: str) -> Head | None:
        """A checkpoint whose signature holds, remembered by size (a second, different tree of
        the same size is a fork)."""
        if self.public_key is None:
            return None
        if not checkpoint_valid(self.public_key, checkpoint):
            self.bad_signatures += 1
            self.fail(
                f"bad signature on a checkpoint ({where}): not signed by this key, or changed"
            )
            return None
        head = Head.of(checkpoint)
        same = self.heads.setdefault(head.tree_size, [])
        if all(h.digest != head.digest for h, _ in same):
            for other, _ in same:
                if other.root != head.root:
                    self.fail(
                        f"forked log: two signed trees of size {head.tree_size} with different "
                        f"roots ({other.created_at} and {head.created_at}, {where})"
                    )
            same.append((head, dict(checkpoint)))
        return head

    def ordered(self) -> list[Head]:
        return sorted((h for hs in self.heads.values() for h, _ in hs), key=lambda h: h.tree_size)


def _leaves(
    items: Sequence[Mapping[str, Any]], check: _Check, governorates: set[str] | None
) -> dict[int, merkle.Hash]:
    """leaf index -> leaf hash of every chained event and bare leaf in the feed."""
    leaves: dict[int, merkle.Hash] = {}
    last = -1
    for item in items:
        index = item.get("leaf_index")
        if index is None:
            continue
        if item.get("type") == LEAF:
            governorate, hash_ = item.get("governorate_code"), item["data"].get("hash")
            if governorates is None or governorate in governorates:
                check.fail(f"leaf {index} of {governorate} was served without its event")
        else:
            governorate = item.get("governorate_code")
            hash_ = (item["data"].get("chain") or {}).get("hash")
        if index in leaves:
            check.fail(f"leaf {index} appears twice in the feed")
            continue
        if index < last:
            check.fail(f"leaf {index} is out of order: it comes after leaf {last}")
        last = max(last, index)
        leaves[index] = leaf(governorate, str(hash_))
    return leaves


def _against_tree(leaves: dict[int, merkle.Hash], check: _Check) -> int:
    """Rebuild the tree from the feed's leaves; every signed size must give its signed root.
    Returns how many checkpoints were checked."""
    size = len(leaves)
    gaps = [i for i in range(size) if i not in leaves]
    if gaps or (leaves and max(leaves) != size - 1):
        missing = [i for i in range(max(leaves, default=-1) + 1) if i not in leaves]
        shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
        check.fail(f"{len(missing)} leaves missing from the feed (deleted events): {shown}")
        return 0
    heads = check.ordered()
    frontier, checked = merkle.Frontier(), 0
    for head in heads:
        if head.tree_size > size:
            check.fail(
                f"truncated: a checkpoint signed {head.tree_size} events ({head.created_at}), "
                f"the feed has {size}"
            )
            continue
        while frontier.size < head.tree_size:
            frontier.append(leaves[frontier.size])
        checked += 1
        if frontier.root() != head.root:
            check.fail(
                f"the feed's first {head.tree_size} events do not hash to the root signed at "
                f"{head.created_at} (events edited, rehashed, reordered or removed)"
            )
    return checked


def _previous_links(items: Sequence[Mapping[str, Any]], check: _Check) -> None:
    """Checkpoints in the feed follow each other: each names the body of the one before."""
    before: dict[str, Any] | None = None
    for item in items:
        if item.get("type") != CHECKPOINT:
            continue
        current = _checkpoint_of(item)
        if before is not None:
            previous = json.loads(current["body"]).get("previous")
            if previous != body_digest(before):
                check.fail(
                    f"checkpoint {current.get('id')} does not follow checkpoint "
                    f"{before.get('id')} (its `previous` names another): a checkpoint was "
                    "removed or replaced"
                )
        before = current


def _inclusion(
    document: Mapping[str, Any],
    chain: Sequence[Mapping[str, Any]],
    latest: Head | None,
    check: _Check,
) -> int:
    """A complainant's document: its inclusion proof of the chain's latest covered link."""
    proof = document.get("inclusion")
    if latest is None:
        return 0
    if not proof:
        if chain:
            check.notes.append("no inclusion proof: none of this chain is under the checkpoint yet")
        return 0
    index, size = proof["leaf_index"], proof["tree_size"]
    item = next((i for i in chain if i.get("leaf_index") == index), None)
    if item is None or size != latest.tree_size:
        check.fail("the inclusion proof is for another event or another tree")
        return 0
    governorate = document.get("governorate_code")
    leaf_ = leaf(governorate, str(item["data"]["chain"]["hash"]))
    path = [bytes.fromhex(p) for p in proof["path"]]
    if not merkle.verify_inclusion(index, size, leaf_, path, latest.root):
        check.fail(
            "the chain is not in the signed tree: its inclusion proof fails",
            _item_complaint(item),
            item["data"]["chain"]["sequence"],
        )
    later = [i for i in chain if (i.get("leaf_index") or 0) > index or i.get("leaf_index") is None]
    if later:
        check.notes.append(f"{len(later)} newer events are not under a signed checkpoint yet")
    return 1


def _consistency(
    document: Mapping[str, Any], latest: Head | None, check: _Check, *, feed: bool = False
) -> int:
    """Consistency proofs the document carries, from a size seen before to the latest (a feed
    is checked more strongly by rebuilding its tree; its proofs are checked if it has any)."""
    if latest is None:
        return 0
    proofs = {p["first"]: p for p in document.get("consistency") or []}
    checked = 0
    for head in check.ordered():
        if head.tree_size == latest.tree_size or (feed and head.tree_size not in proofs):
            continue
        if head.tree_size > latest.tree_size:
            check.fail(
                f"rolled back: the latest checkpoint signs {latest.tree_size} events, one seen "
                f"before signed {head.tree_size} ({head.created_at})"
            )
            continue
        proof = proofs.get(head.tree_size)
        if proof is None:
            check.notes.append(f"no consistency proof from size {head.tree_size}: not checked")
            continue
        checked += 1
        hashes = [bytes.fromhex(h) for h in proof["proof"]]
        if proof.get("second") != latest.tree_size or not merkle.verify_consistency(
            head.tree_size, latest.tree_size, head.root, latest.root, hashes
        ):
            check.fail(
                f"forked log: the checkpoint of size {latest.tree_size} is not consistent with "
                f"the one of size {head.tree_size} seen before ({head.created_at})"
            )
    return checked


def _against_seen_heads(
    chains: Mapping[str, Sequence[Mapping[str, Any]]],
    heads: Mapping[str, Mapping[str, Any]],
    only: set[str] | None,
    check: _Check,
) -> None:
    """A chain seen before must still hold its link at that sequence, with the same hash."""
    for complaint_id, seen in heads.items():
        if only is not None and complaint_id not in only:
            continue
        chain = chains.get(complaint_id)
        if chain is None:
            if only is not None:
                check.fail("missing: seen before, not in this ledger", complaint_id)
            continue
        found = next((i for i in chain if _link_sequence(i) == seen["sequence"]), None)
        if found is None:
            last = max((_link_sequence(i) or 0 for i in chain), default=0)
            check.fail(
                f"truncated: the chain had sequence {seen['sequence']} when seen before",
                complaint_id,
                last + 1,
            )
        elif found["data"]["chain"]["hash"] != seen["hash"]:
            check.fail("altered: not the link seen before", complaint_id, seen["sequence"])


def verify_document(
    document: Mapping[str, Any],
    *,
    public_key: Ed25519PublicKey | None = None,
    seen: Iterable[Mapping[str, Any]] = (),
    seen_heads: Mapping[str, Mapping[str, Any]] | None = None,
) -> Report:
    """Verify a feed dump (`jisr ledger dump`) or one complaint's ledger document.

    - every complaint's chain, in the order given (deleted, reordered, edited events);
    - a feed: the Merkle tree rebuilt from its leaves gives the root of every signed checkpoint
      in it, in `seen` (checkpoints verified before) and the latest; a complaint's document:
      the inclusion proof of its chain and the consistency proofs it carries;
    - every signature; two different trees of one size (a fork); checkpoints in the feed follow
      each other; a chain seen before (`seen_heads`) was not cut or changed.
    """
    items: list[Mapping[str, Any]] = list(document.get("items") or [])
    complaint = document.get("complaint_id")
    jurisdiction = document.get("jurisdiction")
    governorates = set(jurisdiction["governorates"]) if jurisdiction else None
    check = _Check(public_key)

    chains: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        if item.get("type") not in (CHECKPOINT, LEAF):
            chains[_item_complaint(item)].append(item)
    for complaint_id, chain in chains.items():
        check.problems += verify_links(complaint_id, chain)

    latest = None
    status = "absent"
    if document.get("checkpoint") is not None and public_key is not None:
        latest = check.admit(document["checkpoint"], "the latest")
        status = "valid" if latest is not None else "bad signature: not signed by this key"
    for item in items:
        if item.get("type") == CHECKPOINT:
            check.admit(_checkpoint_of(item), f"in the feed at {item.get('cursor')}")
    for checkpoint in seen:
        check.admit(checkpoint, "seen before")

    checked = 0
    if complaint is None:
        _previous_links(items, check)
        if public_key is not None:
            checked = _against_tree(_leaves(items, check, governorates), check)
            _consistency(document, latest, check, feed=True)
    else:
        chain = chains.get(str(complaint), [])
        checked = _inclusion(document, chain, latest, check) + _consistency(document, latest, check)
    only = {str(complaint)} if complaint is not None else None
    _against_seen_heads(chains, seen_heads or {}, only, check)

    heads = {
        cid: {
            "sequence": chain[-1]["data"]["chain"]["sequence"],
            "hash": chain[-1]["data"]["chain"]["hash"],
        }
        for cid, chain in chains.items()
        if chain and isinstance(chain[-1]["data"].get("chain"), Mapping)
    }
    return Report(
        chains=len(chains),
        entries=sum(len(c) for c in chains.values()),
        problems=tuple(check.problems),
        checkpoint=status,
        checkpoints_checked=checked,
        notes=tuple(check.notes),
        seen=tuple(c for hs in check.heads.values() for _, c in hs),
        heads=heads,
    )


def verify_feed(
    events: Iterable[Mapping[str, Any]],
    *,
    checkpoint: Mapping[str, Any] | None = None,
    public_key: Ed25519PublicKey | None = None,
) -> Report:
    """The chains of a list of feed items or Kafka records ({"type", "data"}) on their own."""
    return verify_document(
        {"items": list(events), "checkpoint": checkpoint, "complaint_id": "-"},
        public_key=public_key,
    )
