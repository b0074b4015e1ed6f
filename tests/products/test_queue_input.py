"""The application list's search box: a number (optionally after "#") also finds the application
with that id; anything else, including digits that are not ASCII, is searched as text."""

import pytest
from django.test import Client

from products import selectors, services
from products.models import ProductApplication
from tests.factories import product_terms

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def application(issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    return services.application_create(actor=issuer_user, product=product)


@pytest.mark.parametrize("q", ["²", "#²", "1²"])
def test_a_search_with_a_superscript_digit_is_answered_not_a_500(officer, application, q):
    assert logged_in(officer).get("/applications/", {"q": q}).status_code == 200


def test_a_superscript_digit_is_text_not_an_application_number(application):
    found = selectors.applications_filtered(ProductApplication.objects.all(), q="²")
    assert list(found) == []


def test_a_search_by_number_still_finds_the_application(application):
    found = selectors.applications_filtered(ProductApplication.objects.all(), q=f"#{application.pk}")
    assert list(found) == [application]


def test_a_number_too_large_for_an_id_finds_nothing(officer, application):
    response = logged_in(officer).get("/applications/", {"q": "#99999999999999999999"})
    assert response.status_code == 200
    assert f"#{application.pk}" not in response.content.decode()
