"""OFAC SDN list in the legacy CSV publication: sdn.csv + alt.csv + add.csv.

The files have no header, use ``-0-`` (often followed by a space) for an empty field and are
Latin-1. They are joined on ``ent_num``. Rows with the wrong number of fields, a non-numeric or
duplicate ``ent_num``, an empty name, or an alias/address pointing to an unknown ``ent_num`` are
reported as malformed and skipped. Date of birth, nationality, citizenship, place of birth and
weak aliases are only published inside the free-text remarks, so they are extracted from there.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

from .countries import country_code
from .dates import parse_list_date
from .types import (
    Address,
    ListEntry,
    ListName,
    Malformed,
    ParseReport,
    ParseResult,
    Source,
    SourceFile,
    count_entries,
    read_source,
)

SOURCE = "ofac_sdn"

_SDN_FIELDS = 12
_ALT_FIELDS = 5
_ADD_FIELDS = 6

_KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "entity"}
_ALIAS_TYPES = {"aka": "aka", "fka": "fka", "nka": "nka"}

_DOB = re.compile(r"^(?:alt\.\s*)?DOB:?\s+(.+)$", re.IGNORECASE)
_NATIONALITY = re.compile(r"^(?:alt\.\s*)?(nationality|citizen)\s+(.+)$", re.IGNORECASE)
_POB = re.compile(r"^(?:alt\.\s*)?POB:?\s+(.+)$", re.IGNORECASE)
_WEAK_ALIAS = re.compile(r"\b([afn])\.k\.a\.,?\s+'([^']+)'", re.IGNORECASE)


def _value(field: str) -> str:
    value = field.strip()
    return "" if value == "-0-" else value


def _rows(source: SourceFile):
    """Yield (first line number, fields) for each CSV record of an OFAC file."""
    text = source.data.decode("latin-1")
    # The files end with a DOS end-of-file mark (Ctrl-Z), which is not a row.
    text = text.rstrip("\r\n\x1a")
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, exc
            line = reader.line_num + 1
            continue
        yield line, row
        line = reader.line_num + 1


def _split_programs(text: str) -> tuple[str, ...]:
    # Several programs are written "IRAN] [SDGT] [IRGC".
    return tuple(p.strip(" []") for p in text.split("] [") if p.strip(" []"))


def _parse_remarks(remarks: str):
    birth_dates: list[str] = []
    nationalities: list[str] = []
    pob_countries: list[str] = []
    for part in remarks.split(";"):
        part = part.strip().rstrip(".").strip()
        if match := _DOB.match(part):
            parsed = parse_list_date(match.group(1))
            if parsed:
                birth_dates.append(parsed)
        elif match := _NATIONALITY.match(part):
            code = country_code(match.group(2))
            if code:
                nationalities.append(code)
        elif match := _POB.match(part):
            # "POB Kelantan, Malaysia": the country is the last comma-separated part.
            code = country_code(match.group(1).rsplit(",", 1)[-1])
            if code:
                pob_countries.append(code)
    weak = [ListName(name=m.group(2).strip(), alias_type="weak") for m in _WEAK_ALIAS.finditer(remarks)]
    return birth_dates, nationalities, pob_countries, weak


def _dedupe(items):
    return tuple(dict.fromkeys(items))


def parse_ofac(sdn: Source, alt: Source | None = None, add: Source | None = None) -> ParseResult:
    """Parse the OFAC SDN legacy CSV files; ``alt`` and ``add`` are optional companions."""
    sdn_file = read_source(sdn)
    alt_file = read_source(alt) if alt is not None else None
    add_file = read_source(add) if add is not None else None
    files = [f for f in (sdn_file, alt_file, add_file) if f is not None]
    malformed: list[Malformed] = []
    rows_read: dict[str, int] = {}

    main: dict[str, list[str]] = {}
    for line, row in _rows(sdn_file):
        rows_read["sdn_rows"] = rows_read.get("sdn_rows", 0) + 1
        if isinstance(row, Exception):
            malformed.append(Malformed(sdn_file.name, line, f"unreadable CSV: {row}"))
            continue
        if len(row) != _SDN_FIELDS:
            reason = f"expected {_SDN_FIELDS} fields, found {len(row)}"
            malformed.append(Malformed(sdn_file.name, line, reason))
            continue
        ent_num, name = row[0].strip(), _value(row[1])
        if not ent_num.isdigit():
            malformed.append(Malformed(sdn_file.name, line, f"ent_num {ent_num!r} is not a number"))
            continue
        if not name:
            malformed.append(Malformed(sdn_file.name, line, f"ent_num {ent_num} has no name"))
            continue
        if _value(row[2]).lower() not in _KINDS:
            reason = f"ent_num {ent_num} has unknown SDN_Type {row[2].strip()!r}"
            malformed.append(Malformed(sdn_file.name, line, reason))
            continue
        if ent_num in main:
            malformed.append(Malformed(sdn_file.name, line, f"duplicate ent_num {ent_num}"))
            continue
        main[ent_num] = row

    aliases: dict[str, list[ListName]] = defaultdict(list)
    if alt_file is not None:
        for line, row in _rows(alt_file):
            rows_read["alt_rows"] = rows_read.get("alt_rows", 0) + 1
            problem = _check_child(row, _ALT_FIELDS, main)
            if problem is None and not _value(row[3]):
                problem = f"alias {row[1].strip()} of ent_num {row[0].strip()} has no name"
            if problem:
                malformed.append(Malformed(alt_file.name, line, problem))
                continue
            alias_type = _ALIAS_TYPES.get(_value(row[2]).lower().replace(".", ""), "aka")
            aliases[row[0].strip()].append(ListName(name=_value(row[3]), alias_type=alias_type))

    addresses: dict[str, list[Address]] = defaultdict(list)
    if add_file is not None:
        for line, row in _rows(add_file):
            rows_read["add_rows"] = rows_read.get("add_rows", 0) + 1
            problem = _check_child(row, _ADD_FIELDS, main)
            if problem:
                malformed.append(Malformed(add_file.name, line, problem))
                continue
            street, locality, country = _value(row[2]), _value(row[3]), _value(row[4])
            if not (street or locality or country):
                continue  # OFAC writes an all-empty address row for "no address known"
            addresses[row[0].strip()].append(
                Address(
                    street=street,
                    locality=locality,
                    country=country,
                    country_code=country_code(country) if country else "",
                )
            )

    entries = []
    for ent_num, row in main.items():
        remarks = _value(row[11])
        birth_dates, nationalities, pob_countries, weak = _parse_remarks(remarks)
        entry_addresses = tuple(addresses.get(ent_num, ()))
        primary = ListName(name=_value(row[1]), alias_type="primary")
        names = _dedupe([primary, *aliases.get(ent_num, ()), *weak])
        vessel_flag = country_code(_value(row[9])) if _value(row[9]) else ""
        countries = _dedupe(
            [
                *nationalities,
                *pob_countries,
                *(a.country_code for a in entry_addresses if a.country_code),
                *([vessel_flag] if vessel_flag else []),
            ]
        )
        entries.append(
            ListEntry(
                source=SOURCE,
                ref=ent_num,
                kind=_KINDS[_value(row[2]).lower()],
                primary_name=primary.name,
                names=names,
                birth_dates=_dedupe(birth_dates),
                nationalities=_dedupe(nationalities),
                countries=countries,
                programs=_split_programs(_value(row[3])),
                addresses=entry_addresses,
                remarks=remarks,
            )
        )

    result_entries = tuple(entries)
    report = ParseReport(
        source=SOURCE,
        checksums={f.name: f.sha256 for f in files},
        counts=count_entries(result_entries, malformed=len(malformed), **rows_read),
        malformed=tuple(malformed),
    )
    return ParseResult(entries=result_entries, report=report)


def _check_child(row, expected: int, main: dict[str, list[str]]) -> str | None:
    """Why an alt/add row cannot be attached to an SDN record, or None when it can."""
    if isinstance(row, Exception):
        return f"unreadable CSV: {row}"
    if len(row) != expected:
        return f"expected {expected} fields, found {len(row)}"
    ent_num = row[0].strip()
    if not ent_num.isdigit():
        return f"ent_num {ent_num!r} is not a number"
    if ent_num not in main:
        return f"ent_num {ent_num} is not in the SDN file"
    return None
