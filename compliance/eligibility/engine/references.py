"""Reference text -> row, for a whole batch of references at once, probed with NumPy.

Resolving a batch's investor references one by one through a dict costs a Python call and
three or four cache misses each: the dict's slot, its entry, the stored key (the texts are
compared) and the int object it holds. On a 100,000-investor snapshot that was half of a batch
of order dicts. Here the batch's references are copied into one fixed-width text array, hashed
column by column and looked up in an open-addressing table with vectorized gathers, whose cache
misses overlap instead of following one another.

A hash only picks candidates: every hit is confirmed by comparing the text and its length, so
no reference can resolve to another investor's row, however its hash collides.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .pairs import home, place, table_bits

# Fixed, odd per-column multipliers (the seed only makes them reproducible; correctness does
# not depend on them, since every candidate is confirmed by its text).
_SEED = 0x5EED_2026


class ReferenceIndex:
    """Maps each of ``references`` (unique texts) to its position in the sequence."""

    __slots__ = ("_texts", "_lengths", "_rows", "_hashes", "_weights", "_width", "_bits", "_slot_mask")

    def __init__(self, references: Sequence[str]) -> None:
        "".join(references)  # TypeError for anything but text: NumPy would turn b"A" into "A"
        count = len(references)
        lengths = np.fromiter(map(len, references), np.int64, count)
        # At least one code point wider than the longest reference, so a query that fills the
        # width (perhaps truncated to it) is known to be no reference; and even, since two code
        # points make one uint64 column of the hash.
        width = int(lengths.max(initial=0)) + 1
        self._width = width = width + width % 2
        self._weights = np.random.default_rng(_SEED).integers(1, 2**63, width // 2 + 1, np.uint64) | np.uint64(1)
        self._texts = np.array(references, dtype=f"<U{width}")
        self._lengths = lengths
        hashes = self._hash(self._texts, lengths)
        self._bits = bits = table_bits(count)
        self._slot_mask = (1 << bits) - 1
        slots = place(home(hashes, bits), self._slot_mask)
        self._rows = np.full(1 << bits, -1, np.int32 if count < 2**31 else np.int64)
        self._rows[slots] = np.arange(count)
        self._hashes = np.zeros(1 << bits, np.uint64)
        self._hashes[slots] = hashes
        for array in (self._texts, self._lengths, self._rows, self._hashes, self._weights):
            array.flags.writeable = False

    def _hash(self, texts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        columns = texts.view(np.uint64).reshape(texts.size, self._width // 2)
        hashes = lengths.astype(np.uint64) * self._weights[-1]
        for column, weight in enumerate(self._weights[:-1]):
            hashes += columns[:, column] * weight  # wraps modulo 2**64, as meant
        return hashes

    def lookup(self, references: Sequence[str]) -> np.ndarray:
        """The row of each reference, -1 where it is not one of the index's references.

        Raises TypeError unless every reference is a str (the caller decides what other
        values mean).
        """
        count = len(references)
        joined = "".join(references)  # TypeError for anything but text
        # The array truncates texts to the width and drops trailing NULs. Without NULs, the
        # array's lengths are exact below the width; a text at the width is no reference.
        texts = np.array(references, dtype=f"<U{self._width}")
        if "\x00" in joined:
            lengths = np.fromiter(map(len, references), np.int64, count)
        else:
            lengths = np.char.str_len(texts).astype(np.int64)
        hashes = self._hash(texts, lengths)
        rows = np.full(count, -1, np.intp)
        pending = np.flatnonzero(lengths < self._width)
        slots = home(hashes[pending], self._bits)
        while pending.size:
            row = self._rows[slots]
            occupied = row >= 0
            candidates = np.flatnonzero(occupied & (self._hashes[slots] == hashes[pending]))
            found_rows = row[candidates]
            found = pending[candidates]
            same = (self._texts[found_rows] == texts[found]) & (self._lengths[found_rows] == lengths[found])
            rows[found[same]] = found_rows[same]
            # Walk on from occupied slots that did not hold the reference; a free slot ends it.
            occupied[candidates[same]] = False
            pending = pending[occupied]
            slots = (slots[occupied] + 1) & self._slot_mask
        return rows
