"""Plain data shapes shared by every list parser.

Everything here is frozen and holds only tuples and strings, so parsed lists can be cached,
hashed into snapshots and handed between threads without copying. Nothing imports Django:
the import command of a later phase maps these onto models.

Birth dates are strings in a small subset of ISO 8601 / EDTF, because lists are rarely exact:

- ``"1960-01-12"`` a full date, ``"1960-01"`` a month, ``"1960"`` a year;
- ``"1960~"`` an approximate year (OFAC "circa", UN "APPROXIMATELY");
- ``"1960/1962"`` an interval of years, both ends included (OFAC "1960 to 1962", UN "BETWEEN").
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

#: The kinds of listed subjects; every source's own vocabulary is mapped onto these.
KINDS = ("person", "entity", "vessel", "aircraft")

#: Alias types. ``primary`` is the listed name itself; ``weak`` marks aliases the list itself
#: calls low quality (OFAC "weak a.k.a." in remarks, UN quality "Low", EU/UK "low quality"),
#: which the matcher does not screen against by default.
ALIAS_TYPES = ("primary", "aka", "fka", "nka", "weak", "original_script")


@dataclass(frozen=True, slots=True)
class ListName:
    """One name under which a subject is listed."""

    name: str
    alias_type: str = "primary"


@dataclass(frozen=True, slots=True)
class Address:
    """An address as listed. ``locality`` is the city/state/postal text as the list gives it."""

    street: str = ""
    locality: str = ""
    country: str = ""  # the country as the list names it
    country_code: str = ""  # ISO 3166-1 alpha-2 when derivable, else ""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed subject (person, entity, vessel or aircraft) of one source list.

    ``names`` holds every name including the primary one (first), each with its alias type.
    ``nationalities`` are ISO alpha-2 codes of nationality/citizenship; ``countries`` are the
    alpha-2 codes of every country the entry is linked to (nationality, citizenship, place of
    birth, addresses), a superset of ``nationalities``.
    """

    source: str
    ref: str
    kind: str
    primary_name: str
    names: tuple[ListName, ...]
    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    remarks: str = ""
    listed_on: str = ""


class Malformed(NamedTuple):
    """A row or record that was skipped: which file, which line (1-based), and why."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParseReport:
    """What a parse read and what it skipped.

    ``checksums`` maps each source file name to the SHA-256 of its bytes; ``checksum`` is the
    one value to store per import: the file's own digest for one-file sources, otherwise the
    SHA-256 of the sorted ``name:digest`` lines, so any change to any file changes it.
    """

    source: str
    checksums: Mapping[str, str]
    counts: Mapping[str, int]
    malformed: tuple[Malformed, ...] = ()

    @property
    def checksum(self) -> str:
        if len(self.checksums) == 1:
            return next(iter(self.checksums.values()))
        lines = "".join(f"{name}:{digest}\n" for name, digest in sorted(self.checksums.items()))
        return hashlib.sha256(lines.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The entries of one source list and the report of how they were read."""

    entries: tuple[ListEntry, ...]
    report: ParseReport = field(repr=False)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """Bytes of one source file with the name used in reports (e.g. an uploaded file)."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


#: What the parsers accept for a file: a path, or bytes already read (with a name).
Source = str | os.PathLike[str] | SourceFile


def read_source(source: Source) -> SourceFile:
    """Load a path into a :class:`SourceFile`; pass a :class:`SourceFile` through unchanged."""
    if isinstance(source, SourceFile):
        return source
    path = Path(source)
    return SourceFile(name=path.name, data=path.read_bytes())


def count_entries(entries: tuple[ListEntry, ...], **extra: int) -> dict[str, int]:
    """The standard counts of a parse: entries, entries per kind, names, plus source extras."""
    counts = {"entries": len(entries), "names": sum(len(e.names) for e in entries)}
    for kind in KINDS:
        counts[kind] = sum(1 for e in entries if e.kind == kind)
    counts.update(extra)
    return counts
