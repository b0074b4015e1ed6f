"""UN Security Council consolidated list, XML publication.

``CONSOLIDATED_LIST / INDIVIDUALS / INDIVIDUAL`` and ``ENTITIES / ENTITY`` records, each with
names split over FIRST_NAME..FOURTH_NAME, aliases with a quality ("Good", "Low", "a.k.a.",
"f.k.a."), dates of birth (EXACT / APPROXIMATELY / BETWEEN), nationalities and addresses.
The reference is the UN ``REFERENCE_NUMBER`` (e.g. "QDi.001"), falling back to ``DATAID``.
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
from .xmlsafe import parse_xml_list, text_of, texts_of

SOURCE = "un"

_RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})
_QUALITY = {"good": "aka", "a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka", "low": "weak"}


def _birth_dates(record: Element) -> list[str]:
    dates = []
    for dob in record.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = text_of(dob, "TYPE_OF_DATE").upper()
        date, year = text_of(dob, "DATE"), text_of(dob, "YEAR")
        from_year, to_year = text_of(dob, "FROM_YEAR"), text_of(dob, "TO_YEAR")
        if kind == "BETWEEN" and from_year and to_year:
            dates.append(f"{from_year}/{to_year}" if from_year != to_year else from_year)
        elif date or year:
            value = date or year
            dates.append(f"{value[:4]}~" if kind == "APPROXIMATELY" else value)
    # A few aliases carry the date of birth used with that alias.
    dates.extend(texts_of(record, "INDIVIDUAL_ALIAS/DATE_OF_BIRTH"))
    return dates


def _addresses(record: Element, tag: str) -> list[Address]:
    addresses = []
    for node in record.iterfind(tag):
        street = text_of(node, "STREET")
        locality = ", ".join(t for t in (text_of(node, p) for p in ("CITY", "STATE_PROVINCE", "ZIP_CODE")) if t)
        country = text_of(node, "COUNTRY")
        if street or locality or country:
            code = country_code(country) if country else ""
            addresses.append(Address(street, locality, country, code))
    return addresses


def _entry(record: Element) -> ListEntry | str:
    """Build an entry, or return the reason the record is malformed."""
    ref = text_of(record, "REFERENCE_NUMBER") or text_of(record, "DATAID")
    if not ref:
        return "record has neither REFERENCE_NUMBER nor DATAID"
    parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    primary = " ".join(t for t in (text_of(record, p) for p in parts) if t)
    if not primary:
        return f"record {ref} has no name"
    person = record.tag == "INDIVIDUAL"
    names = [ListName(primary, "primary")]
    for alias in record.iterfind("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        name = text_of(alias, "ALIAS_NAME")
        if name:
            quality = text_of(alias, "QUALITY").lower()
            names.append(ListName(name, _QUALITY.get(quality, "aka")))
    names.extend(ListName(n, "original_script") for n in texts_of(record, "NAME_ORIGINAL_SCRIPT"))

    nationalities = [c for c in map(country_code, texts_of(record, "NATIONALITY/VALUE")) if c]
    addresses = _addresses(record, "INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS")
    birth_countries = [c for c in map(country_code, texts_of(record, "INDIVIDUAL_PLACE_OF_BIRTH/COUNTRY")) if c]
    countries = [*nationalities, *birth_countries, *(a.country_code for a in addresses)]
    return ListEntry(
        source=SOURCE,
        ref=ref,
        kind="person" if person else "entity",
        primary_name=primary,
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(_birth_dates(record))),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(dict.fromkeys(c for c in countries if c)),
        programs=tuple(texts_of(record, "UN_LIST_TYPE")),
        addresses=tuple(addresses),
        remarks=text_of(record, "COMMENTS1"),
        listed_on=text_of(record, "LISTED_ON"),
    )


def parse_un(path: Source) -> ParseResult:
    """Parse the UN consolidated list XML."""
    return parse_xml_list(
        read_source(path), source_code=SOURCE, record_tags=_RECORDS, entry=_entry, reference_label="reference"
    )
