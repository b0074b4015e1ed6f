"""Officers declare an entity's owners and directors from the web: person and relation in one step."""

import pytest

from compliance.kyc.models import Party, PartyRelation
from tests.factories import UserFactory
from tests.kyc.kyc_support import entity, logged_in, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("compliance.kyc.services._queue_screen", lambda party_ids: None)


@pytest.fixture
def fund(db):
    return entity("Helios Compute Fund SCSp", country="LU")


def url(party) -> str:
    return f"/kyc/parties/{party.pk}/owners-and-directors/new/"


def form(**overrides):
    data = {
        "name": "Marie Dubois",
        "role": "ubo",
        "ownership_pct": "40",
        "birth_date": "1971-05-09",
        "nationalities": "fr",
        "residence_country": "lu",
    }
    data.update(overrides)
    return data


def test_an_officer_declares_a_beneficial_owner(officer, fund):
    response = logged_in(officer).post(url(fund), form(), follow=True)
    relation = PartyRelation.objects.select_related("related").get(entity=fund)
    assert (relation.role, str(relation.ownership_pct)) == ("ubo", "40.00")
    assert (relation.related.kind, relation.related.nationalities, relation.related.residence_country) == (
        "person",
        ["FR"],
        "LU",
    )
    assert "Marie Dubois added as ultimate beneficial owner and queued for screening" in response.content.decode()
    assert "Marie Dubois</a> — Ultimate beneficial owner (25% or more) (40.00%)" in response.content.decode()


def test_an_owner_below_25_percent_is_a_field_error_and_no_person_is_left_behind(officer, fund):
    response = logged_in(officer).post(url(fund), form(ownership_pct="10"))
    assert "A beneficial owner holds at least 25" in response.content.decode()
    assert not Party.objects.filter(name="Marie Dubois").exists()


def test_a_director_needs_no_ownership(officer, fund):
    logged_in(officer).post(url(fund), form(role="director", ownership_pct=""))
    assert PartyRelation.objects.get(entity=fund).role == "director"


def test_the_entity_page_offers_it_and_a_person_page_does_not(officer, fund):
    assert url(fund) in logged_in(officer).get(f"/kyc/parties/{fund.pk}/").content.decode()
    someone = person("Sophie Martin")
    assert logged_in(officer).get(url(someone)).status_code == 404


def test_an_auditor_gets_a_404_and_nothing_is_written(auditor, fund):
    assert logged_in(auditor).get(url(fund)).status_code == 404
    assert logged_in(auditor).post(url(fund), form()).status_code == 404
    assert not PartyRelation.objects.exists()


def test_an_issuer_gets_a_404(issuer, fund):
    assert logged_in(UserFactory(role="issuer", issuer=issuer)).get(url(fund)).status_code == 404


def test_owners_cannot_hold_more_than_the_whole_entity(officer, fund):
    client = logged_in(officer)
    client.post(url(fund), form(name="Marie Dubois", ownership_pct="60"))
    response = client.post(url(fund), form(name="Jean Martin", ownership_pct="45"))
    assert "The declared owners already hold 60.00% of Helios Compute Fund SCSp; at most 100% in all." in (
        response.content.decode()
    )
    assert list(PartyRelation.objects.values_list("related__name", flat=True)) == ["Marie Dubois"]
    client.post(url(fund), form(name="Jean Martin", ownership_pct="40"))
    assert PartyRelation.objects.count() == 2
