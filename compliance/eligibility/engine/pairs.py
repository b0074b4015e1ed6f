"""A read-only open-addressing hash table over (investor, product) pairs, probed with NumPy.

What an investor holds per product (position, appropriateness passed, disclosure acknowledged)
is sparse: a dense investor x product matrix would not fit, and ``np.searchsorted`` over the
sorted pair keys costs ~20 cache misses per order. Linear probing at a load factor <= 1/2 finds a
key in ~1.3 probes, so a batch resolves its pairs in a couple of vectorized gathers. The arrays
use the narrowest integer types the data allows: the table is bigger than the CPU cache, so
its bytes, not its arithmetic, set the speed.
"""

from __future__ import annotations

import numpy as np

# Fibonacci hashing: multiply by 2**64 / golden ratio and keep the top bits.
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def table_bits(count: int) -> int:
    """Bits of a slot number in a table for ``count`` keys: load factor at most 1/2, 8 slots at least."""
    return max(3, int(2 * count - 1).bit_length())


def home(hashes: np.ndarray, bits: int) -> np.ndarray:
    """The home slot of each uint64 hash in a table of ``2**bits`` slots."""
    return ((hashes * _MULTIPLIER) >> np.uint64(64 - bits)).astype(np.intp)


def place(homes: np.ndarray, slot_mask: int) -> np.ndarray:
    """The slot of each key in a linear-probing table of ``slot_mask + 1`` slots, given each
    key's home slot (the table must have room for all).

    All keys are inserted at once, round by round: every pending key looks at its current slot;
    of the keys that find the same free slot one wins, the others (and keys that found the slot
    taken) move one slot on. Slots only ever fill, so a lookup that probes from a key's home
    slot to the first free slot passes the key's final slot.
    """
    slots = np.array(homes, dtype=np.intp)
    taken = np.zeros(slot_mask + 1, dtype=bool)
    placed = np.zeros(slots.size, dtype=bool)
    pending = np.arange(slots.size)
    while pending.size:
        candidate_slots = slots[pending]
        free = ~taken[candidate_slots]
        won_slots, first = np.unique(candidate_slots[free], return_index=True)
        taken[won_slots] = True
        placed[pending[free][first]] = True
        pending = pending[~placed[pending]]
        slots[pending] = (slots[pending] + 1) & slot_mask
    return slots


def _narrowest(values: np.ndarray, bound: int) -> np.dtype:
    """int32 when every value and ``bound`` fit in it, else int64."""
    limit = np.iinfo(np.int32).max
    fits = bound < limit and (not values.size or (values.min() > -limit and values.max() < limit))
    return np.dtype(np.int32 if fits else np.int64)


class PairTable:
    """Maps non-negative pair keys below ``key_bound`` to (flags, position); absent keys map to
    (0, 0). Query keys may be anything in int64: negative ones (unknown references) always miss.
    """

    __slots__ = ("keys", "flags", "positions", "_empty", "_bits", "_slot_mask")

    def __init__(self, keys: np.ndarray, flags: np.ndarray, positions: np.ndarray, key_bound: int) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        if keys.size and (keys.min() < 0 or keys.max() >= key_bound):
            raise ValueError("pair keys must be in 0..key_bound-1")
        if np.unique(keys).size != keys.size:
            raise ValueError("pair keys must be unique")
        self._bits = bits = table_bits(keys.size)
        capacity = 1 << bits
        self._slot_mask = capacity - 1
        key_type = _narrowest(keys, key_bound)
        # The smallest value of the key type marks a free slot: stored keys are never negative.
        self._empty = np.iinfo(key_type).min
        self.keys = np.full(capacity, self._empty, dtype=key_type)
        self.flags = np.zeros(capacity, dtype=flags.dtype)
        self.positions = np.zeros(capacity, dtype=_narrowest(positions, 0))

        slots = place(self._home(keys), self._slot_mask)
        self.keys[slots] = keys
        self.flags[slots] = flags
        self.positions[slots] = positions
        for array in (self.keys, self.flags, self.positions):
            array.flags.writeable = False

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return home(keys.astype(np.uint64), self._bits)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flags and positions for each query key, (0, 0) where the key is absent."""
        slots = self._home(keys)
        found = self.keys[slots]
        # Most keys resolve on the first probe; only the rest walk on, in ever smaller arrays.
        pending = np.flatnonzero((found != keys) & (found != self._empty))
        while pending.size:
            probe = (slots[pending] + 1) & self._slot_mask
            slots[pending] = probe
            found = self.keys[probe]
            pending = pending[(found != keys[pending]) & (found != self._empty)]
        # Free slots hold zero flags and zero positions, which is what "absent" means.
        return self.flags[slots], self.positions[slots]
