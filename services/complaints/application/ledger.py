"""The ledger: chaining every event of a complaint as it is emitted, sequencing committed
events into the feed and the Merkle log, signing checkpoints (tree heads), and the proofs.

- `chain` runs inside every emitting transaction (application.events): under the complaint's
  row lock, each event gets the next link of its complaint's chain.
- `sequence` runs after commit, one writer at a time (an advisory lock): it gives committed
  rows the next feed positions and appends their links as leaves of the Merkle tree. Because
  positions are handed out only to rows already committed, in one sequence, a poller following
  the feed's cursor can never pass a row that commits later: it gets a later position.
- `sign_if_changed` (the scheduler, or an admin) signs the tree head, publishes it on Kafka and
  puts it in the feed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.base import EventModel
from libs.contracts.complaints import ChainLink, LedgerCheckpointSigned

from ..domain import ledger, merkle
from ..repositories import checkpoints, events
from .access import load_visible

SEQUENCE_BATCH = 5000


async def chain(
    session: AsyncSession, events_: Sequence[tuple[str, EventModel]]
) -> list[tuple[str, EventModel]]:
    """The events, each with its link in its complaint's chain, in the order given."""
    ids = [e.complaint_id for _, e in events_ if hasattr(e, "chain")]  # type: ignore[attr-defined]
    if not ids:
        return list(events_)
    heads = await events.lock_heads(session, ids)
    out: list[tuple[str, EventModel]] = []
    for governorate, event in events_:
        if not hasattr(event, "chain"):
            out.append((governorate, event))
            continue
        complaint_id = event.complaint_id  # type: ignore[attr-defined]
        sequence, prev = heads.get(complaint_id, (0, ledger.GENESIS))
        data = ledger.chained(event.ce_type(), event.model_dump(mode="json"), sequence + 1, prev)
        link = ChainLink(**data["chain"])
        heads[complaint_id] = (link.sequence, link.hash)
        out.append((governorate, event.model_copy(update={"chain": link})))
    return out


async def _lookup(session: AsyncSession, keys: set[tuple[int, int]]) -> merkle.Nodes:
    found = await checkpoints.nodes(session, keys)

    def node(level: int, index: int) -> bytes:
        return found[(level, index)]

    return node


async def sequence(session: AsyncSession, *, wait: bool = False) -> int:
    """Give committed rows their feed positions and leaves (one batch); 0 if none, or if
    another transaction is doing it (`wait` to wait for it instead)."""
    if wait:
        await checkpoints.lock_log(session)
    elif not await checkpoints.try_lock_log(session):
        return 0
    pending = await events.unsequenced(session, SEQUENCE_BATCH)
    if not pending:
        return 0
    position, size = await events.log_end(session)
    tree = merkle.Frontier.of(size, await _lookup(session, set(merkle.frontier_keys(size))))
    assigned: list[tuple[int, int, int | None]] = []
    for row in pending:
        position += 1
        leaf_index = None
        if row.chain_hash is not None:
            leaf_index = tree.size
            tree.append(ledger.leaf(row.governorate_code, row.chain_hash))
        assigned.append((row.id, position, leaf_index))
    await checkpoints.add_nodes(session, tree.created)
    await events.assign(session, assigned)
    return len(pending)


async def sequence_all(session: AsyncSession) -> None:
    while await sequence(session, wait=True) == SEQUENCE_BATCH:
        pass


async def tree_size(session: AsyncSession) -> int:
    return (await events.log_end(session))[1]


async def root(session: AsyncSession, size: int) -> bytes:
    keys = merkle.needed(lambda nodes: merkle.root(size, nodes))
    return merkle.root(size, await _lookup(session, keys))


async def sign_if_changed(
    session: AsyncSession, key: Ed25519PrivateKey, now: datetime, *, force: bool = False
) -> dict[str, Any] | None:
    """Sign the tree head if the tree grew since the last checkpoint (or `force`): stored,
    published on Kafka (jisr.complaints.status.v1) and placed in the feed."""
    await checkpoints.lock_log(session)
    await sequence_all(session)
    size = await tree_size(session)
    previous = await checkpoints.latest(session)
    if not force and (previous["tree_size"] if previous else 0) == size:
        return None  # nothing new to sign (an empty tree is not worth a checkpoint)
    head = await root(session, size)
    prior = ledger.body_digest(previous) if previous else None
    body = ledger.tree_head(size, head, now.isoformat(), prior)
    signed = ledger.sign_checkpoint(key, body)
    checkpoint_id = await checkpoints.add(session, signed, now, size, head.hex())
    event = LedgerCheckpointSigned(
        checkpoint_id=checkpoint_id,
        tree_size=size,
        root_hash=head.hex(),
        previous=prior,
        signed_at=now,
        body=signed["body"],
        signature=signed["signature"],
    )
    [envelope] = await publish(session, [event])
    await events.record_checkpoint(session, envelope)
    await sequence(session, wait=True)
    return await checkpoints.latest(session)


async def sign_now(session: AsyncSession, key: Ed25519PrivateKey, now: datetime) -> dict[str, Any]:
    signed = await sign_if_changed(session, key, now, force=True)
    assert signed is not None  # forced: always signs
    return signed


async def latest(session: AsyncSession) -> dict[str, Any]:
    found = await checkpoints.latest(session)
    if found is None:
        raise RuleViolation.not_found("no checkpoint signed yet")
    return found


async def listed(session: AsyncSession, after: int, limit: int) -> list[dict[str, Any]]:
    return await checkpoints.listed(session, after, limit)


def _hex(hashes: Sequence[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


async def _signed_size(session: AsyncSession, field: str, size: int) -> None:
    signed = await checkpoints.latest(session)
    top = signed["tree_size"] if signed else 0
    if size > top:
        raise RuleViolation(
            ("query", field), f"beyond the latest signed checkpoint (tree size {top})"
        )


async def consistency(session: AsyncSession, first: int, second: int) -> dict[str, Any]:
    """RFC 9162 consistency proof between two tree sizes up to the latest signed one."""
    if first > second:
        raise RuleViolation(("query", "first"), "first must not be larger than second")
    await _signed_size(session, "second", second)
    keys = merkle.needed(lambda nodes: merkle.consistency_proof(first, second, nodes))
    proof = merkle.consistency_proof(first, second, await _lookup(session, keys))
    return {"first": first, "second": second, "proof": _hex(proof)}


async def inclusion(session: AsyncSession, leaf_index: int, size: int) -> dict[str, Any]:
    """RFC 9162 inclusion proof of one leaf in the tree of `size` (up to the latest signed)."""
    if leaf_index >= size:
        raise RuleViolation(("query", "leaf_index"), "the leaf must be inside the tree")
    await _signed_size(session, "tree_size", size)
    return {
        "leaf_index": leaf_index,
        "tree_size": size,
        "path": await _path(session, leaf_index, size),
    }


async def _path(session: AsyncSession, leaf_index: int, size: int) -> list[str]:
    keys = merkle.needed(lambda nodes: merkle.inclusion_path(leaf_index, size, nodes))
    return _hex(merkle.inclusion_path(leaf_index, size, await _lookup(session, keys)))


async def document(
    session: AsyncSession,
    complaint_id: UUID,
    key: Ed25519PrivateKey,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """One complaint's chain, the latest signed checkpoint, the inclusion proof of the chain's
    latest event under it, and the key to check them with; nothing about other complaints
    (the proof's hashes are opaque). For a staff or oversight `principal`, if they may see the
    complaint (a complainant proved it with their PIN)."""
    if principal is not None:
        await load_visible(session, principal, complaint_id)
    await sequence(session)
    rows = await events.chain_of(session, complaint_id)
    checkpoint = await checkpoints.latest(session)
    covered = [
        r
        for r in rows
        if checkpoint and r.leaf_index is not None and r.leaf_index < checkpoint["tree_size"]
    ]
    proof = None
    if checkpoint and covered:
        last = covered[-1].leaf_index
        proof = {
            "leaf_index": last,
            "tree_size": checkpoint["tree_size"],
            "path": await _path(session, last, checkpoint["tree_size"]),
        }
    return {
        "complaint_id": complaint_id,
        "governorate_code": rows[0].governorate_code if rows else None,
        "items": [
            {"type": r.event_type, "leaf_index": r.leaf_index, "data": json.loads(r.data)}
            for r in rows
        ],
        "checkpoint": checkpoint,
        "inclusion": proof,
        "consistency": [],
        "public_key": ledger.public_pem(key),
    }


async def signed_head(session: AsyncSession, complaint_id: UUID) -> dict[str, Any] | None:
    """The complaint's latest status change under the latest signed checkpoint (its status
    sub-chain sequence and hash), for the status page; None if none is signed yet."""
    checkpoint = await checkpoints.latest(session)
    if checkpoint is None:
        return None
    covered = [
        json.loads(r.data)
        for r in await events.chain_of(session, complaint_id)
        if r.event_type == ledger.STATUS_CHANGED
        and r.leaf_index is not None
        and r.leaf_index < checkpoint["tree_size"]
    ]
    if not covered:
        return None
    return {
        "id": checkpoint["id"],
        "sequence": covered[-1]["sequence"],
        "hash": covered[-1]["hash"],
    }
