"""EU consolidated financial sanctions list, FSF XML "export" format (version 1.1).

``<export><sanctionEntity logicalId=... euReferenceNumber=...>`` with ``subjectType code``
("person" or "enterprise"), ``nameAlias`` (``wholeName``, or ``firstName``/``middleName``/
``lastName``; ``strong="false"`` marks a weak alias), ``birthdate`` (``birthdate`` or ``year``,
``circa``), ``citizenship countryIso2Code``, ``address`` and ``regulation programme``. The
first name alias is the primary name. The reference is the FSF ``logicalId``.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element  # noqa: S405 - parsing is hardened in xmlsafe

from .countries import country_code
from .types import (
    Address,
    ListEntry,
    ListName,
    ParseResult,
    Source,
    read_source,
)
from .xmlsafe import parse_xml_list

SOURCE = "eu"

_KINDS = {"person": "person", "enterprise": "entity", "vessel": "vessel", "aircraft": "aircraft"}


def _code(node: Element) -> str:
    code = (node.get("countryIso2Code") or "").strip().upper()
    if len(code) == 2 and code not in ("00", "XX"):
        return code
    description = (node.get("countryDescription") or "").strip()
    return country_code(description) if description else ""


def _name(alias: Element) -> str:
    whole = (alias.get("wholeName") or "").strip()
    if whole:
        return whole
    parts = (alias.get(k, "").strip() for k in ("firstName", "middleName", "lastName"))
    return " ".join(p for p in parts if p)


def _birth_date(node: Element) -> str:
    date = (node.get("birthdate") or "").strip()
    year = (node.get("year") or "").strip()
    circa = (node.get("circa") or "").strip().lower() == "true"
    if not date and year:
        month = (node.get("monthOfYear") or "").strip()
        date = f"{year}-{int(month):02d}" if month.isdigit() and 1 <= int(month) <= 12 else year
    if not date:
        return ""
    return f"{date[:4]}~" if circa else date


def _entry(record: Element) -> ListEntry | str:
    ref = (record.get("logicalId") or "").strip()
    if not ref:
        return "sanctionEntity has no logicalId"
    subject = record.find("subjectType")
    code = (subject.get("code") or "").strip().lower() if subject is not None else ""
    if code not in _KINDS:
        return f"sanctionEntity {ref} has unknown subjectType {code!r}"
    names: list[ListName] = []
    for alias in record.iterfind("nameAlias"):
        name = _name(alias)
        if not name:
            continue
        if not names:
            alias_type = "primary"
        elif (alias.get("strong") or "true").strip().lower() == "false":
            alias_type = "weak"
        else:
            alias_type = "aka"
        names.append(ListName(name, alias_type))
    if not names:
        return f"sanctionEntity {ref} has no name"
    nationalities = [c for c in map(_code, record.iterfind("citizenship")) if c]
    addresses = []
    for node in record.iterfind("address"):
        street = (node.get("street") or "").strip()
        locality = ", ".join(v for v in ((node.get(k) or "").strip() for k in ("city", "region", "zipCode")) if v)
        country = (node.get("countryDescription") or "").strip()
        if street or locality or country:
            addresses.append(Address(street, locality, country, _code(node)))
    births = list(record.iterfind("birthdate"))
    countries = [*nationalities, *map(_code, births), *(a.country_code for a in addresses)]
    programs = [(r.get("programme") or "").strip() for r in record.iterfind("regulation")]
    remarks = "\n".join((r.text or "").strip() for r in record.iterfind("remark") if r.text)
    listed_on = min(
        ((r.get("entryIntoForceDate") or "").strip() for r in record.iterfind("regulation")),
        default="",
    )
    return ListEntry(
        source=SOURCE,
        ref=ref,
        kind=_KINDS[code],
        primary_name=names[0].name,
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(d for d in map(_birth_date, births) if d)),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(dict.fromkeys(c for c in countries if c)),
        programs=tuple(dict.fromkeys(p for p in programs if p)),
        addresses=tuple(addresses),
        remarks=remarks,
        listed_on=listed_on,
    )


def parse_eu(path: Source) -> ParseResult:
    """Parse the EU FSF consolidated list XML ("export" format)."""
    return parse_xml_list(
        read_source(path),
        source_code=SOURCE,
        record_tags=frozenset({"sanctionEntity"}),
        entry=_entry,
        reference_label="logicalId",
    )
