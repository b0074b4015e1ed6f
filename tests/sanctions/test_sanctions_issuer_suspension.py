"""A confirmed match on an issuer's director or beneficial owner suspends the issuer's listings,
as one on the issuer's own KYB party does; the reason is kept on the hit, for compliance staff."""

import pytest

from compliance.audit.models import AuditEvent
from products.models import Listing
from tests.sanctions.listing_support import (
    confirm_match_on_issuer,
    confirm_match_on_related_person,
    listed_application,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["director", "ubo"])
def test_a_confirmed_match_on_an_owner_or_director_suspends_the_issuers_listed_products(
    role, issuer, issuer_user, officer, second_officer
):
    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    confirm_match_on_related_person(issuer, officer, role=role)
    application.refresh_from_db()
    assert application.state == "suspended"
    assert list(Listing.objects.filter(application=application).values_list("status", flat=True)) == ["suspended"]


def test_the_hit_records_which_listings_it_suspended_and_why(issuer, issuer_user, officer, second_officer):
    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    hit = confirm_match_on_related_person(issuer, officer)
    event = AuditEvent.objects.get(action="hit.suspend_listings", object_id=str(hit.pk))
    listing = Listing.objects.get(application=application)
    assert event.after["suspended"] == [
        {"issuer": issuer.pk, "standing": "owner_or_director", "application": application.pk, "listings": [listing.pk]}
    ]
    assert "director of the issuer is a confirmed sanctions match" in event.rationale


def test_the_issuers_own_match_is_recorded_on_the_hit(issuer, issuer_user, officer, second_officer):
    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    hit = confirm_match_on_issuer(issuer, officer)
    event = AuditEvent.objects.get(action="hit.suspend_listings", object_id=str(hit.pk))
    assert [row["application"] for row in event.after["suspended"]] == [application.pk]
    assert f"Hit #{hit.pk} confirmed. Issuer #{issuer.pk}: the issuer is a confirmed sanctions match" in event.rationale
