from django.template.loader import render_to_string
from django.test import Client

from tests.factories import IssuerFactory, UserFactory


def test_a_missing_page_is_shown_inside_the_app(db):
    client = Client()
    client.force_login(UserFactory(role="issuer", issuer=IssuerFactory()))
    response = client.get("/products/NOT-THERE/")
    assert response.status_code == 404
    assert b"<h1>Not found</h1>" in response.content and b"Log out" in response.content


def test_a_bad_request_page_explains_and_changes_nothing(db):
    response = Client().get("/login/?next=%00")
    assert response.status_code == 400
    assert b"<h1>Bad request</h1>" in response.content


def test_the_error_page_renders_without_any_context():
    # Django renders 500.html with an empty context: it must not need the request or the user.
    assert "<h1>Something went wrong</h1>" in render_to_string("500.html")
