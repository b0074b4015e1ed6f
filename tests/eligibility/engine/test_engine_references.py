"""The batch path's reference index answers exactly what a dict of the references answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.eligibility.engine.references import ReferenceIndex

# Any code point, NUL and lone surrogates included: NumPy's text arrays drop trailing NULs,
# which must not make "INV-1\x00" find "INV-1".
texts = st.text(st.characters(codec=None, min_codepoint=0), max_size=12)


def near_misses(reference: str) -> list[str]:
    return [reference + "\x00", reference[:-1], reference + "x", "\x00" + reference, reference.upper()]


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, unique=True, max_size=40), st.lists(texts, max_size=40), st.data())
def test_a_lookup_equals_the_dict_lookup(references, strangers, data):
    index = ReferenceIndex(references)
    known = data.draw(st.lists(st.sampled_from(references), max_size=40)) if references else []
    queries = [*known, *strangers, *(miss for reference in known[:5] for miss in near_misses(reference))]
    positions = {reference: row for row, reference in enumerate(references)}
    assert index.lookup(queries).tolist() == [positions.get(query, -1) for query in queries]


def test_references_longer_than_any_known_one_are_unknown():
    index = ReferenceIndex(["INV-1", "INV-22"])
    assert index.lookup(["INV-22", "INV-222", "INV-22" + "\x00" * 40, "INV-1" * 50]).tolist() == [1, -1, -1, -1]


def test_an_empty_index_and_an_empty_batch():
    assert ReferenceIndex([]).lookup(["INV-1", ""]).tolist() == [-1, -1]
    assert ReferenceIndex(["INV-1"]).lookup([]).tolist() == []


class _Colliding(ReferenceIndex):
    """Every text hashes alike, so every look-up walks the whole cluster and compares texts."""

    __slots__ = ()

    def _hash(self, texts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        return np.zeros(texts.size, np.uint64)


def test_colliding_hashes_never_resolve_to_another_reference():
    references = [f"INV-{n}" for n in range(200)]
    index = _Colliding(references)
    queries = [*reversed(references), "INV-200", "INV-1\x00", "INV-"]
    assert index.lookup(queries).tolist() == [*reversed(range(200)), -1, -1, -1]


def test_anything_but_text_is_a_type_error():
    # The snapshot answers those through its dict, as the single-order path does.
    with pytest.raises(TypeError):
        ReferenceIndex(["INV-1"]).lookup(["INV-1", 1])


def test_an_index_holds_only_text():
    # NumPy would store b"INV-9" as "INV-9", and the text "INV-9" would then find it.
    with pytest.raises(TypeError):
        ReferenceIndex([b"INV-9", "INV-1"])


def test_a_large_index_resolves_a_shuffled_batch():
    references = [f"INV-{n:06d}" for n in range(100_000)]
    index = ReferenceIndex(references)
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(references), 50_000)
    queries = [references[row] for row in rows.tolist()] + ["INV-100000", "inv-000001"]
    assert index.lookup(queries).tolist() == [*rows.tolist(), -1, -1]
