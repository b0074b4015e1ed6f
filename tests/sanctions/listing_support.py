"""Helpers for the tests of what a confirmed sanctions match does to an issuer's listings."""

from decimal import Decimal

from compliance.kyc import services as kyc
from compliance.sanctions import services as sanctions
from products import services as products
from tests.factories import VenueFactory, product_terms
from tests.kyc.kyc_support import entity, entry, import_entries


def listed_application(*, issuer, issuer_user, officer, second_officer, symbol="H100-LISTED"):
    """An application of `issuer` taken through the services to `listed` on one venue."""
    product = products.product_create(actor=issuer_user, issuer=issuer, **product_terms(symbol=symbol))
    application = products.application_create(actor=issuer_user, product=product)
    products.application_submit(application=application, actor=issuer_user, run_checks=False)
    products.application_start_checks(application_id=application.pk)
    products.application_complete_checks(application_id=application.pk)
    products.application_approve(application=application, actor=officer, rationale="ok")
    products.application_approve(application=application, actor=second_officer, rationale="ok too")
    VenueFactory()
    products.application_list(application=application, actor=officer, rationale="go live")
    application.refresh_from_db()
    return application


def confirm_match_on_issuer(issuer, officer):
    """The issuer's KYB party screened against a list naming it, and the hit confirmed."""
    party = entity(issuer.legal_name, issuer=issuer)
    import_entries([entry("EU.1", issuer.legal_name, kind="entity")])
    sanctions.party_screen(party_id=party.pk)
    return sanctions.hit_confirm(hit=party.hits.get(), actor=officer, rationale="Same LEI and address.")


def confirm_match_on_related_person(issuer, officer, *, role="director", name="Viktor Andreyevich Kolesnikov"):
    """A person declared as the issuer KYB party's director or beneficial owner, screened against
    a list naming them, and the hit confirmed."""
    party = entity(issuer.legal_name, issuer=issuer)
    relation = kyc.party_add_person(
        actor=officer,
        entity=party,
        name=name,
        role=role,
        residence_country="CY",
        ownership_pct=Decimal("60") if role == "ubo" else None,
    )
    import_entries([entry("UK.7", name)])
    sanctions.party_screen(party_id=relation.related_id)
    return sanctions.hit_confirm(hit=relation.related.hits.get(), actor=officer, rationale="Same person, passport.")
