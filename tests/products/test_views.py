from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from products import services
from products.models import ApplicationState, ComputeProduct, ProductApplication
from tests.factories import IssuerFactory, UserFactory, product_terms

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def product(issuer_user, issuer):
    return services.product_create(actor=issuer_user, issuer=issuer, **product_terms())


def form_data(**overrides):
    terms = product_terms(**overrides)
    data = {k: v for k, v in terms.items() if not isinstance(v, list | bool)}
    data.update(
        delivery_start="2027-07-01T00:00",
        delivery_end="2027-10-01T00:00",
        delivery_regions=", ".join(terms["delivery_regions"]),
        delivery_sites="\n".join(f"{s['country']} {s['site_id']}" for s in terms["delivery_sites"]),
        jurisdictions=", ".join(terms["jurisdictions"]),
        requested_venues=", ".join(terms["requested_venues"]),
    )
    data.update({k: "on" for k, v in terms.items() if v is True})
    return data


def test_anonymous_user_is_sent_to_log_in():
    response = Client().get("/products/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_renders():
    assert b"Log in to Attest" in Client().get("/login/").content


def test_issuer_creates_a_draft_through_the_form(issuer_user):
    response = logged_in(issuer_user).post("/products/new/", form_data())
    assert response.status_code == 302
    assert ComputeProduct.objects.get().symbol == "H100-TEST"


def test_form_shows_validation_messages_and_saves_nothing(issuer_user):
    response = logged_in(issuer_user).post("/products/new/", form_data(minimum_order=15, settlement_currency="XYZ"))
    assert response.status_code == 200
    assert "The minimum order must be a multiple of the lot size (10)." in response.content.decode()
    assert "XYZ is not an ISO 4217 currency code." in response.content.decode()
    assert not ComputeProduct.objects.exists()


def test_issuer_gets_404_for_another_issuers_product_page(product):
    stranger = UserFactory(role="issuer", issuer=IssuerFactory())
    assert logged_in(stranger).get(f"/products/{product.symbol}/").status_code == 404
    assert logged_in(stranger).get(f"/products/{product.symbol}/edit/").status_code == 404


def test_issuer_gets_404_for_another_issuers_application_page(product, issuer_user):
    app = services.application_create(actor=issuer_user, product=product)
    stranger = UserFactory(role="issuer", issuer=IssuerFactory())
    assert logged_in(stranger).get(f"/applications/{app.pk}/").status_code == 404


def test_issuer_cannot_open_the_review_queue(issuer_user):
    assert logged_in(issuer_user).get("/review/").status_code == 404


def test_officer_sees_the_review_queue(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    response = logged_in(officer).get("/review/")
    assert f"#{app.pk}" in response.content.decode()


def test_application_page_shows_buttons_only_for_legal_actions(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    page = logged_in(officer).get(f"/applications/{app.pk}/").content.decode()
    assert f"/applications/{app.pk}/approve/" in page
    assert f"/applications/{app.pk}/list/" not in page
    assert "No approval yet: 2 different officers must approve" in page


def test_action_without_rationale_changes_nothing(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    response = logged_in(officer).post(f"/applications/{app.pk}/reject/", {"rationale": ""}, follow=True)
    assert "A rationale is required" in response.content.decode()
    app.refresh_from_db()
    assert app.state == ApplicationState.IN_REVIEW


def test_first_approval_shows_who_approved_and_waits_for_a_second(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    response = logged_in(officer).post(f"/applications/{app.pk}/approve/", {"rationale": "fine"}, follow=True)
    page = response.content.decode()
    assert f"Approved by <strong>{officer.username}</strong>, waiting for 1 more, different officer." in page


def test_illegal_action_shows_a_message_not_an_error_page(product, issuer_user, officer):
    app = services.application_create(actor=issuer_user, product=product)
    response = logged_in(officer).post(f"/applications/{app.pk}/list/", {"rationale": "go"}, follow=True)
    assert response.status_code == 200
    assert "Cannot list application" in response.content.decode()


def test_web_forms_enforce_csrf(issuer_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(issuer_user)
    assert client.post("/products/new/", form_data()).status_code == 403


def test_audit_trail_page_shows_the_chain_status(officer, product):
    page = logged_in(officer).get("/audit/").content.decode()
    assert "Hash chain verified" in page
    assert "product.create" in page


def test_issuer_cannot_read_the_audit_trail(issuer_user):
    assert logged_in(issuer_user).get("/audit/").status_code == 404


def test_an_officer_is_offered_to_queue_the_checks_of_a_stuck_application_again(
    product, issuer_user, officer, monkeypatch, django_capture_on_commit_callbacks
):
    from products import tasks

    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    queued = []
    monkeypatch.setattr(tasks.application_run_checks, "delay", queued.append)
    client = logged_in(officer)
    assert "rerun-checks" not in client.get(f"/applications/{app.pk}/").content.decode()  # just submitted
    ProductApplication.objects.filter(pk=app.pk).update(state_changed_at=timezone.now() - timedelta(minutes=5))
    assert f"/applications/{app.pk}/rerun-checks/" in client.get(f"/applications/{app.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/applications/{app.pk}/rerun-checks/", follow=True)
    assert f"Checks queued again for application #{app.pk}." in response.content.decode()
    assert queued == [app.pk]


def test_the_issuer_is_not_offered_to_queue_the_checks_and_cannot(
    product, issuer_user, monkeypatch, django_capture_on_commit_callbacks
):
    from products import tasks

    app = services.application_create(actor=issuer_user, product=product)
    services.application_submit(application=app, actor=issuer_user, run_checks=False)
    queued = []
    monkeypatch.setattr(tasks.application_run_checks, "delay", queued.append)
    client = logged_in(issuer_user)
    assert "rerun-checks" not in client.get(f"/applications/{app.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/applications/{app.pk}/rerun-checks/", follow=True)
    assert "Only a compliance officer may do that." in response.content.decode()
    assert queued == []


def test_terms_show_each_term_by_name_with_the_key_rules_cite(officer, issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    page = logged_in(officer).get(f"/products/{product.symbol}/").content.decode()
    assert 'Position limit per investor (contracts)<span class="term-key">position_limit</span>' in page
    # A choice is shown by its label, not its stored code.
    assert "<td>Physically delivered forward</td>" in page


def test_an_action_refused_for_want_of_a_rationale_does_not_follow_a_foreign_next(officer, issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    application = services.application_create(actor=issuer_user, product=product)
    response = logged_in(officer).post(
        f"/applications/{application.pk}/reject/", {"rationale": "", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.pk}/"


def test_the_product_form_reads_a_currency_case_insensitively(issuer_user):
    response = logged_in(issuer_user).post("/products/new/", form_data(settlement_currency="usd"))
    assert response.status_code == 302
    assert ComputeProduct.objects.get().settlement_currency == "USD"
