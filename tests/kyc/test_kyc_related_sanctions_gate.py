"""The KYB approval gate reads the sanctions state of the issuer's owners and directors too."""

from decimal import Decimal

import pytest

from compliance.kyc import services as kyc
from compliance.sanctions import services as sanctions
from config.errors import IllegalTransition
from products import services as products
from tests.factories import ApplicationFactory, ProductFactory
from tests.kyc.kyc_support import checked_case, entity, entry, import_entries

pytestmark = pytest.mark.django_db

BLOCKER = "an owner or director of the issuer has an open or confirmed sanctions hit"


def _vetted_issuer_with(issuer, officer, *, name: str, role: str):
    """The issuer's KYB case approved, then a director or owner declared and screened."""
    party = entity(issuer.legal_name, issuer=issuer)
    kyc.case_decide(case=checked_case(party, officer), actor=officer, decision="approve", rationale="KYB ok")
    pct = Decimal("60") if role == "ubo" else None
    relation = kyc.party_add_person(
        actor=officer, entity=party, name=name, role=role, residence_country="CY", ownership_pct=pct
    )
    import_entries([entry("UK.7", name)])
    sanctions.party_screen(party_id=relation.related_id)
    return relation.related


def _application(issuer):
    return ApplicationFactory(product=ProductFactory(issuer=issuer, symbol="KYB-UBO"), state="in_review", version=1)


def test_an_issuer_whose_director_is_a_confirmed_match_cannot_be_approved(require_kyb, issuer, officer):
    director = _vetted_issuer_with(issuer, officer, name="Viktor Andreyevich Kolesnikov", role="director")
    sanctions.hit_confirm(hit=director.hits.get(), actor=officer, rationale="Same person, passport match.")
    with pytest.raises(IllegalTransition, match=BLOCKER):
        products.application_approve(application=_application(issuer), actor=officer, rationale="ok")


def test_an_open_hit_on_an_issuers_beneficial_owner_blocks_approval(require_kyb, issuer, officer):
    _vetted_issuer_with(issuer, officer, name="Viktor Andreyevich Kolesnikov", role="ubo")
    with pytest.raises(IllegalTransition, match=BLOCKER):
        products.application_approve(application=_application(issuer), actor=officer, rationale="ok")
