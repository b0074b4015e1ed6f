"""Officers record a capacity attestation received outside the API (an auditor's letter)."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.audit.models import AuditEvent
from delivery.models import AttestationEvidence, CapacityAttestation

LETTER = b"%PDF-1.4\nauditor letter\n%%EOF\n"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("delivery.tasks.evaluate_product.delay", lambda product_id: None)


def form(**overrides):
    data = {
        "attested_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "attesting_party": "Weiss & Partner Audit GmbH",
        "attesting_role": "auditor",
        "sites": "DE, fra-1, H100 SXM5 80GB, 512\nnl, ams-2, H100 SXM5 80GB, 256\n",
        "evidence": [SimpleUploadedFile("letter.pdf", LETTER), SimpleUploadedFile("inventory.csv", b"site,count\n")],
    }
    data.update(overrides)
    return data


def url(product) -> str:
    return f"/delivery/products/{product.symbol}/attestations/new/"


def test_an_officer_records_an_attestation_with_its_evidence(client, officer, listed_product):
    client.force_login(officer)
    response = client.post(url(listed_product), form(), follow=True)
    assert "Attestation of 768 accelerators" in response.content.decode()
    attestation = CapacityAttestation.objects.get(product=listed_product)
    assert attestation.accelerator_count == 768
    assert [s["site_id"] for s in attestation.sites] == ["fra-1", "ams-2"]
    assert attestation.sites[1]["country"] == "NL"
    assert (attestation.attesting_role, attestation.filed_by) == ("auditor", officer.username)
    letter = AttestationEvidence.objects.get(attestation=attestation, filename="letter.pdf")
    assert letter.sha256 == hashlib.sha256(LETTER).hexdigest()
    assert letter.file.read() == LETTER
    assert AuditEvent.objects.filter(action="attestation.file", object_id=str(attestation.pk)).exists()


def test_the_product_page_lists_the_attestation(client, officer, listed_product):
    client.force_login(officer)
    client.post(url(listed_product), form())
    body = client.get(f"/products/{listed_product.symbol}/").content.decode()
    assert "768 accelerators at 2 sites · Weiss &amp; Partner Audit GmbH (independent auditor)" in body
    assert "letter.pdf" in body


def test_a_bad_site_line_is_named_and_nothing_is_saved(client, officer, listed_product):
    client.force_login(officer)
    response = client.post(url(listed_product), form(sites="DE, fra-1, H100, 512\nDE, fra-2, H100\n"))
    assert "Line 2: give country, site id, accelerator model and count." in response.content.decode()
    assert not CapacityAttestation.objects.exists()


def test_an_unknown_country_comes_back_from_the_service_as_a_form_error(client, officer, listed_product):
    client.force_login(officer)
    response = client.post(url(listed_product), form(sites="XX, fra-1, H100, 512\n"))
    assert "Site 1:" in response.content.decode()
    assert not CapacityAttestation.objects.exists()
    assert not AttestationEvidence.objects.exists()


def test_an_attestation_dated_in_the_future_is_refused(client, officer, listed_product):
    client.force_login(officer)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url(listed_product), form(attested_on=tomorrow))
    assert "An attestation cannot be dated in the future." in response.content.decode()
    assert not CapacityAttestation.objects.exists()


def test_evidence_is_required(client, officer, listed_product):
    client.force_login(officer)
    data = form()
    del data["evidence"]
    response = client.post(url(listed_product), data)
    assert response.status_code == 200
    assert not CapacityAttestation.objects.exists()


def test_the_issuer_gets_a_404(client, listed_product):
    client.force_login(listed_product.issuer_user)
    assert client.get(url(listed_product)).status_code == 404
    assert client.post(url(listed_product), form()).status_code == 404
    assert not CapacityAttestation.objects.exists()


def test_more_than_the_evidence_limit_is_refused_in_the_service(officer, listed_product):
    from django.core.exceptions import ValidationError

    from delivery import services

    with pytest.raises(ValidationError) as refused:
        services.attestation_record(
            actor=officer,
            product=listed_product,
            attested_on=timezone.localdate(),
            attesting_party="Weiss & Partner Audit GmbH",
            attesting_role="auditor",
            sites=[{"country": "DE", "site_id": "fra-1", "accelerator_model": "H100", "accelerator_count": 1}],
            evidence=[("a.pdf", b"x" * services.MAX_EVIDENCE_BYTES), ("b.pdf", b"x")],
        )
    assert refused.value.message_dict == {"evidence": ["At most 10 MB of evidence in all."]}
    assert not CapacityAttestation.objects.exists()


@pytest.mark.parametrize("count", ["²", "٣", "1_000", "+5", "000"])
def test_a_count_that_is_not_ascii_digits_is_named_by_line(client, officer, listed_product, count):
    client.force_login(officer)
    response = client.post(url(listed_product), form(sites=f"DE, fra-1, H100, 512\nDE, fra-2, H100, {count}\n"))
    assert response.status_code == 200
    assert "Line 2: the accelerator count must be a whole number above 0." in response.content.decode()
    assert not CapacityAttestation.objects.exists()


@pytest.mark.parametrize("count", ["10000001", "3000000000", "9" * 5000])
def test_a_count_above_the_per_site_cap_is_named_by_line(client, officer, listed_product, count):
    client.force_login(officer)
    response = client.post(url(listed_product), form(sites=f"DE, fra-1, H100, {count}\n"))
    assert response.status_code == 200
    assert "Line 1: at most 10000000 accelerators per site." in response.content.decode()
    assert not CapacityAttestation.objects.exists()


def test_a_total_beyond_the_count_column_is_refused_in_the_service(officer, listed_product):
    from django.core.exceptions import ValidationError

    from delivery import services

    site = {"country": "DE", "accelerator_model": "H100", "accelerator_count": 10_000_000}
    with pytest.raises(ValidationError) as refused:
        services.attestation_record(
            actor=officer,
            product=listed_product,
            attested_on=timezone.localdate(),
            attesting_party="Weiss & Partner Audit GmbH",
            attesting_role="auditor",
            sites=[{**site, "site_id": f"fra-{n}"} for n in range(215)],
            evidence=[("a.pdf", b"x")],
        )
    assert refused.value.message_dict == {
        "sites": ["At most 2147483647 accelerators in all; these sites add up to 2150000000."]
    }
    assert not CapacityAttestation.objects.exists()


def test_a_site_count_above_the_per_site_cap_is_refused_in_the_service(officer, listed_product):
    from django.core.exceptions import ValidationError

    from delivery import services

    with pytest.raises(ValidationError) as refused:
        services.attestation_record(
            actor=officer,
            product=listed_product,
            attested_on=timezone.localdate(),
            attesting_party="Weiss & Partner Audit GmbH",
            attesting_role="auditor",
            sites=[{"country": "DE", "site_id": "fra-1", "accelerator_model": "H100", "accelerator_count": 3 * 10**9}],
            evidence=[("a.pdf", b"x")],
        )
    assert refused.value.message_dict == {"sites": ["Site 1: at most 10000000 accelerators per site."]}
    assert not CapacityAttestation.objects.exists()


def test_a_total_beyond_the_count_column_comes_back_as_a_form_error(client, officer, listed_product):
    client.force_login(officer)
    sites = "".join(f"DE, fra-{n}, H100, 10000000\n" for n in range(215))
    response = client.post(url(listed_product), form(sites=sites))
    assert response.status_code == 200
    assert "At most 2147483647 accelerators in all; these sites add up to 2150000000." in response.content.decode()
    assert not CapacityAttestation.objects.exists()
