import sys

import pytest
from django.core.management import CommandError, call_command

from compliance.audit.models import AuditEvent
from compliance.rules.models import Rule, RulePack
from tests.rules.support import US_PACK, us_pack_variant, write_pack

pytestmark = pytest.mark.django_db


def run_command(*args):
    """The exit code `manage.py load_rule_packs` ends with: a CommandError's returncode.

    (Running it through ManagementUtility would close the test's database connection.)
    """
    try:
        call_command("load_rule_packs", *map(str, args))
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.returncode
    return 0


def test_loads_every_shipped_pack_with_its_rules():
    call_command("load_rule_packs")
    assert sorted(RulePack.objects.values_list("jurisdiction", flat=True)) == ["CH", "EU", "GB", "HK", "SG", "US"]
    us = RulePack.objects.get(jurisdiction="US")
    assert us.rules.count() == 19
    assert us.rules.get(rule_id="US-COMPUTE-INDEX").outcome == "block"
    assert AuditEvent.objects.filter(action="rule_pack.load").count() == 6


def test_loading_twice_changes_nothing(capsys):
    call_command("load_rule_packs")
    rules, events = Rule.objects.count(), AuditEvent.objects.count()
    call_command("load_rule_packs")
    assert (Rule.objects.count(), AuditEvent.objects.count()) == (rules, events)
    assert "unchanged US 2026.1" in capsys.readouterr().out


def test_changed_content_without_a_new_version_is_refused_with_exit_code(tmp_path, capsys):
    call_command("load_rule_packs")
    changed = write_pack(
        tmp_path,
        "us-2026.1.yaml",
        US_PACK.replace("citation: 17 CFR §1.55; 17 CFR §23.431", "citation: 17 CFR §1.55", 1),
    )
    assert run_command(changed) == 1
    err = capsys.readouterr().err
    assert "us-2026.1.yaml" in err and "US 2026.1 is already loaded with different content" in err
    assert "rule US-COMPUTE-COLLATERAL (citation)" in err
    stored = RulePack.objects.get(jurisdiction="US").rules.get(rule_id="US-COMPUTE-COLLATERAL")
    assert stored.citation == "17 CFR §1.55; 17 CFR §23.431"


def test_overlapping_versions_are_refused_and_nothing_is_loaded(tmp_path, capsys):
    call_command("load_rule_packs")
    overlapping = write_pack(tmp_path, "us-2026.2.yaml", us_pack_variant(version="2026.2", effective_from="2026-06-01"))
    assert run_command(overlapping) == 1
    err = capsys.readouterr().err
    assert "US 2026.2 [2026-06-01, open end) overlaps US 2026.1 [2026-01-01, open end)" in err
    assert not RulePack.objects.filter(version="2026.2").exists()


def test_a_successor_loads_when_the_old_version_closes_its_period(tmp_path):
    call_command("load_rule_packs")
    old = write_pack(
        tmp_path,
        "us-2026.1.yaml",
        us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to="2026-06-01"),
    )
    new = write_pack(tmp_path, "us-2026.2.yaml", us_pack_variant(version="2026.2", effective_from="2026-06-01"))
    call_command("load_rule_packs", str(old), str(new))
    periods = list(RulePack.objects.filter(jurisdiction="US").values_list("version", "effective_to"))
    assert [(v, str(to)) for v, to in periods] == [("2026.1", "2026-06-01"), ("2026.2", "None")]
    assert AuditEvent.objects.filter(action="rule_pack.close_period").count() == 1


def test_an_invalid_pack_is_refused_naming_pack_rule_and_position(tmp_path, capsys):
    broken = write_pack(tmp_path, "us-broken.yaml", US_PACK.replace("outcome: block", "outcome: forbid", 1))
    assert run_command(broken) == 1
    err = capsys.readouterr().err
    assert "us-broken.yaml: rule US-CEA-2E-NON-ECP: line 39" in err
    assert not RulePack.objects.exists()
