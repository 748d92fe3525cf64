"""The Merkle log against RFC 9162 section 2.1, computed the RFC's way (recursively, from all
leaves) as the oracle: roots, inclusion and consistency proofs and their verification, for
every size up to 40 and every pair of sizes."""

from __future__ import annotations

import hashlib

from services.complaints.domain import merkle


def _mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, leaves[:k], b), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(40)]


def test_leaf_and_node_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root(0, merkle.tree_nodes([])) == hashlib.sha256(b"").digest()


def test_roots_and_proofs_match_the_rfc_for_every_size():
    nodes = merkle.tree_nodes(LEAVES)
    frontier = merkle.Frontier()
    for n in range(1, len(LEAVES) + 1):
        frontier.append(LEAVES[n - 1])
        tree = LEAVES[:n]
        expected = _mth(tree)
        assert merkle.root(n, nodes) == expected == frontier.root()
        for m in range(n):
            path = merkle.inclusion_path(m, n, nodes)
            assert path == _path(m, tree)
            assert merkle.verify_inclusion(m, n, LEAVES[m], path, expected)
            assert not merkle.verify_inclusion(m, n, LEAVES[(m + 1) % n], path, expected) or n == 1
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, n, nodes)
            assert proof == (_subproof(m, tree, True) if m < n else [])
            assert merkle.verify_consistency(m, n, _mth(LEAVES[:m]), expected, proof)


def test_a_changed_prefix_is_not_consistent():
    nodes = merkle.tree_nodes(LEAVES)
    forged = [*LEAVES[:5], merkle.leaf_hash(b"forged"), *LEAVES[6:13]]
    for m in (6, 7, 8, 10):
        proof = merkle.consistency_proof(m, 13, nodes)
        assert not merkle.verify_consistency(m, 13, _mth(forged[:m]), _mth(LEAVES[:13]), proof)
    # A different tree of the same size, or a proof for other sizes, does not verify either.
    proof = merkle.consistency_proof(7, 13, nodes)
    assert not merkle.verify_consistency(7, 13, _mth(LEAVES[:7]), _mth(forged), proof)
    assert not merkle.verify_consistency(6, 13, _mth(LEAVES[:6]), _mth(LEAVES[:13]), proof)
    assert not merkle.verify_consistency(6, 6, _mth(LEAVES[:6]), _mth(forged[:6]), [])


def test_appending_stores_each_complete_subtree_once_and_resumes_from_the_edge():
    first = merkle.Frontier()
    first.extend(LEAVES[:11])
    stored = dict(first.created)
    resumed = merkle.Frontier.of(11, lambda level, index: stored[(level, index)])
    resumed.extend(LEAVES[11:])
    stored.update(resumed.created)
    assert resumed.root() == _mth(LEAVES)
    assert len(stored) == 2 * len(LEAVES) - bin(len(LEAVES)).count("1")
    proof_nodes = merkle.needed(lambda nodes: merkle.inclusion_path(3, 40, nodes))
    assert len(proof_nodes) <= 2 * 6 and proof_nodes <= stored.keys()
