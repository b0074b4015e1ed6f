"""Secondary evidence: date of birth and country, compared with what the list says.

Each comparison answers "match", "mismatch" or "unknown" (when either side has nothing to
compare), and the matcher turns that into a small score adjustment.
"""

from __future__ import annotations

import re

MATCH, MISMATCH, UNKNOWN = "match", "mismatch", "unknown"

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: Years either side of an approximate ("1960~") listed year that still count as a match.
APPROXIMATE_YEARS = 2


def _parts(value: str) -> tuple[int, int | None, int | None] | None:
    match = _ISO.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def _compatible(query: tuple[int, int | None, int | None], listed: str) -> bool:
    year, month, day = query
    listed = listed.strip()
    if "/" in listed:
        start, _, end = listed.partition("/")
        return start[:4].isdigit() and end[:4].isdigit() and int(start[:4]) <= year <= int(end[:4])
    if listed.endswith("~"):
        return listed[:4].isdigit() and abs(int(listed[:4]) - year) <= APPROXIMATE_YEARS
    parts = _parts(listed)
    if parts is None:
        return False
    l_year, l_month, l_day = parts
    if l_year != year:
        return False
    if month is not None and l_month is not None and month != l_month:
        return False
    return day is None or l_day is None or day == l_day


def compare_birth_date(query: str | None, listed: tuple[str, ...]) -> str:
    """Compare an ISO date (or year, or year-month) with an entry's listed birth dates."""
    if not query or not listed:
        return UNKNOWN
    parts = _parts(query)
    if parts is None:
        return UNKNOWN
    return MATCH if any(_compatible(parts, value) for value in listed) else MISMATCH


def compare_country(query: str | None, countries: tuple[str, ...]) -> str:
    """Compare an alpha-2 country code with the countries an entry is linked to."""
    if not query or not countries:
        return UNKNOWN
    return MATCH if query.strip().upper() in countries else MISMATCH
