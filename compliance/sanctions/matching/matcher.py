"""Screening names against listed names: a blocking index and an explainable scorer.

How one query is screened:

1. The query is normalized (see ``normalize``) once per normalization rule its kinds need.
2. **Token lookup.** Each query token is looked up in the vocabulary of listed tokens: the
   token itself, every listed token one edit away (through a SymSpell-style index of
   one-deletion neighbourhoods, so "Erspcan" finds "Erpscan" without scanning), and every
   listed token with the same phonetic key (Mohammed / Muhammad, Najjar / Nayyar). Each token
   gets a weight, its rarity (IDF) among listed names: "Muhammad", "Ali", "Trading" weigh
   little, "Tikriti" a lot. A token no listed token resembles but one edit from a legal form,
   article or title ("LsD", "Hsaji") weighs little too.
3. **Blocking.** Every query token votes, with its weight, for the names holding its similar
   tokens (a common token only ranks the names rarer tokens found, unless the query has no
   rarer one), and the ``CANDIDATES`` names (``LONG_QUERY_CANDIDATES`` for queries of four
   or more tokens) with the most votes for their size are scored: a few dictionary lookups
   and one ``numpy.unique`` per query instead of a comparison with every listed name. The
   lookups of listed tokens held by several names are prepared with the index.
4. **Scoring** (0.0-1.0, vectorized over the candidates, token similarities in one rapidfuzz
   ``cdist`` call, shared by both normalization rules of a query): two tokens are as similar as
   their normalized OSA distance (Levenshtein with transpositions) says, at least
   ``ONE_EDIT_SIMILARITY`` (more for longer tokens) when one edit apart,
   ``SAME_SOUND_SIMILARITY`` when they share a phonetic key, at most
   ``KNOWN_TOKEN_EDIT_SIMILARITY`` when the query token is itself a listed name (Amal is not a
   typo of Kamal), and 0 under ``TOKEN_MIN_SIMILARITY``. Each query token takes its best listed
   token and vice versa; the weighted share explained on each side is the query and the listed
   coverage. The name score is the lower coverage, except that a dropped middle name is
   forgiven (``LENIENT_HIGH`` of the query coverage plus the rest of the listed one) when both
   names have two or more matched tokens and the listed first and last tokens are found; extra
   query tokens are never forgiven that way. Identical normalized names score 1.0.
   ``token_sort`` (rapidfuzz's token_sort_ratio) is reported for every hit as a second opinion.
5. **Secondary evidence.** A matching date of birth or country raises the score, a
   contradicting one lowers it, but an identical normalized name is never pushed below the
   threshold: an officer must see it and clear it with a rationale.

Every :class:`Hit` carries the entry, the listed name that matched (primary or alias), the
score and a ``factors`` dict that says how the score came about.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from ..lists.types import KINDS, ListEntry
from .factors import MATCH, MISMATCH, compare_birth_date, compare_country
from .normalize import HONORIFICS, NOISE_WORDS, NormalizedName, _one_edit, normalize_name, phonetic

#: Default score a hit must reach, chosen by measurement (tests/bench/bench_sanctions.py
#: --sweep). On OFAC + UN it finds 98.25% of generated variants of listed names while 0.85% of
#: realistic non-listed names hit; 0.86 finds 98.4% at 0.92%, 0.88 97.8% at 0.53%.
DEFAULT_THRESHOLD = 0.87

#: Names scored per query after blocking; the rest cannot reach the threshold in practice.
CANDIDATES = 32
#: The same for queries of four or more tokens, whose votes discriminate more and whose
#: scoring grid costs more per candidate.
LONG_QUERY_CANDIDATES = 24
#: Query tokens whose lookups are kept (the cache is emptied when full); the lookups of the
#: listed tokens held by at least PREPARED_TOKEN_NAMES names (every listed token) are prepared
#: with the index, so that only a query token no listed name holds (a typo, an unlisted name)
#: is looked up at query time.
TOKEN_CACHE_SIZE = 50_000
PREPARED_TOKEN_NAMES = 1
#: Names holding a query token's similar listed tokens above which that token does not vote
#: (unless every query token is that common).
COMMON_VOLUME = 400
#: Token similarity (normalized OSA: Levenshtein counting a transposition as one edit) under
#: which two tokens are different names: one edit in a four-letter token (0.75) is still the
#: same name, two edits in a six-letter one are not.
TOKEN_MIN_SIMILARITY = 0.75
#: Postings above which a query token's similar listed tokens, and the query's votes, are
#: merged over an array of every indexed name rather than by sorting the postings.
DENSE_VOLUME = 1000
#: Similarity given to two tokens with the same phonetic key (and lengths at most 2 apart).
SAME_SOUND_SIMILARITY = 0.88
#: Similarity of two tokens one edit apart (Kim / Kiq) when the longer has three or more
#: letters: at least this, and at least 1 - 1 / (length + ONE_EDIT_LENGTH_BONUS).
ONE_EDIT_SIMILARITY = 0.8
ONE_EDIT_LENGTH_BONUS = 1
#: Highest similarity of a query token that is itself a listed token to another listed token
#: that does not sound the same (Amal / Kamal are two names, not a typo).
KNOWN_TOKEN_EDIT_SIMILARITY = 0.75
#: Vote of a query token for a name holding a listed token only similar to it, relative to
#: its vote for an identical one.
FUZZY_VOTE = 0.8
#: Weight of a query token that is one edit from a legal form, article or title and from no
#: listed token (a mistyped "Ltd", "Al", "Haji"): about a third of the commonest names' weight.
NOISE_WEIGHT = 1.0
#: Weight of a one-letter token (an initial) relative to its rarity.
INITIAL_WEIGHT = 0.3
#: Share of the better covered side when a dropped middle name is forgiven.
LENIENT_HIGH = 0.75

DOB_MATCH_BONUS = 0.05
DOB_MISMATCH_PENALTY = 0.12
COUNTRY_MATCH_BONUS = 0.02
COUNTRY_MISMATCH_PENALTY = 0.04

_KIND_CODES = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Hit:
    """One listed entry that a screened name matched, with the reasons."""

    source: str
    ref: str
    score: float
    matched_name: str
    alias_type: str
    factors: Mapping[str, object]
    entry: ListEntry = field(repr=False, compare=False)


def _deletions(token: str) -> list[str]:
    """The token and every string one deletion away from it (a SymSpell neighbourhood): two
    tokens one substitution, insertion, deletion or adjacent swap apart share one of these."""
    if len(token) < 3:
        return [token]
    return [token] + [token[:i] + token[i + 1 :] for i in range(len(token))]


class _TokenInfo(NamedTuple):
    weight: float  # the query token's weight
    volume: int  # how many names hold a similar listed token
    rows: np.ndarray  # those names (each once)
    votes: np.ndarray  # the token's vote for each of them
    # length, whether it is a listed token (0/1), phonetic key id, first letter: compared with
    # the same features of listed tokens when scoring
    features: tuple[int, int, int, int]


_NO_ROWS = np.empty(0, dtype=np.int32)
_NO_VOTES = np.empty(0, dtype=np.float64)


def _edit_similarity(distance: np.ndarray, longest: np.ndarray) -> np.ndarray:
    """Similarity of two tokens ``distance`` edits apart, the longer one ``longest`` letters
    long: their normalized OSA similarity, but one edit is a typo of the same name, more surely
    so in a longer token; in a short one (Kim / Kiq, Ung / Un) it still counts."""
    sims = 1.0 - distance / longest
    one_edit = (distance == 1) & (longest >= 3)
    if one_edit.any():
        bonus = np.maximum(ONE_EDIT_SIMILARITY, 1.0 - 1.0 / (longest + ONE_EDIT_LENGTH_BONUS))
        np.maximum(sims, bonus, out=sims, where=one_edit)
    return sims


def _similarity_table(size: int) -> np.ndarray:
    """``table[initial, known, distance, longest]``: the similarity of a query token and a
    listed token before the same-sound rule, with the cut-off applied: what
    ``Matcher._token_similarity`` would compute pair by pair, looked up instead."""
    distance, longest = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):  # longest 0: never looked up
        plain = _edit_similarity(distance, longest)
    initial = np.maximum(plain, ONE_EDIT_SIMILARITY)
    tables = []
    for sims in (plain, initial):
        known = np.minimum(sims, KNOWN_TOKEN_EDIT_SIMILARITY, out=sims.copy(), where=distance > 0)
        tables.append([sims, known])
    table = np.asarray(tables)
    table[table < TOKEN_MIN_SIMILARITY] = 0.0
    return table


def _neighbourhood(token: str) -> list[str]:
    return [token] + [token[:i] + token[i + 1 :] for i in range(len(token))]


@lru_cache(maxsize=65536)
def _near_noise(token: str) -> bool:
    """True when ``token`` is one edit from a legal form, article or title, or sounds like a
    title (Kari / Qari, Khayi / Haji)."""
    if phonetic(token) in _TITLE_SOUNDS:
        return True
    candidates = {w for key in _neighbourhood(token) for w in _NOISE_NEIGHBOURS.get(key, ())}
    return any(_one_edit(token, word) for word in candidates)


_TITLE_SOUNDS = frozenset(k for k in map(phonetic, HONORIFICS) if len(k) >= 3)


_NOISE_NEIGHBOURS: dict[str, list[str]] = defaultdict(list)
for _word in NOISE_WORDS:
    for _key in _neighbourhood(_word):
        _NOISE_NEIGHBOURS[_key].append(_word)


class Matcher:
    """An immutable screening index over list entries. Build with :meth:`build`."""

    def __init__(self, entries: tuple[ListEntry, ...], include_weak: bool):
        self.entries = entries
        self.include_weak = include_weak
        name_entry: list[int] = []
        name_index: list[int] = []  # position of the name in entry.names
        norms: list[NormalizedName] = []
        for e_idx, entry in enumerate(entries):
            seen: set[str] = set()
            for n_idx, listed in enumerate(entry.names):
                if listed.alias_type == "weak" and not include_weak:
                    continue
                norm = normalize_name(listed.name, entry.kind)
                if not norm or norm.key in seen:
                    continue
                seen.add(norm.key)
                name_entry.append(e_idx)
                name_index.append(n_idx)
                norms.append(norm)

        self._name_entry = np.asarray(name_entry, dtype=np.int32)
        self._name_index = name_index
        self._norms = norms
        self._keys = [n.key for n in norms]
        self._kind = np.asarray([_KIND_CODES[entries[e].kind] for e in name_entry], dtype=np.int8).reshape(-1)

        # Token matrix (names x max tokens) of vocabulary ids, padded with a sentinel id that
        # scores 0 against everything, and the matching token weights.
        vocab: dict[str, int] = {}
        width = max((len(n.tokens) for n in norms), default=1)
        ids = np.full((len(norms), width), -1, dtype=np.int64)
        postings: dict[int, list[int]] = defaultdict(list)
        for row, norm in enumerate(norms):
            for col, token in enumerate(norm.tokens):
                ids[row, col] = vocab.setdefault(token, len(vocab))
            for token_id in {int(i) for i in ids[row, : len(norm.tokens)]}:
                postings[token_id].append(row)
        self._sentinel = len(vocab)
        ids[ids == -1] = self._sentinel
        self._vocab = list(vocab)
        self._vocab_ids = vocab
        total = max(len(norms), 1)
        # Rarity of each token: "muhammad", "ali", "trading" say little, "tikriti" a lot.
        df = np.asarray([len(postings[i]) for i in range(len(vocab))], dtype=np.float64)
        self._idf_unknown = math.log(1 + total)
        idf = np.log1p(total / np.maximum(df, 1))
        lengths = np.asarray([len(t) for t in self._vocab] + [1], dtype=np.int64)
        weights = np.append(idf, 0.0) * np.where(lengths == 1, INITIAL_WEIGHT, 1.0)
        self._vocab_weight = weights  # with 0 for the sentinel
        self._vocab_lengths = lengths
        self._vocab_first = np.asarray([ord(t[0]) for t in self._vocab] + [0], dtype=np.int32)
        self._postings = [np.asarray(postings[i], dtype=np.int32) for i in range(len(vocab))]
        self._token_ids = ids
        self._token_weights = weights[ids]
        self._total_weights = self._token_weights.sum(axis=1)
        self._token_counts = np.asarray([len(n.tokens) for n in norms], dtype=np.int64)

        # Fuzzy token lookup: one-edit neighbourhoods and phonetic keys -> vocabulary ids.
        neighbours: dict[str, list[int]] = defaultdict(list)
        sounds: dict[str, list[int]] = defaultdict(list)
        phonetic_ids: dict[str, int] = {}
        vocab_sound = []
        for token, token_id in vocab.items():
            for key in _deletions(token):
                neighbours[key].append(token_id)
            key = phonetic(token)
            vocab_sound.append(phonetic_ids.setdefault(key, len(phonetic_ids)) if len(key) >= 3 else -1)
            if len(key) >= 3:
                sounds[key].append(token_id)
        # Tuples of ints, unlike lists, are left alone by the garbage collector's full passes.
        self._neighbours = {k: tuple(v) for k, v in neighbours.items()}
        self._sounds = {k: tuple(v) for k, v in sounds.items()}
        self._phonetic_ids = phonetic_ids
        self._vocab_sound = np.asarray(vocab_sound + [-1], dtype=np.int64)
        # Length, phonetic key id and first letter of each listed token, one row per token, so
        # that one fancy-indexing call fetches them for the candidates' tokens.
        self._vocab_features = np.stack([self._vocab_lengths, self._vocab_sound, self._vocab_first], axis=1)
        # Token similarities by (known query token, distance, longer length) for lengths up to
        # the longest listed token's (a longer query token's are computed, see _token_similarity).
        self._similarity_table = _similarity_table(int(lengths.max()) + 1)
        self._last_column = self._token_counts - 1
        self._masks: dict[tuple[int, ...], np.ndarray] = {}
        self._token_cache: dict[str, _TokenInfo] = {}
        # The lookups of listed tokens are built with the index: queries repeat the common ones
        # (whose postings are the largest), and a variant of a listed name brings its rare ones.
        self._prepared: dict[str, _TokenInfo] = {}
        for token_id in np.flatnonzero(df >= PREPARED_TOKEN_NAMES):
            token = self._vocab[token_id]
            self._prepared[token] = self._build_token_info(token)
        # An object array lets one fancy-indexing call fetch the strings of many candidates.
        self._vocab_array = np.asarray(self._vocab + [""], dtype=object)  # "" for the sentinel

    @classmethod
    def build(cls, entries: Iterable[ListEntry], *, include_weak: bool = False) -> Matcher:
        """Index every name of ``entries``. Weak aliases (which the lists themselves call low
        quality, e.g. one-word nicknames) are left out unless ``include_weak``."""
        return cls(tuple(entries), include_weak)

    def __len__(self) -> int:
        """The number of distinct normalized names indexed."""
        return len(self._keys)

    def screen(
        self,
        name: str,
        kind: str | None = None,
        birth_date: str | None = None,
        country: str | None = None,
        threshold: float | None = None,
    ) -> list[Hit]:
        """Screen one name; return the hits at or above ``threshold``, best first.

        ``kind`` ("person", "entity", "vessel", "aircraft") restricts the entries compared;
        None compares with all. ``birth_date`` is ISO ("1960-01-12", "1960-01" or "1960");
        ``country`` an ISO alpha-2 code of nationality or residence.
        """
        if kind is not None and kind not in _KIND_CODES:
            raise ValueError(f"kind must be one of {KINDS} or None, not {kind!r}")
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        kinds = (kind,) if kind else KINDS
        # Persons and the other kinds are normalized differently (honorifics vs legal
        # forms), so the query is normalized once per rule and searched within those kinds;
        # once when both rules give the same tokens (in whatever order: "LAST, First").
        by_key: dict[str, tuple[NormalizedName, list[int]]] = {}
        for k in kinds:
            norm = normalize_name(name, k)
            by_key.setdefault(norm.key, (norm, []))[1].append(_KIND_CODES[k])

        best: dict[int, Hit] = {}
        for hit_entry, hit in self._search(list(by_key.values()), birth_date, country, threshold):
            if hit_entry not in best or hit.score > best[hit_entry].score:
                best[hit_entry] = hit
        return sorted(best.values(), key=lambda h: (-h.score, h.source, h.ref))

    def _excluded(self, kind_codes: tuple[int, ...]) -> np.ndarray:
        """Boolean mask of the names whose kind is not in ``kind_codes`` (cached per set)."""
        mask = self._masks.get(kind_codes)
        if mask is None:
            mask = self._masks[kind_codes] = ~np.isin(self._kind, kind_codes)
        return mask

    def _similar_tokens(self, token: str) -> set[int]:
        """Vocabulary ids of the listed tokens equal to, one edit from, or sounding like
        ``token``."""
        found: set[int] = set()
        for key in _deletions(token):
            found.update(self._neighbours.get(key, ()))
        key = phonetic(token)
        if len(key) >= 3:
            found.update(self._sounds.get(key, ()))
        return found

    def _token_info(self, token: str) -> _TokenInfo:
        """What a query token brings, cached per token (queries repeat common tokens)."""
        info = self._prepared.get(token) or self._token_cache.get(token)
        if info is None:
            info = self._build_token_info(token)
            if len(self._token_cache) >= TOKEN_CACHE_SIZE:
                self._token_cache.clear()
            self._token_cache[token] = info
        return info

    def _build_token_info(self, token: str) -> _TokenInfo:
        found = self._similar_tokens(token)
        token_id = self._vocab_ids.get(token)
        # The weight: the rarity of the token itself when listed, else that of the rarest
        # similar listed token, else (a token no listed name has anything like) the highest.
        if token_id is not None:
            weight = float(self._vocab_weight[token_id])
        elif _near_noise(token):
            weight = NOISE_WEIGHT
        elif found:
            weight = max(float(self._vocab_weight[i]) for i in found)
        else:
            weight = self._idf_unknown
        if len(token) == 1:
            weight *= INITIAL_WEIGHT
        fuzzy = FUZZY_VOTE * weight
        features = (len(token), int(token_id is not None), self._phonetic_ids.get(phonetic(token), -2), ord(token[0]))
        if not found:
            return _TokenInfo(weight, 0, _NO_ROWS, _NO_VOTES, features)
        if len(found) == 1:
            # One similar listed token (most often the token itself): its postings as they are.
            (only,) = found
            rows = self._postings[only]
            votes = np.full(len(rows), weight if only == token_id else fuzzy)
            return _TokenInfo(weight, len(rows), rows, votes, features)
        ids = sorted(found)
        postings = [self._postings[i] for i in ids]
        volume = sum(len(p) for p in postings)
        if volume > DENSE_VOLUME:
            # A name holding several similar tokens (Mohammed and Muhammad) gets one vote, the
            # best: the token's own weight for the names holding the token itself, else the
            # fuzzy vote. Many postings are merged by marking names, not by sorting.
            held = np.zeros(len(self._keys), dtype=bool)
            for posting in postings:
                held[posting] = True
            rows = np.flatnonzero(held).astype(np.int32)
            votes = np.full(len(rows), fuzzy)
            if token_id is not None:
                votes[np.searchsorted(rows, self._postings[token_id])] = weight
        else:
            # A name holding several similar tokens gets one vote, the best, from this query
            # token: its own weight for the names holding the token itself, else the fuzzy vote.
            # Few postings (the usual case) are merged in plain Python, cheaper than numpy here.
            best: dict[int, float] = {}
            for i, posting in zip(ids, postings, strict=True):
                if i == token_id:
                    best.update(dict.fromkeys(posting.tolist(), weight))
                else:
                    for row in posting.tolist():
                        best.setdefault(row, fuzzy)
            order = sorted(best)
            rows = np.asarray(order, dtype=np.int32)
            votes = np.asarray([best[row] for row in order], dtype=np.float64)
        return _TokenInfo(weight, volume, rows, votes, features)

    def _lookup(self, tokens: tuple[str, ...]) -> tuple[list[_TokenInfo], np.ndarray]:
        """Per query token, what it brings, and the query token weights."""
        infos = [self._token_info(t) for t in tokens]
        return infos, np.asarray([i.weight for i in infos], dtype=np.float64)

    def _candidates(self, tokens: tuple[str, ...], kind_codes: list[int], lookup=None) -> np.ndarray:
        infos, _ = self._lookup(tokens) if lookup is None else lookup
        # Each query token votes for the names holding a similar listed token, with its own
        # weight (less when the listed token is only similar), then the names are ranked by
        # votes^2 / their own total weight, so that of two names sharing the query's tokens
        # the one with fewer other tokens comes first.
        # Tokens whose similar listed tokens are held by many names (Mohammed, Ali, Trading)
        # only vote when the query has no rarer token: a name that shares only those with
        # the query cannot cover it, and their postings would cost most of the query's time.
        # They still add their votes to the names the rarer tokens found, to rank them.
        rare_enough = min((i.volume for i in infos), default=0) <= COMMON_VOLUME
        voters = [i for i in infos if i.volume and not (rare_enough and i.volume > COMMON_VOLUME)]
        rankers = [i for i in infos if i.volume and rare_enough and i.volume > COMMON_VOLUME]
        if not voters:
            return np.empty(0, dtype=np.int64)
        rows = np.concatenate([i.rows for i in voters]) if len(voters) > 1 else voters[0].rows
        weights = np.concatenate([i.votes for i in voters]) if len(voters) > 1 else voters[0].votes
        # Summing per distinct name through np.unique is cheaper than a bincount over every
        # indexed name: a query's postings hold hundreds of names, the index tens of thousands.
        if len(rows) > DENSE_VOLUME:
            # Many postings: summed over every indexed name (in the same order as below).
            dense = np.zeros(len(self._keys))
            held = np.zeros(len(self._keys), dtype=bool)
            for info in voters:
                dense[info.rows] += info.votes
                held[info.rows] = True
            found = np.flatnonzero(held)
            votes = dense[found]
        else:
            found, inverse = np.unique(rows, return_inverse=True)
            votes = np.bincount(inverse, weights=weights)
        if len(kind_codes) < len(KINDS):
            keep = ~self._excluded(tuple(kind_codes))[found]
            found, votes = found[keep], votes[keep]
        limit = CANDIDATES if len(tokens) <= 3 else LONG_QUERY_CANDIDATES
        if len(found) > limit:
            for info in rankers:
                at = np.minimum(np.searchsorted(found, info.rows), len(found) - 1)
                hit = found[at] == info.rows
                np.add.at(votes, at[hit], info.votes[hit])
            rank = votes**2 / self._total_weights[found]
            found = found[np.argpartition(rank, -limit)[-limit:]]
        return found

    def _token_similarity(self, tokens: tuple[str, ...], features: list, unique: np.ndarray) -> np.ndarray:
        """Query tokens x listed tokens similarity (0 for unrelated pairs). ``features``: the
        query tokens' ``_TokenInfo.features``."""
        lengths = [f[0] for f in features]
        features = np.asarray(features, dtype=np.int64)
        distance = cdist(tokens, self._vocab_array[unique].tolist(), scorer=OSA.distance, dtype=np.int32)
        # Query features as columns, listed ones as rows: every comparison is one broadcast.
        q_len, q_known, q_sound, q_first = features.T[:, :, None]
        l_len, l_sound, l_first = self._vocab_features[unique].T
        longest = np.maximum(q_len, l_len)
        # Transliteration variants (Mohammed / Muhammad, Najjar / Nayyar) share a phonetic key
        # even when their spelling is several edits apart.
        same_sound = (q_sound == l_sound) & (np.abs(q_len - l_len) <= 2)
        table = self._similarity_table
        if max(lengths) < table.shape[2]:
            # The rules below, looked up (a query token longer than any listed one is computed).
            # An initial stands for any token with that first letter (K / Ki).
            l_initial = l_len == 1
            initial = 0
            if 1 in lengths or l_initial.any():
                initial = (((q_len == 1) | l_initial) & (q_first == l_first)).view(np.uint8)
            sims = table[initial, q_known, distance, longest]
            return np.maximum(sims, same_sound * SAME_SOUND_SIMILARITY, out=sims)
        sims = _edit_similarity(distance, longest)
        # An initial stands for any token with that first letter (K / Ki).
        initial = ((q_len == 1) | (l_len == 1)) & (q_first == l_first)
        if initial.any():
            np.maximum(sims, ONE_EDIT_SIMILARITY, out=sims, where=initial)
        # A query token that is itself a listed token is a real name, not a typo: a spelling
        # one edit from another name (Amal / Kamal, Hassan / Ghassan, Zheng / Cheng) is
        # another name, unless the two sound alike.
        if q_known.any():
            np.minimum(sims, KNOWN_TOKEN_EDIT_SIMILARITY, out=sims, where=(q_known == 1) & (distance > 0))
        np.maximum(sims, SAME_SOUND_SIMILARITY, out=sims, where=same_sound)
        sims[sims < TOKEN_MIN_SIMILARITY] = 0.0
        return sims

    def _search(self, searches, birth_date, country, threshold):
        """Score the candidates of each (normalized query, kinds) of ``searches``."""
        plans = []
        for norm, kind_codes in searches:
            if not norm:
                continue
            lookup = self._lookup(norm.tokens)
            rows = self._candidates(norm.tokens, kind_codes, lookup)
            if len(rows):
                plans.append((norm, lookup, rows))
        if not plans:
            return []
        # Token alignment over the candidates' tokens of every search, in one cdist call.
        # Only as many token columns as the longest candidate needs (the widest listed name
        # has dozens of tokens, most have two to four); padding is the empty string, similar
        # to nothing.
        position: dict[str, int] = {}
        features = []
        for norm, (infos, _), _ in plans:
            for token, info in zip(norm.tokens, infos, strict=True):
                if token not in position:
                    position[token] = len(position)
                    features.append(info.features)
        tokens = tuple(position)
        all_rows = np.concatenate([rows for _, _, rows in plans]) if len(plans) > 1 else plans[0][2]
        width = int(self._token_counts[all_rows].max())
        # Candidates share many tokens (and the padding), and the two normalizations of a query
        # often the same candidates: each distinct listed token is compared once.
        unique, inverse = np.unique(self._token_ids[all_rows, :width], return_inverse=True)
        sims = self._token_similarity(tokens, features, unique)
        if len(plans) == 1 and len(tokens) == len(plans[0][0].tokens):
            grid = sims[:, inverse.ravel()].reshape(len(tokens), len(all_rows), width)
        else:
            # Each candidate against the query tokens of its own search (a token repeated in
            # the query is repeated here), the shorter searches padded with a row similar to
            # nothing, so that every search is scored in one pass.
            depth = max(len(norm.tokens) for norm, _, _ in plans)
            pad = len(tokens)
            sims = np.vstack([sims, np.zeros((1, sims.shape[1]))])
            positions = [
                [position[t] for t in norm.tokens] + [pad] * (depth - len(norm.tokens)) for norm, _, _ in plans
            ]
            along = np.repeat(np.asarray(positions, dtype=np.intp).T, [len(rows) for _, _, rows in plans], axis=1)
            grid = sims[along[:, :, None], inverse.reshape(len(all_rows), width)[None, :, :]]
        return self._score(plans, all_rows, grid, birth_date, country, threshold)

    def _score(self, plans, rows, grid, birth_date, country, threshold):
        """Hits among the candidates ``rows`` of ``plans`` (concatenated) given the query x
        candidates x listed tokens similarities."""
        width = grid.shape[2]
        query_best = grid.max(axis=2)  # per query token, its best listed token
        listed_best = grid.max(axis=0)  # per listed token, its best query token
        # Each candidate's coverage of its own search's query tokens (summed in token order,
        # not through a BLAS product whose rounding depends on the memory layout).
        if len(plans) == 1:
            query_weights = plans[0][1][1]
            query_cover = (query_weights[:, None] * query_best).sum(axis=0) / query_weights.sum()
        else:
            covers, start = [], 0
            for norm, (_, query_weights), plan_rows in plans:
                end = start + len(plan_rows)
                best = query_best[: len(norm.tokens), start:end]
                covers.append((query_weights[:, None] * best).sum(axis=0) / query_weights.sum())
                start = end
            query_cover = np.concatenate(covers)
        listed_cover = (listed_best * self._token_weights[rows, :width]).sum(axis=1) / self._total_weights[rows]
        # A missing (or extra) middle name is forgiven only when both names have two or more
        # tokens and the listed first and last tokens (given and family name) are both
        # present; otherwise the less covered side decides, so that sharing one common token
        # ("Mohammed", "Trading") or a single-token query never looks like the whole name.
        listed_found = listed_best > 0
        first_found = listed_found[:, 0]
        last_found = listed_found[np.arange(len(rows)), self._last_column[rows]]
        both_sides = ((query_best > 0).sum(axis=0) >= 2) & (listed_found.sum(axis=1) >= 2)
        lenient = both_sides & first_found & last_found
        low = np.minimum(query_cover, listed_cover)
        forgiven = LENIENT_HIGH * query_cover + (1 - LENIENT_HIGH) * listed_cover
        alignment = np.where(lenient, np.maximum(forgiven, low), low)
        name_scores = alignment

        # Only names that secondary evidence could lift over the threshold are explained.
        floor = threshold - DOB_MATCH_BONUS - COUNTRY_MATCH_BONUS
        results = []
        ends = list(itertools.accumulate(len(plan_rows) for _, _, plan_rows in plans))
        for i in np.flatnonzero(name_scores >= floor - 1e-9).tolist():
            norm = plans[bisect.bisect_right(ends, i)][0]
            row = int(rows[i])
            exact = self._keys[row] == norm.key
            name_score = 1.0 if exact else float(name_scores[i])
            entry_idx = int(self._name_entry[row])
            entry = self.entries[entry_idx]
            dob = compare_birth_date(birth_date, entry.birth_dates)
            place = compare_country(country, entry.countries)
            adjustments: dict[str, float] = {}
            if dob == MATCH:
                adjustments["dob"] = DOB_MATCH_BONUS
            elif dob == MISMATCH:
                adjustments["dob"] = -DOB_MISMATCH_PENALTY
            if place == MATCH:
                adjustments["country"] = COUNTRY_MATCH_BONUS
            elif place == MISMATCH:
                adjustments["country"] = -COUNTRY_MISMATCH_PENALTY
            score = min(1.0, max(0.0, name_score + sum(adjustments.values())))
            if exact and score < threshold:
                # An identical name is never hidden by contradicting secondary evidence.
                adjustments["exact_name_floor"] = threshold - score
                score = threshold
            if score < threshold:
                continue
            listed = entry.names[self._name_index[row]]
            factors = {
                "name_score": round(name_score, 4),
                "token_sort": round(fuzz.ratio(norm.key, self._keys[row]) / 100.0, 4),
                "token_alignment": round(float(alignment[i]), 4),
                "exact_name": exact,
                "query_normalized": norm.key,
                "listed_normalized": self._keys[row],
                "dob": dob,
                "country": place,
                "adjustments": {k: round(v, 4) for k, v in adjustments.items()},
            }
            hit = Hit(
                source=entry.source,
                ref=entry.ref,
                score=round(score, 4),
                matched_name=listed.name,
                alias_type=listed.alias_type,
                factors=factors,
                entry=entry,
            )
            results.append((entry_idx, hit))
        return results
