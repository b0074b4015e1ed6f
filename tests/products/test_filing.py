"""The issuer's step-by-step filing form and supporting documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from products import services
from products.models import ApplicationDocument, ComputeProduct, ProductDraft
from tests.factories import IssuerFactory, UserFactory

pytestmark = pytest.mark.django_db

STEP_DATA = {
    "instrument": {
        "symbol": "H100-STEP",
        "name": "H100 stepwise forward",
        "product_type": "physical_forward",
        "accelerator_vendor": "NVIDIA",
        "accelerator_model": "H100 SXM",
        "accelerator_memory_gb": "80",
    },
    "delivery": {
        "contract_size": "100",
        "lot_size": "10",
        "minimum_order": "20",
        "position_limit": "1000",
        "delivery_start": "2027-07-01T00:00",
        "delivery_end": "2027-10-01T00:00",
        "delivery_regions": "US",
        "delivery_sites": "US iad-2",
        "provider_name": "Northstar Datacenters Inc.",
        "provider_lei": "5493000PROVIDER00141",
    },
    "sla": {
        "sla_availability_pct": "99.5",
        "sla_performance_floor_pct": "95",
        "sla_reference_benchmark": "MLPerf Training v4.0",
        "sla_measurement_method": "Telemetry every 60 s.",
        "remedy_credit_pct": "10",
        "remedy_make_whole": "on",
    },
    "settlement": {
        "settlement_type": "physical",
        "settlement_currency": "USD",
        "collateral_pct": "25",
        "collateral_custodian": "State Street",
        "last_attestation_date": "2026-10-01",
        "attestation_max_age_days": "90",
    },
    "distribution": {"target_market": "professional", "jurisdictions": "US", "requested_venues": "XCME"},
}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_all_steps(client) -> ProductDraft:
    response = client.post("/filings/new/", STEP_DATA["instrument"])
    assert response.status_code == 302, response.content.decode()
    draft = ProductDraft.objects.get()
    for slug in ("delivery", "sla", "settlement", "distribution"):
        response = client.post(f"/filings/{draft.pk}/{slug}/", STEP_DATA[slug])
        assert response.status_code == 302, response.content.decode()
    draft.refresh_from_db()
    return draft


def test_each_step_is_kept_in_the_draft_until_the_terms_make_a_product(issuer_user):
    client = logged_in(issuer_user)
    client.post("/filings/new/", STEP_DATA["instrument"])
    draft = ProductDraft.objects.get()
    assert draft.data["symbol"] == "H100-STEP" and draft.steps_done == ["instrument"]
    assert not ComputeProduct.objects.exists()


def test_the_last_step_creates_the_product_and_a_draft_application(issuer_user):
    draft = file_all_steps(logged_in(issuer_user))
    assert draft.product.symbol == "H100-STEP"
    assert draft.product.remedy_make_whole is True
    assert draft.product.applications.get().state == "draft"


def test_a_step_shows_whole_product_errors_on_its_own_fields(issuer_user):
    client = logged_in(issuer_user)
    client.post("/filings/new/", STEP_DATA["instrument"])
    draft = ProductDraft.objects.get()
    response = client.post(f"/filings/{draft.pk}/delivery/", {**STEP_DATA["delivery"], "minimum_order": "15"})
    assert response.status_code == 200
    assert "The minimum order must be a multiple of the lot size (10)." in response.content.decode()
    draft.refresh_from_db()
    assert draft.steps_done == ["instrument"]


def test_settlement_step_checks_against_the_product_type_of_step_one(issuer_user):
    client = logged_in(issuer_user)
    client.post("/filings/new/", STEP_DATA["instrument"])
    draft = ProductDraft.objects.get()
    response = client.post(f"/filings/{draft.pk}/settlement/", {**STEP_DATA["settlement"], "settlement_type": "cash"})
    assert "This product type delivers compute: settlement must be physical." in response.content.decode()


def test_after_the_product_exists_a_step_saves_through_product_update(issuer_user):
    client = logged_in(issuer_user)
    draft = file_all_steps(client)
    client.post(f"/filings/{draft.pk}/sla/", {**STEP_DATA["sla"], "remedy_credit_pct": "15"})
    draft.product.refresh_from_db()
    assert draft.product.remedy_credit_pct == 15
    assert draft.product.terms_version == 2


def test_another_issuer_cannot_open_a_draft(issuer_user):
    client = logged_in(issuer_user)
    client.post("/filings/new/", STEP_DATA["instrument"])
    draft = ProductDraft.objects.get()
    stranger = UserFactory(role="issuer", issuer=IssuerFactory())
    assert logged_in(stranger).get(f"/filings/{draft.pk}/instrument/").status_code == 404


def test_review_step_shows_the_officers_rationale_when_changes_are_requested(issuer_user, officer):
    client = logged_in(issuer_user)
    draft = file_all_steps(client)
    app = draft.product.applications.get()
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    services.application_request_changes(application=app, actor=officer, rationale="Raise the collateral to 50%.")
    page = client.get(f"/filings/{draft.pk}/settlement/").content.decode()
    assert "Raise the collateral to 50%." in page


def test_document_upload_keeps_the_sha256_and_refuses_a_disguised_file(issuer_user):
    client = logged_in(issuer_user)
    draft = file_all_steps(client)
    app = draft.product.applications.get()
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client.post(
        f"/applications/{app.pk}/documents/",
        {"doc_type": "term_sheet", "file": SimpleUploadedFile("terms.pdf", pdf, content_type="application/pdf")},
    )
    document = ApplicationDocument.objects.get()
    import hashlib

    assert document.sha256 == hashlib.sha256(pdf).hexdigest() and document.file_type == "pdf"
    response = client.post(
        f"/applications/{app.pk}/documents/",
        {
            "doc_type": "other",
            "file": SimpleUploadedFile("run.pdf", b"MZ\x90\x00binary", content_type="application/pdf"),
        },
        follow=True,
    )
    assert "this file is none of them" in response.content.decode()
    assert ApplicationDocument.objects.count() == 1
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    stranger = UserFactory(role="issuer", issuer=IssuerFactory())
    assert logged_in(stranger).get(f"/documents/{document.pk}/").status_code == 404
