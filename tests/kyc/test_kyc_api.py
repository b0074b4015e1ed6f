"""KYC and sanctions API permissions: staff read, officers write, issuers see nothing."""

import base64
from datetime import date

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.kyc.kyc_support import PDF, checked_case, entity, entry, import_entries, person

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.default_format = "json"  # the API parses JSON only
    client.force_authenticate(user)
    return client


@pytest.fixture
def hit_party(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov", birth_dates=["1960-01-12"])])
    party = person("Ivan Petrovich Sidorov", birth=date(1960, 1, 12))
    checked_case(party, officer)
    return party


def test_officer_creates_party_investor_and_case(officer):
    client = api(officer)
    party = client.post(
        "/api/v1/parties/",
        {"kind": "person", "name": "Sophie Martin", "residence_country": "FR", "nationalities": ["FR"]},
        format="json",
    )
    assert party.status_code == 201, party.json()
    investor = client.post(
        "/api/v1/investors/",
        {"party": party.json()["id"], "reference": "INV-9", "category": "retail"},
        format="json",
    )
    assert investor.status_code == 201, investor.json()
    assert investor.json()["residence_jurisdiction"] == "FR"
    dup = client.post(
        "/api/v1/investors/", {"party": party.json()["id"], "reference": "INV-9", "category": "retail"}, format="json"
    )
    assert dup.status_code == 400 and "reference" in dup.json()["errors"]
    case = client.post("/api/v1/kyc-cases/", {"party": party.json()["id"]}, format="json")
    assert case.status_code == 201
    upload = client.post(
        f"/api/v1/kyc-cases/{case.json()['id']}/documents/",
        {"doc_type": "passport", "file_type": "png", "name": "p", "content_base64": base64.b64encode(PDF).decode()},
        format="json",
    )
    assert upload.status_code == 400 and "file" in upload.json()["errors"]


def test_person_with_entity_fields_is_refused(officer):
    response = api(officer).post(
        "/api/v1/parties/",
        {"kind": "person", "name": "X Y", "residence_country": "FR", "lei": "5493001KJTIIGC8Y1R12"},
        format="json",
    )
    assert response.status_code == 400 and "lei" in response.json()["errors"]


def test_auditor_reads_but_cannot_write(auditor, hit_party):
    client = api(auditor)
    assert client.get("/api/v1/parties/").status_code == 200
    hit = client.get("/api/v1/sanctions/hits/").json()["results"][0]
    assert client.post(f"/api/v1/sanctions/hits/{hit['id']}/clear/", {"rationale": "x"}).status_code == 403
    response = client.post("/api/v1/parties/", {"kind": "person", "name": "A", "residence_country": "FR"})
    assert response.status_code == 403


def test_issuers_never_see_screening_internals(issuer, issuer_user, officer, hit_party):
    own = entity(issuer.legal_name, issuer=issuer)
    checked_case(own, officer)
    client = api(issuer_user)
    for url in (
        "/api/v1/parties/",
        f"/api/v1/parties/{own.pk}/",
        f"/api/v1/parties/{hit_party.pk}/",
        "/api/v1/kyc-cases/",
        f"/api/v1/kyc-cases/{own.cases.get().pk}/",
        "/api/v1/investors/",
        "/api/v1/sanctions/hits/",
        f"/api/v1/sanctions/hits/{hit_party.hits.get().pk}/",
        "/api/v1/sanctions/versions/",
    ):
        assert client.get(url).status_code == 403, url
    screen = client.post("/api/v1/sanctions/screen", {"queries": [{"name": "X", "kind": "person"}]}, format="json")
    assert screen.status_code == 403
    web = UserFactory(role="issuer", issuer=issuer)
    from django.test import Client

    browser = Client()
    browser.force_login(web)
    assert browser.get(f"/kyc/parties/{own.pk}/").status_code == 404
    assert browser.get(f"/sanctions/hits/{hit_party.hits.get().pk}/").status_code == 404


def test_officer_clears_hit_through_api(officer, hit_party):
    client = api(officer)
    hit = hit_party.hits.get()
    assert client.post(f"/api/v1/sanctions/hits/{hit.pk}/clear/", {"rationale": ""}).status_code == 400
    response = client.post(f"/api/v1/sanctions/hits/{hit.pk}/clear/", {"rationale": "Different DOB."}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cleared"
    assert client.post(f"/api/v1/sanctions/hits/{hit.pk}/confirm/", {"rationale": "x"}).status_code == 409
    assert client.get(f"/api/v1/parties/{hit_party.pk}/").json()["sanctions_state"] == "clear"


def test_review_pages_render_for_staff(client, officer, hit_party):
    client.force_login(officer)
    hit = hit_party.hits.get()
    page = client.get(f"/sanctions/hits/{hit.pk}/")
    assert page.status_code == 200 and b"Ivan Petrovich Sidorov" in page.content and b"Name score" in page.content
    assert client.get(f"/kyc/cases/{hit_party.cases.get().pk}/").status_code == 200
    assert client.get("/kyc/parties/").status_code == 200
    client.post(f"/sanctions/hits/{hit.pk}/confirm/", {"rationale": "Same DOB and name."})
    hit_party.refresh_from_db()
    assert hit_party.sanctions_state == "confirmed"


def test_the_hit_page_explains_the_score(client, hit_party, officer):
    client.force_login(officer)
    page = client.get(f"/sanctions/hits/{hit_party.hits.get().pk}/").content.decode()
    assert '<th scope="row">Date of birth</th><td>matches the listed one (+0.0500)</td>' in page
    assert '<th scope="row">Score</th><td>1.0000 name +0.0500 date of birth = 1.0000 (capped to 0–1)</td>' in page


def test_a_document_at_its_size_limit_fits_in_an_api_body(officer, settings, tmp_path):
    # The API's body limit (ATTEST_API_MAX_BODY_BYTES) leaves room for the largest document the
    # KYC checks accept, base64-encoded, so that limit, not the body's, is the one an officer meets.
    settings.MEDIA_ROOT = tmp_path  # 10 MB that should not stay behind
    client = api(officer)
    case = client.post("/api/v1/kyc-cases/", {"party": person("Sophie Martin").pk}, format="json")
    data = PDF + b"\0" * (settings.ATTEST_KYC_DOCUMENT_MAX_BYTES - len(PDF))

    upload = client.post(
        f"/api/v1/kyc-cases/{case.json()['id']}/documents/",
        {
            "doc_type": "passport",
            "file_type": "pdf",
            "name": "passport.pdf",
            "content_base64": base64.b64encode(data).decode(),
        },
        format="json",
    )

    assert upload.status_code == 201, upload.json()
