"""Acknowledgements: of the current published version only, idempotent, and what eligibility reads."""

from decimal import Decimal

import pytest
from disclosure_helpers import make_investor, physical_product, published
from rest_framework.test import APIClient

from compliance.disclosures import selectors, services
from compliance.disclosures.models import DisclosureAcknowledgement
from config.errors import Conflict, IllegalTransition, NotPermitted
from products.services import product_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def investor(db):
    return make_investor("INV-0001")


@pytest.fixture
def api(officer):
    client = APIClient()
    client.force_authenticate(officer)
    return client


def test_acknowledging_the_current_version_records_time_and_channel(officer, investor):
    document = published(physical_product(), officer=officer)

    ack, created = services.disclosure_acknowledge(document=document, investor=investor, channel="web", actor=officer)

    assert created and ack.channel == "web" and ack.acknowledged_at is not None
    assert ack.recorded_by == officer


def test_acknowledging_twice_is_idempotent(officer, investor):
    document = published(physical_product(), officer=officer)
    first, _ = services.disclosure_acknowledge(document=document, investor=investor, channel="api", actor=officer)

    second, created = services.disclosure_acknowledge(
        document=document, investor=investor, channel="web", actor=officer
    )

    assert not created and second.pk == first.pk and second.channel == "api"
    assert DisclosureAcknowledgement.objects.count() == 1


def test_a_superseded_version_cannot_be_acknowledged(officer, issuer_user, issuer, investor):
    product = physical_product(issuer)
    old = published(product, officer=officer)
    product_update(actor=issuer_user, product=product, remedy_credit_pct=Decimal("20"))
    new = published(product, officer=officer)
    old.refresh_from_db()

    with pytest.raises(Conflict, match=f"superseded by version 2 \\(document {new.pk}\\)"):
        services.disclosure_acknowledge(document=old, investor=investor, channel="api", actor=officer)


def test_a_draft_cannot_be_acknowledged(officer, investor):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    with pytest.raises(IllegalTransition, match="Only a published"):
        services.disclosure_acknowledge(document=draft, investor=investor, channel="api", actor=officer)


def test_auditors_cannot_record_acknowledgements(officer, auditor, investor):
    document = published(physical_product(), officer=officer)

    with pytest.raises(NotPermitted):
        services.disclosure_acknowledge(document=document, investor=investor, channel="api", actor=auditor)


def test_api_records_an_acknowledgement_then_answers_200_on_repeat(api, officer, investor):
    document = published(physical_product(), officer=officer)
    url = f"/api/v1/disclosures/{document.pk}/acknowledgements/"

    first = api.post(url, {"investor": "INV-0001", "channel": "api"}, format="json")
    again = api.post(url, {"investor": "INV-0001", "channel": "api"}, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["investor"] == "INV-0001" and first.json()["version"] == 1
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = api.get(url).json()
    assert [row["investor"] for row in listed["results"]] == ["INV-0001"]


def test_the_acknowledgements_path_also_answers_without_a_trailing_slash(api, officer, investor):
    document = published(physical_product(), officer=officer)
    url = f"/api/v1/disclosures/{document.pk}/acknowledgements"

    created = api.post(url, {"investor": "INV-0001", "channel": "api"}, format="json")

    assert created.status_code == 201, created.content
    assert api.get(url + "/").json()["results"][0]["id"] == created.json()["id"]
    assert "/api/v1/disclosures/{id}/acknowledgements" not in api.get("/api/schema/?format=json").json()["paths"]


def test_api_answers_409_for_a_superseded_version(api, officer, issuer_user, issuer, investor):
    product = physical_product(issuer)
    old = published(product, officer=officer)
    product_update(actor=issuer_user, product=product, remedy_credit_pct=Decimal("20"))
    published(product, officer=officer)

    response = api.post(
        f"/api/v1/disclosures/{old.pk}/acknowledgements/", {"investor": "INV-0001", "channel": "api"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "superseded"


def test_api_names_an_unknown_investor(api, officer):
    document = published(physical_product(), officer=officer)

    response = api.post(
        f"/api/v1/disclosures/{document.pk}/acknowledgements/", {"investor": "NOPE", "channel": "api"}, format="json"
    )

    assert response.status_code == 400
    assert "investor" in response.json()["errors"]


def test_eligibility_selectors_follow_the_current_version(officer, issuer_user, issuer, investor):
    product = physical_product(issuer)
    old = published(product, officer=officer)
    services.disclosure_acknowledge(document=old, investor=investor, channel="api", actor=officer)

    assert selectors.current_disclosures()[(product.pk, "US")].document_ids == {old.pk}
    assert selectors.acknowledged_current(investor) == {(product.pk, "US")}
    assert (investor.pk, product.pk, "US") in selectors.current_acknowledgements()

    product_update(actor=issuer_user, product=product, remedy_credit_pct=Decimal("20"))
    new = published(product, officer=officer)

    current = selectors.current_disclosures()[(product.pk, "US")]
    assert current.document_ids == {new.pk} and current.version == 2
    assert selectors.acknowledged_versions(investor) == {(product.pk, "US"): frozenset({1})}
    assert selectors.acknowledged_current(investor) == frozenset()
    assert (investor.pk, product.pk, "US") not in selectors.current_acknowledgements()

    services.disclosure_acknowledge(document=new, investor=investor, channel="web", actor=officer)
    assert selectors.acknowledged_versions(investor) == {(product.pk, "US"): frozenset({1, 2})}
    assert selectors.acknowledged_current(investor) == {(product.pk, "US")}
