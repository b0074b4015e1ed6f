"""EU FSF XML and UK OFSI CSV parsing, on small fixtures in the published formats."""

from pathlib import Path

import pytest

from compliance.sanctions.lists import parse_eu, parse_uk

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def eu():
    return parse_eu(FIXTURES / "eu_fsf_export.xml")


@pytest.fixture(scope="module")
def uk():
    return parse_uk(FIXTURES / "ofsi_conlist.csv")


def test_eu_entries_and_kinds(eu):
    assert [(e.ref, e.kind) for e in eu.entries] == [
        ("13", "person"),
        ("140587", "entity"),
        ("150001", "person"),
    ]


def test_eu_person_names_dob_and_citizenship(eu):
    saddam = eu.entries[0]
    assert saddam.primary_name == "Saddam Hussein Al-Tikriti"
    assert [n.alias_type for n in saddam.names] == ["primary", "weak", "aka"]
    assert saddam.birth_dates == ("1937-04-28",)
    assert saddam.nationalities == ("IQ",)
    assert saddam.programs == ("TAQA",)


def test_eu_name_from_parts_and_circa_year(eu):
    person = eu.entries[2]
    assert person.primary_name == "Ekaterina Vladimirovna Kolesnikova"
    assert person.birth_dates == ("1975~",)


def test_eu_malformed_entity_is_reported(eu):
    assert [(m.line, m.reason) for m in eu.report.malformed] == [(28, "sanctionEntity 160001 has no name")]


def test_uk_rows_sharing_group_id_are_one_entry(uk):
    assert [(e.ref, e.kind) for e in uk.entries] == [
        ("7001", "person"),
        ("15001", "person"),
        ("14170", "entity"),
        ("15500", "vessel"),
    ]
    sovcomflot = uk.entries[2]
    assert [(n.name, n.alias_type) for n in sovcomflot.names] == [
        ("SOVCOMFLOT", "primary"),
        ("SOVKOMFLOT PAO", "aka"),
        ("ПАО Совкомфлот", "original_script"),
    ]


def test_uk_dob_with_unknown_day_and_month_and_numbered_nationalities(uk):
    person = uk.entries[1]
    assert person.birth_dates == ("1975",)
    assert person.nationalities == ("RU", "BY")


def test_uk_low_quality_alias_is_weak(uk):
    assert ("Abu ALI", "weak") in [(n.name, n.alias_type) for n in uk.entries[0].names]


def test_uk_malformed_row_is_reported_with_its_line(uk):
    assert [(m.file, m.line) for m in uk.report.malformed] == [("ofsi_conlist.csv", 8)]
    assert uk.report.counts["rows"] == 7
