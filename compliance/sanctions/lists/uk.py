"""UK sanctions list, OFSI consolidated list CSV ("ConList.csv").

The first row is a "Last Updated" line, the second the header (Name 6 is the family name,
Name 1..5 the other names, then Title, DOB, Town of Birth, Country of Birth, Nationality, ...,
Group Type, Alias Type, Alias Quality, Regime, Listed On, ..., Group ID). Each row is one name;
rows sharing a Group ID are one listed subject, the "Primary name" row giving its primary name.
Columns are found by header name, so added or reordered columns do not break the parser.
DOB is "dd/mm/yyyy" with "00" (or "--") for an unknown day or month.
"""

from __future__ import annotations

import csv
import io
import re

from .countries import country_code
from .types import (
    Address,
    ListEntry,
    ListName,
    Malformed,
    ParseReport,
    ParseResult,
    Source,
    count_entries,
    read_source,
)

SOURCE = "uk"

_KINDS = {"individual": "person", "entity": "entity", "ship": "vessel"}
_ALIAS_TYPES = {
    "primary name": "primary",
    "primary name variation": "aka",
    "aka": "aka",
    "fka": "fka",
    "nka": "nka",
}
_REQUIRED = ("Name 6", "Group Type", "Group ID")
_NAME_COLUMNS = ("Title", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
_DOB = re.compile(r"^(\d{2}|--)/(\d{2}|--)/(\d{4})$")
_NUMBERED = re.compile(r"\(\d+\)")


def _decode(data: bytes) -> str:
    # OFSI has published this file both as UTF-8 (with BOM) and as Windows-1252.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _birth_date(text: str) -> str:
    match = _DOB.match(text.strip())
    if not match:
        return ""
    day, month, year = match.groups()
    if month in ("00", "--"):
        return year
    if day in ("00", "--"):
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _countries(text: str) -> list[str]:
    # Several values are written "(1) Iran (2) Iraq".
    parts = _NUMBERED.split(text) if _NUMBERED.search(text) else [text]
    return [c for c in (country_code(p.strip(" ,.")) for p in parts if p.strip(" ,.")) if c]


def parse_uk(path: Source) -> ParseResult:
    """Parse the OFSI consolidated list CSV."""
    source = read_source(path)
    malformed: list[Malformed] = []
    reader = csv.reader(io.StringIO(_decode(source.data), newline=""))
    rows = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        malformed.append(Malformed(source.name, line, f"unreadable CSV: {exc}"))

    # Find the header: the first row naming the required columns (after "Last Updated").
    header_at = next((i for i, (_, row) in enumerate(rows) if all(c in row for c in _REQUIRED)), None)
    if header_at is None:
        malformed.append(Malformed(source.name, 1, "no header row with Name 6 and Group ID"))
        return _result(source, (), malformed, 0)
    header = [h.strip() for h in rows[header_at][1]]
    column = {name: i for i, name in enumerate(header)}

    groups: dict[str, list[dict[str, str]]] = {}
    data_rows = 0
    for line, row in rows[header_at + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        data_rows += 1
        if len(row) != len(header):
            reason = f"expected {len(header)} fields, found {len(row)}"
            malformed.append(Malformed(source.name, line, reason))
            continue
        record = {name: row[i].strip() for name, i in column.items()}
        group = record["Group ID"]
        if not group:
            malformed.append(Malformed(source.name, line, "row has no Group ID"))
            continue
        if record["Group Type"].lower() not in _KINDS:
            reason = f"group {group} has unknown Group Type {record['Group Type']!r}"
            malformed.append(Malformed(source.name, line, reason))
            continue
        # Title is not part of the name proper ("Dr", "Sheikh"): the matcher drops those anyway.
        name = " ".join(record.get(c, "") for c in _NAME_COLUMNS[1:] if record.get(c, ""))
        if not name:
            malformed.append(Malformed(source.name, line, f"group {group} row has no name"))
            continue
        record["_name"] = name
        groups.setdefault(group, []).append(record)

    entries = tuple(_entry(group, records) for group, records in groups.items())
    return _result(source, entries, malformed, data_rows)


def _entry(group: str, records: list[dict[str, str]]) -> ListEntry:
    def alias_type(record: dict[str, str]) -> str:
        if record.get("Alias Quality", "").lower() == "low":
            return "weak"
        return _ALIAS_TYPES.get(record.get("Alias Type", "").lower(), "aka")

    records = sorted(records, key=lambda r: alias_type(r) != "primary")
    names = [ListName(r["_name"], alias_type(r)) for r in records]
    if names[0].alias_type != "primary":
        names[0] = ListName(names[0].name, "primary")
    names += [
        ListName(r["Name Non-Latin Script"], "original_script") for r in records if r.get("Name Non-Latin Script")
    ]
    nationalities, countries, birth_dates, addresses, programs = [], [], [], [], []
    for r in records:
        nationalities += _countries(r.get("Nationality", ""))
        countries += _countries(r.get("Country of Birth", ""))
        if date := _birth_date(r.get("DOB", "")):
            birth_dates.append(date)
        street = ", ".join(r.get(f"Address {i}", "") for i in range(1, 7) if r.get(f"Address {i}", ""))
        locality = r.get("Post/Zip Code", "")
        country = r.get("Country", "")
        if street or locality or country:
            addresses.append(Address(street, locality, country, country_code(country)))
        if r.get("Regime"):
            programs.append(r["Regime"])
    first = records[0]
    return ListEntry(
        source=SOURCE,
        ref=group,
        kind=_KINDS[first["Group Type"].lower()],
        primary_name=names[0].name,
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(
            dict.fromkeys(c for c in [*nationalities, *countries, *(a.country_code for a in addresses)] if c)
        ),
        programs=tuple(dict.fromkeys(programs)),
        addresses=tuple(dict.fromkeys(addresses)),
        remarks=first.get("Other Information", ""),
        listed_on=_iso(first.get("Listed On", "")),
    )


def _iso(text: str) -> str:
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text.strip())
    return f"{match.group(3)}-{match.group(2)}-{match.group(1)}" if match else ""


def _result(source, entries, malformed, data_rows) -> ParseResult:
    report = ParseReport(
        source=SOURCE,
        checksums={source.name: source.sha256},
        counts=count_entries(entries, rows=data_rows, malformed=len(malformed)),
        malformed=tuple(malformed),
    )
    return ParseResult(entries=entries, report=report)
