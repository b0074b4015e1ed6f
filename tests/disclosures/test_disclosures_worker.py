"""Disclosures rendered through the Celery task on a real worker process (PostgreSQL), read back
with pypdf: the figures come from the product's terms, and a changed term shows in the next
rendering."""

from decimal import Decimal

import pytest
from disclosure_helpers import cash_product, eu_retail_product, pdf_pages, pdf_text, physical_product

from compliance.disclosures import services
from compliance.disclosures.models import DisclosureDocument, DisclosureRendering, DocumentStatus, RenderingStatus
from products.services import product_update
from tests.worker import wait_until

pytestmark = pytest.mark.slow


def _render_on_worker(product, jurisdiction, actor) -> DisclosureRendering:
    rendering = services.disclosure_rendering_request(product=product, jurisdiction=jurisdiction, actor=actor)
    finished = wait_until(
        lambda: (
            DisclosureRendering.objects.get(pk=rendering.pk).status in (RenderingStatus.DONE, RenderingStatus.FAILED)
        ),
        timeout=60,
    )
    assert finished, "the worker did not finish the rendering within 60 s"
    return DisclosureRendering.objects.select_related("document").get(pk=rendering.pk)


def test_worker_renders_the_terms_and_a_changed_sla_shows_in_the_next_rendering(
    celery_worker_process, issuer_user, issuer
):
    product = physical_product(issuer, sla_availability_pct=Decimal("99.5"), remedy_credit_pct=Decimal("10"))

    first = _render_on_worker(product, "US", issuer_user)

    assert first.status == RenderingStatus.DONE, first.error
    document = first.document
    text = pdf_text(document.pdf)
    assert "99.5%" in text  # SLA availability
    assert "1 Jul 2027 00:00 – 1 Oct 2027 00:00 UTC" in text  # delivery window
    assert "iad-2 (US)" in text and "Northstar Datacenters Inc." in text
    assert f"{product.symbol} · Risk disclosure · United States" in text  # running header
    assert "Page 1 of" in text and "Document version 1" in text
    assert (document.version, document.status, document.terms_version) == (1, DocumentStatus.DRAFT, 1)
    assert document.page_count == pdf_pages(document.pdf)
    assert document.template_version.startswith("disclosures-1+")
    assert document.rendered_at is not None

    product_update(actor=issuer_user, product=product, sla_availability_pct=Decimal("98.25"))
    second = _render_on_worker(product, "US", issuer_user)

    assert second.status == RenderingStatus.DONE, second.error
    redone = DisclosureDocument.objects.get(pk=second.document_id)
    assert redone.pk == document.pk  # the draft is re-rendered in place, same version
    assert redone.terms_version == 2
    new_text = pdf_text(redone.pdf)
    assert "98.25%" in new_text and "99.5%" not in new_text
    assert redone.sha256 != document.sha256


def test_worker_renders_index_and_regions_and_same_inputs_give_the_same_hash(celery_worker_process, officer):
    product = cash_product()

    first = _render_on_worker(product, "US", officer)
    assert first.status == RenderingStatus.DONE, first.error
    text = pdf_text(first.document.pdf)
    assert "Silicon Data H100 Rental Index (SDH100RT)" in text
    assert "Silicon Data Inc." in text
    assert "United States" in text and "Singapore" in text
    sha = first.document.sha256

    again = _render_on_worker(product, "US", officer)
    assert again.status == RenderingStatus.DONE, again.error
    assert DisclosureDocument.objects.get(pk=again.document_id).sha256 == sha


def test_worker_reports_a_kid_over_three_pages_to_the_user(celery_worker_process, officer):
    # A measurement method long enough to push the EU retail KID past three A4 pages.
    product = eu_retail_product(sla_measurement_method="Per-accelerator telemetry, audited quarterly. " * 160)

    rendering = _render_on_worker(product, "EU", officer)

    assert rendering.status == RenderingStatus.FAILED
    assert "EU key information document renders to" in rendering.error
    assert "may not exceed 3" in rendering.error
    assert rendering.document is None
    assert not DisclosureDocument.objects.filter(product=product).exists()


def test_a_redelivered_task_does_nothing(celery_worker_process, officer):
    product = physical_product()
    rendering = _render_on_worker(product, "US", officer)
    assert rendering.status == RenderingStatus.DONE

    assert services.disclosure_render(rendering_id=rendering.pk) is None
    assert DisclosureDocument.objects.filter(product=product).count() == 1
