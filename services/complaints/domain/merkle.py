"""A Merkle-tree log in the style of Certificate Transparency (RFC 9162, section 2.1).

Leaves are appended, never changed; the tree over the first n leaves has one root (the "tree
head"), and two proofs connect what a verifier knows to what the log signed:

- an inclusion proof (RFC 9162 2.1.3) shows a leaf is the m-th of the tree of size n;
- a consistency proof (2.1.4) shows the tree of size m is a prefix of the tree of size n, so
  nothing signed before was removed, changed or reordered since.

Hashes: a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right); the
empty tree's root is SHA-256 of nothing. The tree of n leaves splits at k, the largest power of
two below n: left the first k leaves, right the rest.

Stored, a log keeps only its complete subtrees: node (level, index) is the root of leaves
[index * 2**level, (index + 1) * 2**level). They never change once complete, and every hash a
proof needs is made of O(log n) of them. Functions here take a `Nodes` lookup for them, so the
same code runs over the service's table (see `needed` for fetching only what a computation
reads) and over a verifier's in-memory list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Hash = bytes
#: (level, index) -> the hash of that complete subtree.
Nodes = Callable[[int, int], Hash]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_blocks(lo: int, hi: int) -> list[tuple[int, int]]:
    """[lo, hi) as complete aligned subtrees, left to right, as (level, index)."""
    blocks = []
    while lo < hi:
        level = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while (1 << level) > hi - lo:
            level -= 1
        blocks.append((level, lo >> level))
        lo += 1 << level
    return blocks


def subtree(lo: int, hi: int, nodes: Nodes) -> Hash:
    """MTH(D[lo:hi]) for a range the RFC's recursion visits (lo aligned to the left split)."""
    if hi <= lo:
        return EMPTY_ROOT
    hashes = [nodes(level, index) for level, index in complete_blocks(lo, hi)]
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def root(size: int, nodes: Nodes) -> Hash:
    return subtree(0, size, nodes)


def inclusion_path(index: int, size: int, nodes: Nodes) -> list[Hash]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1, leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")

    def path(m: int, lo: int, hi: int) -> list[Hash]:
        n = hi - lo
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, lo, lo + k), subtree(lo + k, hi, nodes)]
        return [*path(m - k, lo + k, hi), subtree(lo, lo + k, nodes)]

    return path(index, 0, size)


def consistency_proof(first: int, second: int, nodes: Nodes) -> list[Hash]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1; empty when m is 0 or m equals n."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []

    def sub(m: int, lo: int, hi: int, complete: bool) -> list[Hash]:
        n = hi - lo
        if m == n:
            return [] if complete else [subtree(lo, hi, nodes)]
        k = _split(n)
        if m <= k:
            return [*sub(m, lo, lo + k, complete), subtree(lo + k, hi, nodes)]
        return [*sub(m - k, lo + k, hi, False), subtree(lo, lo + k, nodes)]

    return sub(first, 0, second, True)


def verify_inclusion(
    index: int, size: int, leaf: Hash, path: Sequence[Hash], expected_root: Hash
) -> bool:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    first: int, second: int, first_root: Hash, second_root: Hash, proof: Sequence[Hash]
) -> bool:
    """RFC 9162 2.1.4.2 (and the trivial cases: equal sizes, an empty first tree)."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is itself a node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def needed(compute: Callable[[Nodes], object]) -> set[tuple[int, int]]:
    """Which complete subtrees `compute` reads: run it once over placeholder hashes."""
    keys: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> Hash:
        keys.add((level, index))
        return bytes(32)

    compute(record)
    return keys


def frontier_keys(size: int) -> list[tuple[int, int]]:
    """The complete subtrees along the right edge of a tree of `size`: all an append needs."""
    return complete_blocks(0, size)


@dataclass
class Frontier:
    """The right edge of a growing tree: append leaves, read the root at any size reached.

    `created` collects every complete subtree that appending completed (to store them)."""

    size: int = 0
    edge: list[tuple[int, Hash]] = field(default_factory=list)  # (level, hash), biggest first
    created: dict[tuple[int, int], Hash] = field(default_factory=dict)

    @classmethod
    def of(cls, size: int, nodes: Nodes) -> Frontier:
        return cls(size, [(level, nodes(level, index)) for level, index in frontier_keys(size)])

    def append(self, leaf: Hash) -> None:
        self.created[(0, self.size)] = leaf
        self.edge.append((0, leaf))
        self.size += 1
        while len(self.edge) >= 2 and self.edge[-1][0] == self.edge[-2][0]:
            (level, right), (_, left) = self.edge.pop(), self.edge.pop()
            merged = node_hash(left, right)
            self.edge.append((level + 1, merged))
            self.created[(level + 1, (self.size >> (level + 1)) - 1)] = merged

    def extend(self, leaves: Iterable[Hash]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> Hash:
        if not self.edge:
            return EMPTY_ROOT
        result = self.edge[-1][1]
        for _, left in reversed(self.edge[:-1]):
            result = node_hash(left, result)
        return result


def tree_nodes(leaves: Sequence[Hash]) -> Nodes:
    """A lookup over a whole in-memory list of leaf hashes (for verifiers and tests)."""
    frontier = Frontier()
    frontier.extend(leaves)
    created = frontier.created

    def lookup(level: int, index: int) -> Hash:
        return created[(level, index)]

    return lookup
