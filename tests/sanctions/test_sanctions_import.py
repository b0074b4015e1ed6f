"""List import: real files, versions and deltas, malformed rows, no-op re-import, atomic switch."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from compliance.sanctions.lists import parse_eu, parse_uk
from compliance.sanctions.models import ListedEntry, ListSource, ListVersion
from compliance.sanctions.selectors import screening_index
from tests.kyc.kyc_support import entry, import_entries

pytestmark = pytest.mark.django_db
DATA = Path(settings.ATTEST_SANCTIONS_DATA_DIR)
FIXTURES = Path(__file__).parent / "fixtures"
needs_data = pytest.mark.skipif(not (DATA / "sdn.csv").exists(), reason="real lists not present")


@needs_data
def test_import_real_ofac_and_un(capsys):
    call_command("import_sanctions", str(DATA / "sdn.csv"), "--source", "ofac-sdn")
    call_command("import_sanctions", str(DATA / "UN_consolidated.xml"), "--source", "un")
    ofac = ListSource.objects.get(code="ofac-sdn").current
    un = ListSource.objects.get(code="un").current
    assert ofac.counts["entries"] == 8976 and ofac.counts["alt_rows"] == 11910
    assert un.counts["entries"] == 1003
    assert ListedEntry.objects.filter(version=ofac).count() == 8976
    assert len(ofac.added) == 8976 and ofac.removed == [] and set(ofac.checksums) == {"sdn.csv", "alt.csv", "add.csv"}
    assert "8976 entries, 8976 added" in capsys.readouterr().out
    index = screening_index()
    assert index.matcher.screen("Manuel Antonio Noriega", "person")[0].ref == "1572"
    assert index.matcher.screen("Manuel Antonio Noriega", "person")[0].source == "ofac-sdn"


def test_import_eu_and_uk_fixtures():
    for source, name, parser in (("eu", "eu_fsf_export.xml", parse_eu), ("uk", "ofsi_conlist.csv", parse_uk)):
        call_command("import_sanctions", str(FIXTURES / name), "--source", source)
        version = ListSource.objects.get(code=source).current
        assert version.counts == dict(parser(FIXTURES / name).report.counts)
        assert version.entries.count() == version.counts["entries"]


@needs_data
def test_reimport_same_checksum_is_a_noop(capsys):
    call_command("import_sanctions", str(DATA / "UN_consolidated.xml"), "--source", "un")
    call_command("import_sanctions", str(DATA / "UN_consolidated.xml"), "--source", "un")
    assert ListVersion.objects.filter(source__code="un").count() == 1
    assert "already current" in capsys.readouterr().out


def test_delta_between_versions():
    import_entries([entry("1", "Alpha One"), entry("2", "Beta Two"), entry("3", "Gamma Three")])
    outcome = import_entries(
        [entry("1", "Alpha One"), entry("2", "Beta Two", birth_dates=["1970"]), entry("4", "Delta")]
    )
    version = outcome.version
    assert (version.number, version.added, version.removed, version.changed) == (2, ["4"], ["3"], ["2"])
    assert version.previous.number == 1
    assert ListSource.objects.get(code="un").current == version


def test_malformed_rows_are_reported_with_file_and_line(tmp_path, capsys):
    (tmp_path / "sdn.csv").write_bytes(
        b'36,"AEROCARIBBEAN AIRLINES",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"Havana, Cuba."\n'
        b"not,a,valid,row\n"
        b'173,"ANGLO-CARIBBEAN CO., LTD.",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n'
    )
    call_command("import_sanctions", str(tmp_path / "sdn.csv"), "--source", "ofac-sdn")
    version = ListSource.objects.get(code="ofac-sdn").current
    assert version.counts["entries"] == 2
    assert version.malformed == [{"file": "sdn.csv", "line": 2, "reason": "expected 12 fields, found 4"}]
    assert "skipped sdn.csv:2: expected 12 fields" in capsys.readouterr().err


def test_failed_import_leaves_previous_version_current(monkeypatch):
    first = import_entries([entry("1", "Alpha One")]).version
    original = ListedEntry.objects.bulk_create

    def explode(rows, **kwargs):
        original(rows[:1], **kwargs)  # some rows are written before the failure
        raise RuntimeError("disk full")

    monkeypatch.setattr(ListedEntry.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        import_entries([entry("1", "Alpha One"), entry("2", "Beta Two")])
    assert ListSource.objects.get(code="un").current == first
    assert ListVersion.objects.count() == 1
    assert ListedEntry.objects.count() == 1
