"""A hit's ``factors`` told as an officer reads them: what was compared, and how the score adds up.

The matcher stores the factors as data (see ``matching/matcher.py``); hits stored by an older
matcher may hold other keys, which are listed as they are after the known ones.
"""

from typing import Any

_EVIDENCE = {
    "match": "matches the listed one",
    "mismatch": "contradicts the listed one",
    "unknown": "not known on one side",
}
_ADJUSTMENT_NAMES = {
    "dob": "date of birth",
    "country": "country",
    "exact_name_floor": "identical name kept at the threshold",
}
_KNOWN = {
    "name_score",
    "token_sort",
    "token_alignment",
    "exact_name",
    "query_normalized",
    "listed_normalized",
    "dob",
    "country",
    "adjustments",
}


def _signed(value: float) -> str:
    return f"+{value:.4f}" if value >= 0 else f"−{-value:.4f}"


def _evidence(state: Any, adjustment: float | None) -> str:
    text = _EVIDENCE.get(state, str(state))
    return f"{text} ({_signed(adjustment)})" if adjustment else text


def hit_explanation(factors: dict[str, Any], score: float) -> list[tuple[str, str]]:
    """(label, text) rows, in the order the score was reached."""
    adjustments = factors.get("adjustments") or {}
    rows = []
    if "query_normalized" in factors:
        rows.append(("Screened name, normalized", str(factors["query_normalized"])))
    if "listed_normalized" in factors:
        rows.append(("Listed name, normalized", str(factors["listed_normalized"])))
    if "exact_name" in factors:
        rows.append(("Identical after normalizing", "Yes" if factors["exact_name"] else "No"))
    if "name_score" in factors:
        rows.append(("Name score (weighted share of tokens matched)", f"{factors['name_score']:.4f}"))
    if "token_alignment" in factors:
        rows.append(("Token alignment", f"{factors['token_alignment']:.4f}"))
    if "token_sort" in factors:
        rows.append(("Second opinion: token sort ratio", f"{factors['token_sort']:.4f}"))
    if "dob" in factors:
        rows.append(("Date of birth", _evidence(factors["dob"], adjustments.get("dob"))))
    if "country" in factors:
        rows.append(("Country", _evidence(factors["country"], adjustments.get("country"))))
    if "name_score" in factors:
        terms = [f"{factors['name_score']:.4f} name"] + [
            f"{_signed(value)} {_ADJUSTMENT_NAMES.get(key, key)}" for key, value in adjustments.items()
        ]
        total = factors["name_score"] + sum(adjustments.values())
        capped = " (capped to 0–1)" if abs(total - score) > 5e-4 else ""
        rows.append(("Score", f"{' '.join(terms)} = {score:.4f}{capped}"))
    rows.extend((key, str(value)) for key, value in factors.items() if key not in _KNOWN)
    return rows
