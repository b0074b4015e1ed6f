import pytest
from django.test import Client

from dashboard import selectors
from products import services
from tests.factories import product_terms

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_review(issuer_user, issuer, **terms):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms(**terms))
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    return app


def test_officer_home_is_the_dashboard(officer):
    response = logged_in(officer).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_issuer_home_is_their_products(issuer_user):
    assert logged_in(issuer_user).get("/")["Location"] == "/products/"


def test_issuer_cannot_open_the_dashboard(issuer_user):
    assert logged_in(issuer_user).get("/dashboard/").status_code == 404


def test_dashboard_lists_applications_in_review_with_four_eyes_status(officer, second_officer, issuer_user, issuer):
    app = in_review(issuer_user, issuer)
    services.application_approve(application=app, actor=second_officer, rationale="terms check out")
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert f"#{app.pk}" in page
    assert f"Approved by <strong>{second_officer.username}</strong>, waiting for a second officer" in page


def test_dashboard_tells_the_first_approver_it_is_someone_elses_turn(officer, issuer_user, issuer):
    app = in_review(issuer_user, issuer)
    services.application_approve(application=app, actor=officer, rationale="ok")
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert "You approved; waiting for a second officer" in page


def test_dashboard_draws_the_application_chart_with_a_table(officer, issuer_user, issuer):
    in_review(issuer_user, issuer)
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert "<svg" in page and "Applications by state, end of each day" in page
    assert "Show the numbers as a table" in page


def test_application_chart_replays_states_from_the_audit_trail(issuer_user, issuer):
    in_review(issuer_user, issuer)
    chart = selectors.application_states_chart(days=3)
    today = dict((s.label, s.values[-1]) for s in chart.series)
    assert today == {"In review": 1}


def test_feature_model_is_none_for_a_model_that_does_not_exist():
    assert selectors.feature_model("kyc", "NoSuchModel") is None
    assert selectors.feature_model("no_such_app", "Thing") is None
