"""An investor's sanctions state in the snapshot is the worst of its own and its beneficial
owners' and directors' (confirmed, then open hit, then clear)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.eligibility import holder, versioning
from compliance.eligibility.engine import ReasonCode
from compliance.eligibility.snapshot import build_snapshot
from compliance.kyc import services as kyc
from compliance.kyc.models import Investor, Party, PartyRelation
from compliance.sanctions import services as sanctions
from tests.eligibility.eligibility_support import listed_product
from tests.eligibility.test_eligibility_snapshot_db import constraints, reasons
from tests.kyc.conftest import _fresh_matcher  # noqa: F401  (the matcher cache is per list version)
from tests.kyc.kyc_support import entry, import_entries

pytestmark = pytest.mark.usefixtures("screening")

R = ReasonCode
SYSTEM = "system:test"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        product, application = listed_product("H100-TEST", ("XCME",))
        constraints(application, US={"allowed_investor_categories": None})
    return product


def fund(reference: str, *, sanctions: str = "clear") -> Investor:
    """An approved entity investor (rows, as the snapshot reads them)."""
    party = Party.objects.create(
        kind="entity",
        name=f"Fund {reference}",
        country="US",
        kyc_status="approved",
        kyc_expires_on=date(2099, 1, 1),
        sanctions_state=sanctions,
    )
    return Investor.objects.create(
        party=party, reference=reference, category="professional", residence_jurisdiction="US"
    )


def related(entity: Party, name: str, *, sanctions: str, role: str = "ubo") -> Party:
    person = Party.objects.create(kind="person", name=name, residence_country="CY", sanctions_state=sanctions)
    pct = Decimal("60") if role == "ubo" else None
    PartyRelation.objects.create(entity=entity, related=person, role=role, ownership_pct=pct)
    return person


def test_an_entity_whose_beneficial_owner_is_a_confirmed_match_is_sanctions_confirmed(world):
    related(fund("FUND-1").party, "Viktor Kolesnikov", sanctions="confirmed")
    assert reasons(build_snapshot(), "FUND-1") == {R.SANCTIONS_CONFIRMED}


def test_an_open_hit_on_a_director_holds_the_entity_for_review(world):
    related(fund("FUND-1").party, "Anna Director", sanctions="open_hit", role="director")
    assert reasons(build_snapshot(), "FUND-1") == {R.SANCTIONS_REVIEW_PENDING}


def test_a_confirmed_owner_outweighs_the_entitys_own_open_hit(world):
    related(fund("FUND-1", sanctions="open_hit").party, "Viktor Kolesnikov", sanctions="confirmed")
    assert reasons(build_snapshot(), "FUND-1") == {R.SANCTIONS_CONFIRMED}


def test_related_sanctions_are_read_in_one_query_for_all_investors(world):
    related(fund("FUND-0").party, "Owner 0", sanctions="confirmed")
    with CaptureQueriesContext(connection) as few:
        build_snapshot()
    for i in range(1, 40):
        related(fund(f"FUND-{i}").party, f"Owner {i}", sanctions="confirmed")
        related(Party.objects.get(investor__reference=f"FUND-{i}"), f"Director {i}", sanctions="clear", role="director")
    with CaptureQueriesContext(connection) as many:
        snapshot = build_snapshot()
    assert len(many) == len(few)
    assert all(reasons(snapshot, f"FUND-{i}") == {R.SANCTIONS_CONFIRMED} for i in range(40))


def test_confirming_a_hit_on_an_owner_reaches_the_next_screening(world, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner = related(fund("FUND-1").party, "Viktor Andreyevich Kolesnikov", sanctions="clear")
        import_entries([entry("UK.99", "Viktor Andreyevich Kolesnikov")])
    first = holder.current()
    assert reasons(first, "FUND-1") == set()
    with django_capture_on_commit_callbacks(execute=True):
        sanctions.party_screen(party_id=owner.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sanctions.hit_confirm(hit=owner.hits.get(), actor=officer, rationale="Same person, passport match.")
    after = holder.current()
    assert after.version > first.version
    assert reasons(after, "FUND-1") == {R.SANCTIONS_CONFIRMED}


def test_declaring_a_sanctioned_director_of_an_investor_bumps_the_version(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entity = fund("FUND-1").party
        person = Party.objects.create(
            kind="person", name="Listed Person", residence_country="CY", sanctions_state="confirmed"
        )
    holder.current()
    before = versioning.read_version_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        kyc.party_add_relation(actor=SYSTEM, entity=entity, related=person, role="director")
    assert versioning.read_version_from_db() == before + 1
    assert reasons(holder.current(), "FUND-1") == {R.SANCTIONS_CONFIRMED}
