"""OFAC SDN legacy CSV parsing, on the real published files."""

import hashlib
from pathlib import Path

import pytest

from compliance.sanctions.lists import SourceFile, parse_ofac
from compliance.sanctions.lists.dates import parse_list_date

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"


@pytest.fixture(scope="module")
def ofac():
    return parse_ofac(DATA / "sdn.csv", DATA / "alt.csv", DATA / "add.csv")


@pytest.fixture(scope="module")
def by_ref(ofac):
    return {e.ref: e for e in ofac.entries}


def test_every_sdn_row_becomes_an_entry(ofac):
    counts = ofac.report.counts
    assert counts["entries"] == counts["sdn_rows"] == 8976
    assert (counts["person"], counts["entity"], counts["vessel"], counts["aircraft"]) == (
        4620,
        3673,
        406,
        277,
    )


def test_the_real_files_have_no_malformed_rows(ofac):
    assert ofac.report.malformed == ()
    assert ofac.report.counts["alt_rows"] == 11910


def test_checksums_are_sha256_of_each_file(ofac):
    expected = hashlib.sha256((DATA / "alt.csv").read_bytes()).hexdigest()
    assert ofac.report.checksums["alt.csv"] == expected
    assert len(ofac.report.checksum) == 64


def test_known_entity_has_its_aliases_and_addresses(by_ref):
    bank = by_ref["306"]
    assert bank.kind == "entity"
    assert bank.primary_name == "BANCO NACIONAL DE CUBA"
    assert ("NATIONAL BANK OF CUBA", "aka") in [(n.name, n.alias_type) for n in bank.names]
    assert {"CH", "ES", "JP", "PA"} <= set(bank.countries)
    assert bank.programs == ("CUBA",)


def test_weak_aliases_in_remarks_are_kept_as_weak(by_ref):
    assert ("BNC", "weak") in [(n.name, n.alias_type) for n in by_ref["306"].names]


def test_dob_is_extracted_from_remarks(by_ref):
    assert by_ref["2674"].birth_dates == ("1948-12-10",)


def test_nationality_and_approximate_dob_from_remarks(by_ref):
    naway = by_ref["9754"]
    assert naway.nationalities == ("IR",)
    assert naway.birth_dates == ("1945~", "1950~")


def test_several_programs_are_split(by_ref):
    assert by_ref["10479"].programs == ("SDGT", "NPWMD", "IRGC", "IFSR")


def test_malformed_rows_are_reported_with_line_numbers_and_skipped(tmp_path):
    # Copies of the real files (never the originals) with bad rows appended after the data,
    # where the DOS end-of-file mark was.
    bad = {
        "sdn.csv": b'99999991,"SHORT ROW","individual"\r\n'
        b'abc,"BAD NUMBER",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
        "alt.csv": b'424242424,1,"aka","ORPHAN ALIAS",-0- \r\n',
        "add.csv": b"",
    }
    for name, rows in bad.items():
        (tmp_path / name).write_bytes((DATA / name).read_bytes().rstrip(b"\x1a") + rows)
    result = parse_ofac(tmp_path / "sdn.csv", tmp_path / "alt.csv", tmp_path / "add.csv")
    assert [(m.file, m.line) for m in result.report.malformed] == [
        ("sdn.csv", 8977),
        ("sdn.csv", 8978),
        ("alt.csv", 11911),
    ]
    assert "expected 12 fields" in result.report.malformed[0].reason
    assert "not in the SDN file" in result.report.malformed[2].reason
    assert result.report.counts["entries"] == 8976


def test_bytes_can_be_parsed_without_a_path():
    row = b'1,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1970."\r\n'
    result = parse_ofac(SourceFile("upload.csv", row))
    assert result.entries[0].birth_dates == ("1970",)
    assert result.report.checksum == hashlib.sha256(row).hexdigest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Jan 1960", "1960-01-12"),
        ("Jan 1960", "1960-01"),
        ("1960", "1960"),
        ("circa 1960", "1960~"),
        ("1960 to 1962", "1960/1962"),
        ("not a date", ""),
    ],
)
def test_ofac_dob_phrases(text, expected):
    assert parse_list_date(text) == expected
