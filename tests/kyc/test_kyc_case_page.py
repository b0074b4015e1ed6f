"""What the case page tells an officer after each action."""

import re

import pytest
from django.utils import timezone

from compliance.kyc import risk
from compliance.kyc.risk import expiry_for
from tests.kyc.kyc_support import checked_case, entry, import_entries, logged_in, person

pytestmark = pytest.mark.django_db


def decide(user, case, action: str) -> str:
    response = logged_in(user).post(f"/kyc/cases/{case.pk}/{action}/", {"rationale": "Reviewed."}, follow=True)
    return response.content.decode()


def test_an_approval_names_the_case_and_its_review_date(officer):
    case = checked_case(person("Sophie Martin"), officer)
    page = decide(officer, case, "approve")
    assert f"Case #{case.pk} approved; review due {expiry_for('low', timezone.localdate()):%Y-%m-%d}." in page


def test_a_first_approval_of_a_high_risk_case_says_a_second_is_needed(officer):
    case = checked_case(person("Kim Chol", country="KP"), officer)
    page = decide(officer, case, "approve")
    assert f"Your approval of case #{case.pk} is recorded; a second officer must approve." in page


def test_a_rejection_says_so(officer):
    case = checked_case(person("Sophie Martin"), officer)
    assert f"Case #{case.pk} rejected." in decide(officer, case, "reject")


def test_the_party_page_offers_a_new_case_only_when_none_is_in_progress(officer):
    party = person("Sophie Martin")
    open_case = f"/kyc/parties/{party.pk}/open-case/"
    assert open_case in logged_in(officer).get(f"/kyc/parties/{party.pk}/").content.decode()
    case = checked_case(party, officer)
    assert open_case not in logged_in(officer).get(f"/kyc/parties/{party.pk}/").content.decode()
    decide(officer, case, "approve")
    assert open_case in logged_in(officer).get(f"/kyc/parties/{party.pk}/").content.decode()


def test_the_case_page_names_each_risk_factor(officer):
    case = checked_case(person("Kim Chol", country="KP"), officer)
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert "<strong>FATF call for action</strong> · 3 points, high outright · " in page


def test_every_factor_the_rating_documents_has_a_label():
    documented = set(re.findall(r"^- ``(\w+)``", risk.__doc__, flags=re.M))
    assert documented and documented == set(risk.FACTOR_LABELS)


def test_approval_is_offered_disabled_while_something_blocks_it(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    case = checked_case(person("Ivan Petrovich Sidorov", country="RU"), officer)  # screening raises a hit
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert "Approval blocked: Ivan Petrovich Sidorov has a sanctions hit awaiting review" in page
    assert 'class="primary" disabled aria-describedby="approval-blockers">Approve</button>' in page


def test_approval_is_offered_when_nothing_blocks_it(officer):
    case = checked_case(person("Sophie Martin"), officer)
    page = logged_in(officer).get(f"/kyc/cases/{case.pk}/").content.decode()
    assert '<button type="submit" class="primary">Approve</button>' in page
