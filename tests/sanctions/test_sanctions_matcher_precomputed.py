"""What the matcher precomputes or merges for speed gives what the plain computation gives."""

from pathlib import Path

import numpy as np
import pytest

from compliance.sanctions.lists import parse_ofac, parse_un
from compliance.sanctions.matching import Matcher, normalize_name
from compliance.sanctions.matching.matcher import _KIND_CODES, FUZZY_VOTE

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"
# Listed tokens, typos of them, unlisted names, initials, and a token longer than any listed one.
QUERIES = [
    "Saddam Hussein al-Tikriti",
    "Sadam Husein Tkriti",
    "K Jong Un",
    "Erspcan Trading LLC",
    "Mohammed Ali Hassan",
    "Amal Kamal",
    "National Bank of Cuba S.A.",
    "Banco Nacional de Cuba",
    "Abdulrahman Ibn Abdullah",
    "Jonathan Smithersonington-Featherstonehaughbottomley",
    "Najjar Nayyar",
    "ыоуссеф бен абдул",
    "Haji Abdul Basir and Zar Jameel Hawala",
]


@pytest.fixture(scope="module")
def matcher():
    ofac = parse_ofac(DATA / "sdn.csv", DATA / "alt.csv", DATA / "add.csv")
    un = parse_un(DATA / "UN_consolidated.xml")
    return Matcher.build(ofac.entries + un.entries)


def reference_token_votes(matcher, token):
    """The token's voted names and votes the way they were merged before the plain-Python
    merge: postings concatenated, sorted by name then vote, the first (best) kept."""
    info = matcher._build_token_info(token)
    token_id = matcher._vocab_ids.get(token)
    ids = sorted(matcher._similar_tokens(token))
    postings = [matcher._postings[i] for i in ids]
    if not postings:
        return np.empty(0, dtype=np.int32), np.empty(0)
    rows = np.concatenate(postings)
    weights = [info.weight if i == token_id else FUZZY_VOTE * info.weight for i in ids]
    votes = np.repeat(weights, [len(p) for p in postings])
    order = np.lexsort((-votes, rows))
    rows, votes = rows[order], votes[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], votes[first]


def query_tokens():
    return sorted({t for q in QUERIES for k in ("person", "entity") for t in normalize_name(q, k).tokens})


def test_every_listed_token_lookup_is_prepared(matcher):
    assert set(matcher._prepared) == set(matcher._vocab)


def test_prepared_and_query_time_lookups_vote_as_the_sorting_merge(matcher):
    rng = np.random.default_rng(7)
    listed = [matcher._vocab[i] for i in rng.choice(len(matcher._vocab), 1500, replace=False)]
    common = [t for t in ("mohammed", "muhammad", "ali", "trading", "company", "bin") if t in matcher._prepared]
    for token in listed + common + query_tokens():
        info = matcher._prepared.get(token) or matcher._build_token_info(token)
        rows, votes = reference_token_votes(matcher, token)
        assert np.array_equal(info.rows, rows), token
        assert np.array_equal(info.votes, votes), token
        assert info.volume == sum(len(matcher._postings[i]) for i in matcher._similar_tokens(token))


def test_similarity_table_equals_the_rules_computed(matcher, monkeypatch):
    rng = np.random.default_rng(11)
    unique = np.sort(rng.choice(len(matcher._vocab), 400, replace=False))
    one_letter = [i for i, t in enumerate(matcher._vocab) if len(t) == 1][:5]
    unique = np.unique(np.concatenate([unique, one_letter, [matcher._sentinel]]))
    tokens = tuple(t for t in query_tokens() if len(t) < matcher._similarity_table.shape[2]) + ("k", "m")
    features = [matcher._token_info(t).features for t in tokens]
    looked_up = matcher._token_similarity(tokens, features, unique)
    # A table too small for any token: every similarity is computed rule by rule.
    monkeypatch.setattr(matcher, "_similarity_table", matcher._similarity_table[:, :, :1, :1])
    computed = matcher._token_similarity(tokens, features, unique)
    assert looked_up.shape == (len(tokens), len(unique))
    assert np.array_equal(looked_up, computed)
    assert ((looked_up > 0) & (looked_up < 1)).any()


def test_both_normalizations_scored_together_as_one_by_one(matcher):
    for query in QUERIES:
        searches = {}
        for kind, code in _KIND_CODES.items():
            norm = normalize_name(query, kind)
            searches.setdefault(norm.key, (norm, []))[1].append(code)
        searches = list(searches.values())
        together = matcher._search(searches, "1970", "IR", 0.5)
        one_by_one = [hit for search in searches for hit in matcher._search([search], "1970", "IR", 0.5)]
        assert [(e, h.score, dict(h.factors)) for e, h in together] == [
            (e, h.score, dict(h.factors)) for e, h in one_by_one
        ], query
    assert any(len({normalize_name(q, k).key for k in _KIND_CODES}) > 1 for q in QUERIES)
