"""`jisr ledger verify` on a feed dump catches every kind of tampering, one test each: a
deleted, reordered, edited or rehashed event, removed recommendations or deadline events,
truncation behind an older genuine checkpoint (with the state file of checkpoints seen
before), and a forked log shown to two bodies. The dump is built the way the service builds
it (chains, leaves, signed tree heads, checkpoints in the feed) so each case runs in
milliseconds through the real command."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jisr.cli import app
from services.complaints.domain import ledger, merkle

KEY = ledger.signing_key(None)
A, B = "01900000-0000-7000-8000-00000000000a", "01900000-0000-7000-8000-00000000000b"
EVENTS = [  # (complaint, governorate, type, data)
    (A, "AM", "jisr.complaint.received.v1", {"channel": "web"}),
    (A, "AM", ledger.STATUS_CHANGED, {"to_status": "logged"}),
    (B, "IR", "jisr.complaint.received.v1", {"channel": "hotline"}),
    (A, "AM", ledger.STATUS_CHANGED, {"to_status": "triage"}),
    (B, "IR", ledger.STATUS_CHANGED, {"to_status": "logged"}),
    (A, "AM", "jisr.complaint.recommendation_made.v1", {"category": "training"}),
    (A, "AM", "jisr.complaint.deadline_approaching.v1", {"clock": "progress_update"}),
    (B, "IR", "jisr.complaint.deadline_breached.v1", {"clock": "acknowledgement"}),
    (A, "AM", "jisr.complaint.recommendation_answered.v1", {"answer": "accepted"}),
    (A, "AM", ledger.STATUS_CHANGED, {"to_status": "referred"}),
    (B, "IR", ledger.STATUS_CHANGED, {"to_status": "triage"}),
    (A, "AM", "jisr.complaint.deadline_breached.v1", {"clock": "progress_update"}),
]
CHECKPOINTS_AT = (4, 9, 12)  # tree sizes the service signed, in the feed after those leaves


def _rechain(items: list[dict]) -> None:
    """Give every complaint event its link, in feed order (what the service does on emit)."""
    heads: dict[str, tuple[int, str]] = {}
    for item in items:
        if item["type"] in (ledger.CHECKPOINT, ledger.LEAF):
            continue
        sequence, prev = heads.get(item["complaint_id"], (0, ledger.GENESIS))
        item["data"] = ledger.chained(item["type"], item["data"], sequence + 1, prev)
        heads[item["complaint_id"]] = (sequence + 1, item["data"]["chain"]["hash"])


def _sign_all(items: list[dict], at: tuple[int, ...]) -> dict:
    """Insert a signed checkpoint after each size in `at`; the last one is the latest."""
    leaves = [
        ledger.leaf(i["governorate_code"], i["data"]["chain"]["hash"])
        for i in items
        if i["type"] != ledger.CHECKPOINT
    ]
    out, previous, signed, cursor = [], None, None, 0
    for item in [i for i in items if i["type"] != ledger.CHECKPOINT]:
        cursor += 1
        out.append({**item, "cursor": cursor})
        if item["leaf_index"] + 1 in at:
            size = item["leaf_index"] + 1
            root = merkle.root(size, merkle.tree_nodes(leaves))
            body = ledger.tree_head(
                size, root, f"2026-12-0{len(out) % 9}T00:00:{size:02d}", previous
            )
            signed = ledger.sign_checkpoint(KEY, body) | {"id": at.index(size) + 1}
            previous = ledger.body_digest(signed)
            cursor += 1
            out.append(
                {
                    "cursor": cursor,
                    "type": ledger.CHECKPOINT,
                    "complaint_id": None,
                    "governorate_code": None,
                    "leaf_index": None,
                    "data": {"checkpoint_id": signed["id"], **signed},
                }
            )
    items[:] = out
    return signed or {}


def honest_dump() -> dict:
    items = [
        {
            "type": kind,
            "complaint_id": complaint,
            "governorate_code": governorate,
            "leaf_index": index,
            "data": {"complaint_id": complaint, **data},
        }
        for index, (complaint, governorate, kind, data) in enumerate(EVENTS)
    ]
    _rechain(items)
    latest = _sign_all(items, CHECKPOINTS_AT)
    return {"items": items, "jurisdiction": None, "checkpoint": latest}


@pytest.fixture
def verify(tmp_path: Path):
    key = tmp_path / "ledger.pem"
    key.write_text(ledger.public_pem(KEY))

    def run(dump: dict, *extra: str) -> tuple[int, str]:
        path = tmp_path / "dump.json"
        path.write_text(json.dumps(dump))
        result = CliRunner().invoke(
            app, ["ledger", "verify", "--file", str(path), "--public-key", str(key), *extra]
        )
        return result.exit_code, result.output

    return run


def _events_of(dump: dict, complaint: str) -> list[int]:
    return [i for i, item in enumerate(dump["items"]) if item["complaint_id"] == complaint]


def test_the_honest_feed_verifies_and_the_state_remembers_it(verify, tmp_path):
    state = tmp_path / "seen.json"
    code, out = verify(honest_dump(), "--state", str(state))
    assert code == 0, out
    assert "OK: 2 complaints, 12 ledger entries" in out
    assert "checkpoints verified against the tree: 3" in out
    seen = json.loads(state.read_text())
    assert len(seen["checkpoints"]) == 3 and seen["heads"][A]["sequence"] == 8


def test_a_deleted_event_is_named(verify):
    dump = honest_dump()
    del dump["items"][_events_of(dump, A)[2]]  # A's sequence 3
    code, out = verify(dump)
    assert code == 1
    assert f"complaint {A} sequence 4: sequence 3 missing (deleted) before it" in out
    assert "leaves missing from the feed" in out


def test_reordered_events_are_named(verify):
    dump = honest_dump()
    first, second = _events_of(dump, A)[1:3]
    items = dump["items"]
    items[first], items[second] = items[second], items[first]
    code, out = verify(dump)
    assert code == 1 and f"complaint {A} sequence 3: out of order" in out, out


def test_an_edited_event_is_named(verify):
    dump = honest_dump()
    dump["items"][_events_of(dump, B)[1]]["data"]["to_status"] = "not_accepted"
    code, out = verify(dump)
    assert code == 1 and f"complaint {B} sequence 2: altered" in out, out


def test_a_rehashed_chain_does_not_match_the_signed_tree(verify):
    dump = honest_dump()
    victims = [dump["items"][i] for i in _events_of(dump, B)]
    victims[1]["data"]["to_status"] = "not_accepted"
    heads, prev = 1, victims[0]["data"]["chain"]["hash"]
    for item in victims[1:]:  # recompute every later link: the chain itself is consistent
        item["data"] = ledger.chained(item["type"], item["data"], heads + 1, prev)
        heads, prev = heads + 1, item["data"]["chain"]["hash"]
    code, out = verify(dump)
    assert code == 1, out
    assert "do not hash to the root signed" in out and f"complaint {B}" not in out


@pytest.mark.parametrize("kind", ["recommendation", "deadline"])
def test_removed_recommendations_or_deadline_events_are_caught(verify, kind):
    dump = honest_dump()
    dump["items"] = [i for i in dump["items"] if kind not in i["type"]]
    code, out = verify(dump)
    assert code == 1, out
    assert "missing (deleted) before it" in out and "leaves missing from the feed" in out


def test_truncation_behind_an_older_genuine_checkpoint_is_caught_with_the_state(verify, tmp_path):
    state = tmp_path / "seen.json"
    honest = honest_dump()
    assert verify(honest, "--state", str(state))[0] == 0
    # Cut the log back to 9 events and show the genuine checkpoint of size 9 as the latest.
    cut = copy.deepcopy(honest)
    older = next(i for i in cut["items"] if i["type"] == ledger.CHECKPOINT and i["data"]["id"] == 2)
    cut["items"] = cut["items"][: cut["items"].index(older) + 1]
    cut["checkpoint"] = {k: older["data"][k] for k in ("id", "body", "signature")}
    code, out = verify(cut)
    assert code == 0, "without the state the cut log is self-consistent: " + out
    code, out = verify(cut, "--state", str(state))
    assert code == 1, out
    assert "truncated: a checkpoint signed 12 events" in out
    assert f"complaint {A} sequence 7: truncated: the chain had sequence 8" in out


def _forged(size_signed: tuple[int, ...]) -> dict:
    """What a dishonest operator (holding the key) shows a second body: history rewritten from
    event 5 on, re-chained, re-signed."""
    dump = honest_dump()
    items = [i for i in dump["items"] if i["type"] != ledger.CHECKPOINT]
    items[5]["data"]["category"] = "no_action"  # A's recommendation, rewritten
    _rechain(items)
    for index, item in enumerate(items):
        item["leaf_index"] = index
    dump["checkpoint"] = _sign_all(items, size_signed)
    dump["items"] = items
    return dump


def test_a_fork_of_the_same_size_shown_to_two_bodies_is_caught(verify, tmp_path):
    first_body, second_body = tmp_path / "first.json", tmp_path / "second.json"
    assert verify(honest_dump(), "--state", str(first_body))[0] == 0
    forked = _forged(CHECKPOINTS_AT)
    code, out = verify(forked, "--state", str(second_body))
    assert code == 0, "alone, the forked log is self-consistent: " + out
    code, out = verify(forked, "--compare", str(first_body))
    assert code == 1 and "forked log: two signed trees of size 12 with different roots" in out


def test_a_later_tree_inconsistent_with_a_seen_checkpoint_is_caught(verify, tmp_path):
    state = tmp_path / "seen.json"
    assert verify(honest_dump(), "--state", str(state))[0] == 0
    forked = _forged(())
    extra = copy.deepcopy(forked["items"][-1]) | {"leaf_index": 12}
    forked["items"].append(extra)
    _rechain(forked["items"])
    forked["checkpoint"] = _sign_all(forked["items"], (13,))
    code, out = verify(forked, "--state", str(state))
    assert code == 1, out
    assert "the feed's first 12 events do not hash to the root signed" in out


def test_a_changed_checkpoint_fails_its_signature(verify):
    dump = honest_dump()
    dump["checkpoint"]["body"] = dump["checkpoint"]["body"].replace(
        '"tree_size":12', '"tree_size":11'
    )
    code, out = verify(dump)
    assert code == 1 and "bad signature" in out, out


def test_a_regional_body_rebuilds_the_tree_from_bare_leaves(verify):
    dump = honest_dump()
    dump["jurisdiction"] = {"governorates": ["AM"]}
    for item in dump["items"]:
        if item["governorate_code"] == "IR":
            item.update(
                type=ledger.LEAF, complaint_id=None, data={"hash": item["data"]["chain"]["hash"]}
            )
    code, out = verify(dump)
    assert code == 0 and "OK: 1 complaints" in out, out
    # An event of its own governorate served as a bare leaf is hidden from it.
    hidden = dump["items"][_events_of(dump, A)[3]]
    hidden.update(
        type=ledger.LEAF, complaint_id=None, data={"hash": hidden["data"]["chain"]["hash"]}
    )
    code, out = verify(dump)
    assert code == 1 and "of AM was served without its event" in out, out
