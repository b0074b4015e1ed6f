"""UN Security Council consolidated XML parsing, on the real published file."""

from pathlib import Path

import pytest

from compliance.sanctions.lists import SourceFile, parse_un

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"


@pytest.fixture(scope="module")
def un():
    return parse_un(DATA / "UN_consolidated.xml")


def test_counts_of_individuals_and_entities(un):
    counts = un.report.counts
    assert (counts["entries"], counts["person"], counts["entity"]) == (1003, 730, 273)
    assert un.report.malformed == ()


def test_known_individual_with_aliases_dob_and_nationality(un):
    saddam = next(e for e in un.entries if e.ref == "IQi.001")
    assert saddam.primary_name == "SADDAM HUSSEIN AL-TIKRITI"
    assert ("Abu Ali", "weak") in [(n.name, n.alias_type) for n in saddam.names]
    assert "original_script" in {n.alias_type for n in saddam.names}
    assert saddam.birth_dates == ("1937-04-28",)
    assert saddam.nationalities == ("IQ",)


def test_between_dates_become_year_intervals(un):
    assert any("/" in d for e in un.entries for d in e.birth_dates)


def _xml(body: str) -> SourceFile:
    text = f'<?xml version="1.0"?>\n<CONSOLIDATED_LIST><INDIVIDUALS>\n{body}'
    return SourceFile("un.xml", text.encode())


def test_record_without_name_is_reported_with_its_line():
    body = (
        "<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>JOHN</FIRST_NAME></INDIVIDUAL>\n"
        "<INDIVIDUAL><DATAID>2</DATAID></INDIVIDUAL>\n"
        "</INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    result = parse_un(_xml(body))
    assert [e.ref for e in result.entries] == ["1"]
    assert [(m.line, m.reason) for m in result.report.malformed] == [(4, "record 2 has no name")]


def test_truncated_file_keeps_earlier_records_and_reports_the_damage():
    body = "<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>JOHN</FIRST_NAME></INDIVIDUAL>\n<INDIV"
    result = parse_un(_xml(body))
    assert [e.ref for e in result.entries] == ["1"]
    assert result.report.malformed[0].reason.startswith("XML error")


def test_entity_declarations_are_refused():
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>'
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
        b"<FIRST_NAME>&a;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    result = parse_un(SourceFile("evil.xml", evil))
    assert result.entries == ()
    assert "not allowed" in result.report.malformed[0].reason
