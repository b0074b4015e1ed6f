"""Permission boundaries and form errors, in a browser."""

import pytest
from playwright.sync_api import expect

from products import services
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import STEP_VALUES, field, fill, save_step
from tests.factories import IssuerFactory, UserFactory, product_terms

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def two_issuers(transactional_db):
    nimbus, helio = IssuerFactory(), IssuerFactory()
    nimbus_user = UserFactory(username="nimbus", role="issuer", issuer=nimbus)
    UserFactory(username="helio", role="issuer", issuer=helio)
    product = services.product_create(actor=nimbus_user, issuer=nimbus, **product_terms(symbol="NIMBUS-1"))
    application = services.application_create(actor=nimbus_user, product=product)
    draft = services.product_draft_start(actor=nimbus_user, issuer=nimbus, product=product)
    return {"product": product, "application": application, "draft": draft}


def test_an_issuer_cannot_open_another_issuers_pages(two_issuers, new_page):
    page = new_page("helio")
    for path in (
        "/products/NIMBUS-1/",
        "/products/NIMBUS-1/edit/",
        f"/applications/{two_issuers['application'].pk}/",
        f"/filings/{two_issuers['draft'].pk}/instrument/",
        "/review/",
        "/dashboard/",
        "/audit/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
    screenshot(page, "20-not-found")
    page.goto("/products/")
    expect(page.get_by_text("NIMBUS-1")).to_have_count(0)


def test_filing_steps_show_errors_inline_and_keep_the_input(transactional_db, new_page):
    UserFactory(username="nimbus", role="issuer", issuer=IssuerFactory())
    page = new_page("nimbus")
    page.goto("/filings/new/")
    save_step(page)  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    expect(field(page, "Symbol")).to_have_attribute("aria-invalid", "true")

    fill(page, STEP_VALUES["instrument"])
    page.get_by_label("Product type").select_option("physical_forward")
    save_step(page)
    fill(page, {**STEP_VALUES["delivery"], "Minimum order (contracts)": "15", "Delivery end": "2027-06-01T00:00"})
    save_step(page)
    expect(page.get_by_text("The minimum order must be a multiple of the lot size (10).")).to_be_visible()
    expect(page.get_by_text("The delivery window must end after it starts.")).to_be_visible()
    expect(field(page, "Delivery provider")).to_have_value("Northstar Datacenters Inc.")
    screenshot(page, "21-filing-errors")

    # The draft survives a new session: log out, log in, continue where it was left.
    page.get_by_role("button", name="Log out").click()
    from tests.e2e.conftest import log_in

    log_in(page, "nimbus")
    page.get_by_role("link", name=STEP_VALUES["instrument"]["Symbol"]).click()
    expect(page.get_by_role("heading", name="Step 2 of 6: Quantity, lot & delivery")).to_be_visible()


def test_an_action_without_a_rationale_is_refused_by_the_form(transactional_db, new_page):
    issuer = IssuerFactory()
    user = UserFactory(username="nimbus", role="issuer", issuer=issuer)
    UserFactory(username="olivia", role="officer")
    product = services.product_create(actor=user, issuer=issuer, **product_terms())
    app = services.application_create(actor=user, product=product)
    services.application_submit(application=app, actor=user, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    page = new_page("olivia")
    page.goto(f"/applications/{app.pk}/")
    page.get_by_role("button", name="Reject").click()  # the browser refuses the empty required field
    expect(page.get_by_label("Rationale for “reject” (required)")).to_be_focused()
    app.refresh_from_db()
    assert app.state == "in_review"
