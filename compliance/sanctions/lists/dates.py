"""Birth dates as lists write them -> the ISO/EDTF strings described in ``types``."""

from __future__ import annotations

import re

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}

# "12 Jan 1960", "Jan 1960", "1960", each optionally with a long month name.
_DAY_MONTH_YEAR = re.compile(r"^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3,9})\.?\s+)?(\d{4})$")


def _single(text: str) -> str:
    """One date in OFAC style ("12 Jan 1960", "Jan 1960", "1960") or ISO -> ISO; "" if not."""
    text = text.strip().rstrip(".").strip()
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return text
    match = _DAY_MONTH_YEAR.match(text)
    if not match:
        return ""
    day, month_name, year = match.groups()
    if month_name is None:
        return year if day is None else ""
    month = _MONTHS.get(month_name[:3].lower())
    if month is None:
        return ""
    if day is None:
        return f"{year}-{month:02d}"
    if not 1 <= int(day) <= 31:
        return ""
    return f"{year}-{month:02d}-{int(day):02d}"


def parse_list_date(text: str) -> str:
    """Parse an OFAC-style DOB phrase into an ISO/EDTF string, or "" when unreadable.

    Handles "12 Jan 1960", "Jan 1960", "1960", "circa 1960", "1960 to 1962",
    "12 Jan 1960 to 14 Jan 1960" (an interval of days is widened to its years) and
    "circa 1960-1962".
    """
    text = text.strip().rstrip(".").strip()
    approximate = False
    lowered = text.lower()
    for prefix in ("circa ", "approximately ", "approx. ", "about "):
        if lowered.startswith(prefix):
            approximate = True
            text = text[len(prefix) :]
            break
    parts = re.split(r"\s+to\s+|(?<=\d{4})\s*-\s*(?=\d{4}$)", text)
    if len(parts) == 2:
        start, end = _single(parts[0]), _single(parts[1])
        if not start or not end:
            return ""
        if start == end:
            return start
        return f"{start[:4]}/{end[:4]}" if start[:4] != end[:4] else start[:4]
    single = _single(text)
    if single and approximate:
        return f"{single[:4]}~"
    return single
