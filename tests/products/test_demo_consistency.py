"""The demo seed tells one consistent story as of the moment it runs, whatever the date: nothing
is reported from the future, and every reason an officer gives agrees with the product's terms,
its delivery data and its attestations."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance.audit.models import AuditEvent
from compliance.rules import selectors as rule_selectors
from compliance.rules.models import JurisdictionResult, PartStatus, RunStatus
from delivery.models import CapacityAttestation, DeliveryReport
from products.models import ApplicationState, ComputeProduct, Listing, ProductApplication

pytestmark = pytest.mark.django_db

# A site id as the demo and the terms write them: "iad-2", "fra-1", "sin-3".
SITE_ID = re.compile(r"\b[a-z]{3}-\d+\b")
PERIOD = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


@pytest.fixture
def seeded_at():
    """Seed the demo; return the moment it finished (the seed's "now" is at most this)."""
    call_command("seed_demo")
    return timezone.now()


def reasons():
    """(product, reason) for every rationale given on an application's workflow and every
    listing's status reason."""
    apps = {str(a.pk): a for a in ProductApplication.objects.select_related("product")}
    found = []
    for event in AuditEvent.objects.filter(object_type="products.productapplication").exclude(rationale=""):
        app = apps.get(event.object_id)
        if app is not None:
            found.append((app.product, event.rationale))
    for listing in Listing.objects.select_related("product").exclude(status_reason=""):
        found.append((listing.product, listing.status_reason))
    assert found, "the seed gave no reasons: the test would prove nothing"
    return found


def test_no_delivery_report_is_dated_after_the_seed_ran(seeded_at):
    reports = list(DeliveryReport.objects.select_related("product"))
    assert reports, "the seed has no delivery reports: the test would prove nothing"
    late = [
        f"{r.product.symbol} {r.granularity} {r.period_start:%Y-%m-%d %H:%M} received {r.received_at:%Y-%m-%d}"
        for r in reports
        if r.period_start + PERIOD[r.granularity] > seeded_at or r.received_at > seeded_at
    ]
    assert not late, "reports for periods that had not ended when the seed ran:\n" + "\n".join(late[:10])


def test_a_product_whose_window_has_not_started_has_no_delivery_reports(seeded_at):
    future = ComputeProduct.objects.filter(delivery_start__gt=seeded_at)
    assert future.exists()
    assert not DeliveryReport.objects.filter(product__in=future).exists()


def test_a_reason_that_names_a_site_names_one_of_the_products_sites(seeded_at):
    wrong = []
    for product, reason in reasons():
        sites = {s["site_id"] for s in product.delivery_sites}
        wrong += [
            f"{product.symbol} ({', '.join(sorted(sites))}): {reason}"
            for s in SITE_ID.findall(reason)
            if s not in sites
        ]
    assert not wrong, "\n".join(wrong)


def test_delivery_window_ended_is_said_only_of_products_whose_window_ended(seeded_at):
    wrong = [
        f"{product.symbol} (window ends {product.delivery_end:%Y-%m-%d}): {reason}"
        for product, reason in reasons()
        if "delivery window ended" in reason.lower() and product.delivery_end > seeded_at
    ]
    assert not wrong, "\n".join(wrong)


def test_an_overdue_attestation_is_said_only_of_an_overdue_one(seeded_at):
    wrong = []
    for product, reason in reasons():
        if "attestation overdue" not in reason.lower():
            continue
        latest = CapacityAttestation.objects.filter(product=product).order_by("-attested_on").first()
        dates = [d for d in (latest and latest.attested_on, product.last_attestation_date) if d]
        age = (seeded_at.date() - max(dates)).days if dates else None
        if age is not None and age <= product.attestation_max_age_days:
            wrong.append(f"{product.symbol} (attested {age} days ago, allowed {product.attestation_max_age_days})")
    assert not wrong, "\n".join(wrong)


def test_the_terms_last_attestation_is_the_newest_attestation_on_file(seeded_at):
    attested = ComputeProduct.objects.filter(capacity_attestations__isnull=False).distinct()
    assert attested.exists(), "no attestation on file: the test would prove nothing"
    wrong = []
    for product in attested:
        newest = product.capacity_attestations.order_by("-attested_on").first().attested_on
        # The product's current terms, and the terms frozen in each application's latest version.
        declared = {product.last_attestation_date}
        for app in product.applications.filter(version__gte=1):
            frozen = app.versions.get(number=app.version).terms["last_attestation_date"]
            declared.add(date.fromisoformat(frozen) if frozen else None)
        if declared != {newest}:
            wrong.append(f"{product.symbol}: terms say {sorted(map(str, declared))}, newest attestation {newest}")
    assert not wrong, "\n".join(wrong)


def test_no_application_waits_in_checks_running_without_a_rule_run_in_progress(seeded_at):
    waiting = ProductApplication.objects.filter(state=ApplicationState.CHECKS_RUNNING)
    assert waiting.exists(), "the demo should show the checks_running state"
    for app in waiting:
        run = rule_selectors.latest_run(app)
        assert run is not None, f"application #{app.pk} is in checks_running with no rule run"
        assert run.status == RunStatus.RUNNING and run.version_number == app.version
        assert JurisdictionResult.objects.filter(run=run, status=PartStatus.PENDING).exists()
