"""Loading packs takes its locks in the order the products services do: the application row
before the audit chain (an advisory lock held to commit). In the opposite order, a pack load
and an approval of an application it re-runs deadlock.

The interleaving is made deterministic without sleeps: the approval, holding the application
row, waits until the pack load is observed blocked by it, then goes on to write its audit
event. Had the load already appended to the audit chain, the two would now wait on each other.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from compliance.rules import services
from compliance.rules.models import RuleRun, RunReason
from products import services as product_services
from products.models import ApplicationVersion
from tests.races import wait_until_someone_waits_for_me
from tests.rules.support import submitted_application, us_pack_variant, write_pack

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row and advisory locks of PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_a_pack_load_waits_for_an_approval_holding_the_application_instead_of_deadlocking(
    tmp_path, officer, settings, monkeypatch
):
    settings.ATTEST_REQUIRE_ISSUER_KYB = False
    services.packs_load(
        paths=[write_pack(tmp_path, "us-2026.1.yaml", us_pack_variant(version="2026.1", effective_from="2026-01-01"))]
    )
    app = submitted_application(jurisdictions=["US"])
    ApplicationVersion.objects.filter(application=app).update(submitted_at=timezone.now() - dt.timedelta(days=1))
    services.run_execute(services.run_begin_for_submission(application_id=app.pk))
    today = timezone.now().date().isoformat()
    old = write_pack(
        tmp_path, "us-2026.1.yaml", us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to=today)
    )
    new = write_pack(tmp_path, "us-2026.2.yaml", us_pack_variant(version="2026.2", effective_from=today))

    real_blockers = product_services.approval_blockers
    approver_holds_row = threading.Event()
    seen = {}

    def blockers_once_the_load_waits(application):  # called right after application_approve's row lock
        if threading.current_thread().name == "approver":
            approver_holds_row.set()
            seen["load_blocked_by_approver"] = wait_until_someone_waits_for_me()
        return real_blockers(application)

    monkeypatch.setattr(product_services, "approval_blockers", blockers_once_the_load_waits)
    outcome = {}

    def approve():
        try:
            product_services.application_approve(application=app, actor=officer, rationale="Looks fine.")
            outcome["approve"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["approve"] = repr(exc)
        finally:
            connection.close()

    approver = threading.Thread(target=approve, name="approver")
    approver.start()
    try:
        assert approver_holds_row.wait(15)
        try:
            report = services.packs_load(paths=[old, new])
            outcome["packs_load"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["packs_load"] = repr(exc)
    finally:
        approver.join(30)

    assert seen == {"load_blocked_by_approver": True}
    assert outcome == {"approve": "ok", "packs_load": "ok"}
    rerun = RuleRun.objects.get(application=app, reason=RunReason.PACK_UPDATE)
    assert report.reruns == [rerun.pk]
    assert not app.approvals.exists()  # the approval given before the re-run was withdrawn by it
