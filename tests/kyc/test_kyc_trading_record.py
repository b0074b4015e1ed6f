"""The investor's trading record on the party page: what eligibility reads besides KYC."""

from datetime import UTC, datetime

import pytest

from compliance.disclosures.models import DisclosureAcknowledgement
from compliance.kyc.models import AppropriatenessAssessment, Position
from tests.eligibility.eligibility_support import investor, listed_product, publish
from tests.kyc.kyc_support import logged_in, person

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_the_party_page_shows_assessments_positions_and_acknowledgements(officer):
    product, _ = listed_product("H100-TEST")
    someone = investor("INV-7")
    AppropriatenessAssessment.objects.create(investor=someone, product=product, passed=False, assessed_at=AT)
    AppropriatenessAssessment.objects.create(investor=someone, product=None, passed=True, assessed_at=AT)
    Position.objects.create(investor=someone, product=product, contracts=-40)
    superseded = publish(product, "US", version=1, status="superseded")
    DisclosureAcknowledgement.objects.create(document=superseded, investor=someone, channel="web", acknowledged_at=AT)
    page = logged_in(officer).get(f"/kyc/parties/{someone.party_id}/").content.decode()
    assert "Trading record of INV-7" in page
    assert "<td>H100-TEST</td><td>failed</td><td>2026-11-20 09:30</td>" in page
    assert "<td>every product</td><td>passed</td>" in page
    assert '<td>H100-TEST</td><td class="num">-40</td>' in page
    assert '<td>H100-TEST</td><td>US</td><td>v1 <span class="muted">(superseded)</span></td>' in page


def test_a_party_that_is_not_an_investor_has_no_trading_record(officer):
    party = person("Sophie Martin")
    assert "Trading record" not in logged_in(officer).get(f"/kyc/parties/{party.pk}/").content.decode()
