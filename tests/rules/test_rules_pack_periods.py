"""A stored version's period cannot be ended before a day a run was checked under it, and the
text and hash a run compiled are never rewritten."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compliance.audit.models import AuditEvent
from compliance.rules import selectors, services
from compliance.rules.models import RulePack
from products.models import ApplicationVersion
from tests.rules.support import submitted_application, us_pack_variant, write_pack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules_gate_only(settings):
    settings.ATTEST_REQUIRE_ISSUER_KYB = False


def checked(*, days_ago: int):
    application = submitted_application(jurisdictions=["US"], symbol=f"H100-P{days_ago}")
    ApplicationVersion.objects.filter(application=application).update(
        submitted_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return services.run_execute(services.run_begin_for_submission(application_id=application.pk))


def closed_on(tmp_path, day: dt.date):
    return write_pack(
        tmp_path,
        "us-2026.1.yaml",
        us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to=day.isoformat()),
    )


@pytest.mark.parametrize("days_before_as_of", [0, 1])
def test_a_period_may_not_end_on_or_before_a_day_a_run_used_it(tmp_path, capsys, days_before_as_of):
    call_command("load_rule_packs")
    run = checked(days_ago=0)
    row = run.results.get().pack
    stored = (row.effective_to, row.content_hash, row.source_text)
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError):
        call_command("load_rule_packs", str(closed_on(tmp_path, run.as_of - dt.timedelta(days=days_before_as_of))))
    err = capsys.readouterr().err
    assert f"US 2026.1 cannot end on {(run.as_of - dt.timedelta(days=days_before_as_of)).isoformat()}" in err
    assert f"rule run #{run.pk}" in err
    assert f"may end no earlier than {(run.as_of + dt.timedelta(days=1)).isoformat()}" in err
    row.refresh_from_db()
    assert (row.effective_to, row.content_hash, row.source_text) == stored
    assert selectors.pack_in_force("US", run.as_of) == row
    assert AuditEvent.objects.count() == events


def test_closing_a_used_version_after_its_runs_keeps_its_text_and_hash(tmp_path):
    call_command("load_rule_packs")
    run = checked(days_ago=1)
    row = run.results.get().pack
    text, content_hash = row.source_text, row.content_hash
    today = timezone.now().date()
    old = closed_on(tmp_path, today)
    new = write_pack(tmp_path, "us-2026.2.yaml", us_pack_variant(version="2026.2", effective_from=today.isoformat()))

    report = services.packs_load(paths=[old, new])
    assert report.period_closed == ["US 2026.1"] and report.loaded == ["US 2026.2"]
    row.refresh_from_db()
    assert row.effective_to == today
    assert (row.source_text, row.content_hash) == (text, content_hash)  # what the run compiled
    assert selectors.pack_in_force("US", run.as_of) == row
    event = AuditEvent.objects.get(action="rule_pack.close_period")
    assert event.before == {"effective_to": None}
    assert event.after["effective_to"] == today.isoformat() and event.after["content_hash"] == content_hash
    assert event.after["file_hash"] != content_hash

    # Loading the same files again changes nothing.
    events = AuditEvent.objects.count()
    again = services.packs_load(paths=[old, new])
    assert again.unchanged == ["US 2026.1", "US 2026.2"] and not again.period_closed
    assert AuditEvent.objects.count() == events


def test_a_used_version_may_still_end_later_but_not_change_content(tmp_path):
    call_command("load_rule_packs")
    checked(days_ago=1)
    today = timezone.now().date()
    services.packs_load(paths=[closed_on(tmp_path, today + dt.timedelta(days=30))])
    services.packs_load(paths=[closed_on(tmp_path, today)])
    assert RulePack.objects.get(jurisdiction="US").effective_to == today

    changed = write_pack(
        tmp_path,
        "us-2026.1.yaml",
        us_pack_variant(
            version="2026.1",
            effective_from="2026-01-01",
            effective_to=today.isoformat(),
            edit=("citation: 17 CFR §1.55; 17 CFR §23.431", "citation: 17 CFR §1.55"),
        ),
    )
    with pytest.raises(services.PacksRefused, match="already loaded with different content"):
        services.packs_load(paths=[changed])
