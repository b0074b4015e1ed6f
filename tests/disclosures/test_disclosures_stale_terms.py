"""A disclosure quotes the terms it was rendered from: once they change, it is no longer current."""

from decimal import Decimal

import pytest

from compliance.disclosures import services as disclosures
from compliance.disclosures.selectors import current_disclosures
from compliance.eligibility.engine import Order, ReasonCode
from compliance.eligibility.snapshot import build_snapshot
from products import services
from tests.eligibility.eligibility_support import investor
from tests.eligibility.test_eligibility_snapshot_db import constraints
from tests.factories import VenueFactory, product_terms

pytestmark = pytest.mark.django_db
US = {"allowed_investor_categories": None, "acknowledgement_required": True}


def _through_checks(application, issuer_user):
    services.application_submit(application=application, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=application.pk)
    services.application_complete_checks(application_id=application.pk)
    application.refresh_from_db()
    constraints(application, US=US)


@pytest.fixture
def relisted_with_new_terms(issuer, issuer_user, officer, second_officer):
    """Disclosure published for terms v1 (SLA 99.5 %); the SLA then drops to 90 % (terms v2),
    which is approved and listed."""
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    application = services.application_create(actor=issuer_user, product=product)
    _through_checks(application, issuer_user)
    draft = disclosures.disclosure_render_now(product=product, jurisdiction="US", actor=officer)
    document = disclosures.disclosure_publish(document=draft, actor=officer)
    services.application_request_changes(application=application, actor=officer, rationale="Lower the SLA.")
    services.product_update(actor=issuer_user, product=product, sla_availability_pct=Decimal("90"))
    _through_checks(application, issuer_user)
    services.application_approve(application=application, actor=officer, rationale="ok")
    services.application_approve(application=application, actor=second_officer, rationale="ok")
    VenueFactory()
    services.application_list(application=application, actor=officer, rationale="go live")
    return product, document


def test_a_disclosure_of_replaced_terms_is_not_current(relisted_with_new_terms):
    product, document = relisted_with_new_terms
    assert document.terms_version == 1 and (product.pk, "US") not in current_disclosures()


def test_acknowledging_a_disclosure_of_replaced_terms_does_not_make_an_order_eligible(relisted_with_new_terms, officer):
    product, document = relisted_with_new_terms
    disclosures.disclosure_acknowledge(document=document, investor=investor("INV-1"), channel="api", actor=officer)
    decision = build_snapshot().evaluate(Order("c", "INV-1", product.symbol, "XCME", "buy", 20, "2.5"))
    assert ReasonCode.DISCLOSURE_NOT_ACKNOWLEDGED in decision.reasons


def test_the_disclosure_of_the_new_terms_is_current_once_published(relisted_with_new_terms, officer):
    product, _ = relisted_with_new_terms
    draft = disclosures.disclosure_render_now(product=product, jurisdiction="US", actor=officer)
    new = disclosures.disclosure_publish(document=draft, actor=officer)
    disclosures.disclosure_acknowledge(document=new, investor=investor("INV-1"), channel="api", actor=officer)
    decision = build_snapshot().evaluate(Order("c", "INV-1", product.symbol, "XCME", "buy", 20, "2.5"))
    assert decision.eligible, decision.reasons
