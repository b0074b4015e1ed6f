"""A listing suspended because the issuer is a confirmed sanctions match tells the issuer only
that compliance suspended it (tipping-off, compliance/kyc/README.md); officers and auditors
still find the reason on the audit trail of the hit."""

import pytest
from django.test import Client

from products.models import Listing
from tests.sanctions.listing_support import confirm_match_on_issuer, listed_application

pytestmark = pytest.mark.django_db

NOTICE = "Suspended by compliance pending review."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def suspended(issuer, issuer_user, officer, second_officer):
    """The issuer's listed application, suspended by a confirmed match on its KYB party: (application, hit)."""
    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    hit = confirm_match_on_issuer(issuer, officer)
    application.refresh_from_db()
    assert application.state == "suspended"
    return application, hit


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_suspended_listing_carries_a_neutral_reason(suspended):
    application, _ = suspended
    assert Listing.objects.get(application=application).status_reason == NOTICE


@pytest.mark.parametrize(
    "page",
    [
        "/products/{symbol}/",
        "/listings/",
        "/applications/{application}/",
        "/api/v1/listings/",
    ],
)
def test_the_issuers_pages_say_nothing_of_sanctions(page, suspended, issuer_user):
    application, _ = suspended
    url = page.format(symbol=application.product.symbol, application=application.pk)
    response = logged_in(issuer_user).get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "sanction" not in text.lower()
    assert NOTICE in text


def test_an_officer_finds_the_reason_on_the_hits_audit_trail(suspended, officer):
    application, hit = suspended
    response = logged_in(officer).get("/audit/", {"object_type": "sanctions.screeninghit", "object_id": hit.pk})
    text = response.content.decode()
    assert "hit.suspend_listings" in text
    assert "the issuer is a confirmed sanctions match" in text
