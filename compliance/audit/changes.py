"""An audit event's change as a reader takes it in: one row per field, old value beside new.

Events store ``before`` and ``after`` as JSON objects. An update usually stores the same keys on
both sides, some of them unchanged; a creation only ``after``; a removal only ``before``. The rows
keep what differs, so an auditor sees at a glance what an event changed.
"""

import json
from dataclasses import dataclass
from typing import Any

# Longer values are cut for the table; the row keeps the whole text for a tooltip.
SHOWN_CHARS = 120


@dataclass(frozen=True)
class ChangeRow:
    field: str
    before: str | None  # None: the field was not there before (set), or the event has no "before"
    after: str | None  # None: the field is gone after (removed)
    before_full: str | None
    after_full: str | None


def shown_value(value: Any) -> str:
    """A JSON value as text: strings as they are, everything else as compact JSON."""
    if value is None:
        return "—"
    if value == "":
        return "(empty)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= SHOWN_CHARS:
        return text
    return text[: SHOWN_CHARS - 1] + "…"


def change_rows(before: dict | None, after: dict | None) -> list[ChangeRow]:
    """The fields an event changed, in the order it stored them (``after`` first)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    rows = []
    for field in [*after, *(key for key in before if key not in after)]:
        had, has = field in before, field in after
        if had and has and before[field] == after[field]:
            continue
        old = shown_value(before[field]) if had else None
        new = shown_value(after[field]) if has else None
        rows.append(ChangeRow(str(field), _cut(old), _cut(new), old, new))
    return rows
