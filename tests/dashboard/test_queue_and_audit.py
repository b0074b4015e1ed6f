import pytest
from django.test import Client

from products import services
from tests.factories import IssuerFactory, UserFactory, product_terms

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted(user, issuer, **terms):
    product = services.product_create(actor=user, issuer=issuer, **product_terms(**terms))
    app = services.application_create(actor=user, product=product)
    services.application_submit(application=app, actor=user, run_checks=False)
    return app


def test_queue_filters_by_jurisdiction_issuer_and_search(officer, issuer_user, issuer):
    us = submitted(issuer_user, issuer, symbol="A100-US", jurisdictions=["US"])
    other_issuer = IssuerFactory()
    other_user = UserFactory(role="issuer", issuer=other_issuer)
    gb = submitted(
        other_user,
        other_issuer,
        symbol="B200-GB",
        jurisdictions=["GB"],
        delivery_regions=["GB"],
        delivery_sites=[{"country": "GB", "site_id": "lon-1"}],
    )
    client = logged_in(officer)
    page = client.get("/review/", {"jurisdiction": "gb"}).content.decode()
    assert "B200-GB" in page and "A100-US" not in page
    page = client.get("/review/", {"issuer": issuer.pk}).content.decode()
    assert "A100-US" in page and "B200-GB" not in page
    page = client.get("/applications/", {"q": f"#{gb.pk}"}).content.decode()
    assert "B200-GB" in page and "A100-US" not in page
    assert us.pk != gb.pk


def test_queue_answers_htmx_with_the_table_only(officer, issuer_user, issuer):
    submitted(issuer_user, issuer)
    response = logged_in(officer).get("/review/", {"sort": "symbol"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "H100-TEST" in body
    assert "<html" not in body


def test_queue_sorts_by_symbol(officer, issuer_user, issuer):
    submitted(issuer_user, issuer, symbol="ZZ-LAST")
    submitted(issuer_user, issuer, symbol="AA-FIRST")
    body = logged_in(officer).get("/applications/", {"sort": "symbol"}).content.decode()
    assert body.index("AA-FIRST") < body.index("ZZ-LAST")


def test_listings_page_offers_suspend_and_delist_with_a_reason(officer, second_officer, issuer_user, issuer):
    from tests.factories import VenueFactory

    VenueFactory()
    app = submitted(issuer_user, issuer)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    services.application_approve(application=app, actor=officer, rationale="ok")
    services.application_approve(application=app, actor=second_officer, rationale="ok")
    services.application_list(application=app, actor=officer, rationale="go live")
    client = logged_in(officer)
    page = client.get("/listings/").content.decode()
    assert f"/applications/{app.pk}/suspend/" in page and f"/applications/{app.pk}/delist/" in page
    response = client.post(f"/applications/{app.pk}/suspend/", {"rationale": "index outage", "next": "/listings/"})
    assert response["Location"] == "/listings/"
    app.refresh_from_db()
    assert app.state == "suspended"
    assert "index outage" in client.get("/listings/").content.decode()


def test_audit_trail_filters_by_time_range(officer, issuer_user, issuer):
    submitted(issuer_user, issuer)
    client = logged_in(officer)
    assert "product.create" in client.get("/audit/", {"since": "2000-01-01"}).content.decode()
    assert "No events match." in client.get("/audit/", {"until": "2000-01-01"}).content.decode()
    assert "is not a date" in client.get("/audit/", {"since": "yesterday"}).content.decode()
