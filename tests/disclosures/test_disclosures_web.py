"""Web pages and API of disclosures: downloads, the public verification page, permissions,
the product page card and the preview command."""

import hashlib

import pytest
from disclosure_helpers import pdf_text, physical_product, published
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from compliance.disclosures import services
from compliance.disclosures.models import DisclosureDocument, DisclosureRendering
from tests.factories import IssuerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- downloads ------------------------------------------------------------------------------------


def test_web_download_is_a_pdf_named_after_the_document(officer):
    document = published(physical_product(symbol="H100-DL-27"), officer=officer)

    response = _client(officer).get(f"/disclosures/{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="H100-DL-27_US_en_v1.pdf"'
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response.content.startswith(b"%PDF")


def test_api_download_is_a_pdf_named_after_the_document(officer):
    document = published(physical_product(symbol="H100-API-27"), officer=officer)

    response = _api(officer).get(f"/api/v1/disclosures/{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="H100-API-27_US_en_v1.pdf"' in response["Content-Disposition"]
    assert response["X-Content-SHA256"] == document.sha256


def test_html_preview_is_sandboxed(officer):
    document = published(physical_product(), officer=officer)

    response = _client(officer).get(f"/disclosures/{document.pk}/preview/")

    assert response.status_code == 200
    assert "sandbox" in response["Content-Security-Policy"]
    assert document.product.symbol in response.content.decode()


# --- verification -----------------------------------------------------------------------------------


def test_verification_by_hash_needs_no_login(officer):
    document = published(physical_product(symbol="H100-VER-27"), officer=officer)

    response = Client().post("/disclosures/verify/", {"sha256": document.sha256.upper()})

    assert response.status_code == 200
    body = response.content.decode()
    assert "H100-VER-27" in body and "current version" in body


def test_verification_of_an_uploaded_pdf(officer):
    document = published(physical_product(symbol="H100-UPL-27"), officer=officer)
    pdf = bytes(DisclosureDocument.objects.get(pk=document.pk).pdf)

    response = Client().post(
        "/disclosures/verify/", {"pdf": SimpleUploadedFile("x.pdf", pdf, content_type="application/pdf")}
    )

    assert response.status_code == 200
    assert "H100-UPL-27" in response.content.decode()


def test_verification_of_an_altered_pdf_says_unknown(officer):
    document = published(physical_product(), officer=officer)
    altered = bytes(DisclosureDocument.objects.get(pk=document.pk).pdf) + b"\n%tampered"

    response = Client().post("/disclosures/verify/", {"pdf": SimpleUploadedFile("x.pdf", altered)})

    assert response.status_code == 404
    assert "matches no published Attest disclosure" in response.content.decode()
    assert hashlib.sha256(altered).hexdigest() in response.content.decode()


def test_drafts_are_not_vouched_for(officer):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    response = Client().post("/disclosures/verify/", {"sha256": draft.sha256})

    assert response.status_code == 404


def test_verification_refuses_a_malformed_hash():
    response = Client().post("/disclosures/verify/", {"sha256": "abc"})

    assert response.status_code == 400
    assert "64 hexadecimal characters" in response.content.decode()


def test_verification_refuses_oversized_uploads(monkeypatch):
    from compliance.disclosures import views

    monkeypatch.setattr(views, "VERIFY_MAX_BYTES", 1000)
    response = Client().post("/disclosures/verify/", {"pdf": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 5000)})

    assert response.status_code == 413


def test_verification_is_csrf_protected():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/disclosures/verify/")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()

    response = client.post("/disclosures/verify/", {"sha256": "0" * 64})

    assert response.status_code == 403


# --- permissions ------------------------------------------------------------------------------------


def test_issuer_sees_its_own_drafts_but_gets_404_for_another_issuers(issuer_user, issuer):
    own = services.disclosure_render_now(product=physical_product(issuer), jurisdiction="US", actor=issuer_user)
    other_issuer = IssuerFactory()
    other_user = UserFactory(role="issuer", issuer=other_issuer)
    theirs = services.disclosure_render_now(product=physical_product(other_issuer), jurisdiction="US", actor=other_user)
    web, api = _client(issuer_user), _api(issuer_user)

    assert web.get(f"/disclosures/{own.pk}/").status_code == 200
    assert web.get(f"/disclosures/{own.pk}/pdf/").status_code == 200
    for path in ("", "pdf/", "preview/"):
        assert web.get(f"/disclosures/{theirs.pk}/{path}").status_code == 404
    assert api.get(f"/api/v1/disclosures/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/disclosures/{theirs.pk}/pdf/").status_code == 404
    assert [d["id"] for d in api.get("/api/v1/disclosures/").json()["results"]] == [own.pk]


def test_issuers_cannot_publish_through_the_api(issuer_user, issuer):
    draft = services.disclosure_render_now(product=physical_product(issuer), jurisdiction="US", actor=issuer_user)

    response = _api(issuer_user).post(f"/api/v1/disclosures/{draft.pk}/publish/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_officer_publishes_through_the_api(officer):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    response = _api(officer).post(f"/api/v1/disclosures/{draft.pk}/publish/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


def test_rendering_request_through_the_api_is_queued(officer, django_capture_on_commit_callbacks, monkeypatch):
    from compliance.disclosures import tasks

    queued = []
    monkeypatch.setattr(tasks.disclosure_render, "delay", queued.append)
    product = physical_product()

    with django_capture_on_commit_callbacks(execute=True):
        response = _api(officer).post(
            "/api/v1/disclosure-renderings/", {"product": product.symbol, "jurisdiction": "US"}, format="json"
        )

    assert response.status_code == 202
    rendering = DisclosureRendering.objects.get(pk=response.json()["id"])
    assert queued == [rendering.pk] and rendering.status == "requested"


def test_rendering_request_for_a_jurisdiction_not_offered_is_a_400(officer):
    response = _api(officer).post(
        "/api/v1/disclosure-renderings/",
        {"product": physical_product().symbol, "jurisdiction": "HK"},
        format="json",
    )

    assert response.status_code == 400
    assert "jurisdiction" in response.json()["errors"]


# --- product page and command ----------------------------------------------------------------------


def test_product_page_offers_render_to_issuers_and_publish_to_officers(issuer_user, issuer, officer):
    product = physical_product(issuer)
    services.disclosure_render_now(product=product, jurisdiction="US", actor=issuer_user)

    as_issuer = _client(issuer_user).get(f"/products/{product.symbol}/").content.decode()
    as_officer = _client(officer).get(f"/products/{product.symbol}/").content.decode()

    assert "Risk disclosures" in as_issuer and "Render preview" in as_issuer and "Publish v1" not in as_issuer
    assert "Publish v1" in as_officer


def test_render_preview_button_queues_a_rendering(issuer_user, issuer, django_capture_on_commit_callbacks, monkeypatch):
    from compliance.disclosures import tasks

    monkeypatch.setattr(tasks.disclosure_render, "delay", lambda rendering_id: None)
    product = physical_product(issuer)

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(issuer_user).post(
            f"/products/{product.symbol}/disclosures/render/", {"jurisdiction": "US", "language": "en"}
        )

    assert response.status_code == 302
    assert DisclosureRendering.objects.filter(product=product, jurisdiction="US").exists()


def test_disclosure_list_page(officer):
    published(physical_product(symbol="H100-LIST-27"), officer=officer)

    response = _client(officer).get("/disclosures/?status=published")

    assert response.status_code == 200
    assert "H100-LIST-27" in response.content.decode()


def test_command_renders_a_preview_without_writing(tmp_path, capsys):
    product = physical_product(symbol="H100-CMD-27")
    out = tmp_path / "preview.pdf"

    call_command("render_disclosure", "H100-CMD-27", "--jurisdiction", "US", "--language", "en", "--out", str(out))

    assert "H100-CMD-27" in pdf_text(out.read_bytes())
    assert "sha256" in capsys.readouterr().out
    assert not DisclosureDocument.objects.filter(product=product).exists()


def test_command_explains_a_missing_pango_in_one_line(tmp_path, monkeypatch):
    import builtins

    from django.core.management.base import CommandError

    physical_product(symbol="H100-NOPANGO")
    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(CommandError) as caught:
        call_command("render_disclosure", "H100-NOPANGO", "--jurisdiction", "US", "--out", str(tmp_path / "x.pdf"))

    message = str(caught.value)
    assert "\n" not in message and "libpango-1.0-0" in message and "fonts-liberation2" in message
