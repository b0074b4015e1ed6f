"""Opening a KYB case from another page returns there only if it is a path on this site."""

import pytest
from django.test import Client

from compliance.kyc import services
from tests.factories import IssuerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer_with_open_case(officer):
    issuer = IssuerFactory()
    services.issuer_kyb_open(actor=officer, issuer=issuer)
    return issuer


@pytest.mark.parametrize(
    ("next_value", "location"),
    [
        ("/products/", "/products/"),
        ("https://evil.example/", "/kyc/parties/"),
        ("0", "/kyc/parties/"),  # a view name to redirect(): it answered 500
        ("-1", "/kyc/parties/"),
        ("", "/kyc/parties/"),
    ],
)
def test_a_refused_open_returns_to_next_only_if_it_is_a_local_path(
    officer, issuer_with_open_case, next_value, location
):
    client = Client(raise_request_exception=False)
    client.force_login(officer)

    response = client.post(f"/kyc/issuers/{issuer_with_open_case.pk}/open-kyb-case/", {"next": next_value})

    assert (response.status_code, response["Location"]) == (302, location)
