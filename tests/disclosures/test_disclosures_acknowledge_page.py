"""An officer records an investor's acknowledgement on a published document's page."""

import pytest
from disclosure_helpers import make_investor, physical_product, published
from django.contrib.messages import get_messages
from django.test import Client

from compliance.disclosures.models import DisclosureAcknowledgement

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(officer):
    return published(physical_product(), officer=officer)


def acknowledge(user, document, reference):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.post(f"/disclosures/{document.pk}/acknowledge/", {"investor": reference})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_an_acknowledgement_is_recorded_by_investor_reference(officer, document):
    investor = make_investor("INV-0001")

    response, shown = acknowledge(officer, document, " INV-0001 ")

    assert response.status_code == 302
    assert shown == [f"INV-0001 acknowledged version {document.version}."]
    assert DisclosureAcknowledgement.objects.filter(document=document, investor=investor, channel="web").exists()


def test_an_unknown_reference_is_a_message_and_records_nothing(officer, document):
    response, shown = acknowledge(officer, document, "NOBODY")

    assert response.status_code == 302 and shown == ["No investor has the reference 'NOBODY'."]
    assert not DisclosureAcknowledgement.objects.exists()


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("INV\x000001", "Investor reference: Null characters are not allowed."),
        ("X" * 65, "Investor reference: Ensure this value has at most 64 characters (it has 65)."),
    ],
)
def test_a_reference_no_investor_can_have_is_a_message_not_an_error_page(officer, document, reference, message):
    response, shown = acknowledge(officer, document, reference)

    assert response.status_code == 302 and shown == [message]
    assert not DisclosureAcknowledgement.objects.exists()
