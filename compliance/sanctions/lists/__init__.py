"""Parsers for official sanctions list publications -> plain frozen dataclasses.

Each parser takes paths (or :class:`SourceFile` bytes) and returns a :class:`ParseResult`:
``entries`` (a tuple of :class:`ListEntry`) and ``report`` (:class:`ParseReport` with the
SHA-256 checksums, counts and every malformed row as ``(file, line, reason)``). Malformed rows
are reported and skipped; a parse never raises on bad content.

- :func:`parse_ofac` -- OFAC SDN legacy CSV (sdn.csv + alt.csv + add.csv)
- :func:`parse_un` -- UN Security Council consolidated XML
- :func:`parse_eu` -- EU FSF consolidated XML ("export" format)
- :func:`parse_uk` -- UK OFSI consolidated list CSV (ConList.csv)
"""

from .countries import country_code
from .eu import parse_eu
from .ofac import parse_ofac
from .types import (
    ALIAS_TYPES,
    KINDS,
    Address,
    ListEntry,
    ListName,
    Malformed,
    ParseReport,
    ParseResult,
    SourceFile,
)
from .uk import parse_uk
from .un import parse_un

__all__ = [
    "ALIAS_TYPES",
    "KINDS",
    "Address",
    "ListEntry",
    "ListName",
    "Malformed",
    "ParseReport",
    "ParseResult",
    "SourceFile",
    "country_code",
    "parse_eu",
    "parse_ofac",
    "parse_uk",
    "parse_un",
]
