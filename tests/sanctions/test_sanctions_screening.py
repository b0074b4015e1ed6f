"""Screening: the API on known hard cases, hits that stay cleared, re-screen on a real worker."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from compliance.kyc.models import Party
from compliance.sanctions import services
from compliance.sanctions.models import HitState, ListSource, ScreeningHit
from tests.kyc.kyc_support import entry, import_entries, person

DATA = Path(settings.ATTEST_SANCTIONS_DATA_DIR)
needs_data = pytest.mark.skipif(not (DATA / "sdn.csv").exists(), reason="real lists not present")


@pytest.fixture
def real_lists(db):
    services.list_import(source="ofac-sdn", path=DATA / "sdn.csv", actor="system:test")
    services.list_import(source="un", path=DATA / "UN_consolidated.xml", actor="system:test")


def screen(user, queries):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/sanctions/screen", {"queries": queries}, format="json")


@needs_data
@pytest.mark.django_db
def test_api_finds_hard_cases_in_query_order(real_lists, officer):
    response = screen(
        officer,
        [
            {"name": "Noriega, Manuel Antonio", "kind": "person"},  # token order
            {"name": "Manuel Antonio Norieaga", "kind": "person"},  # typo
            {"name": "Usama bin Laden", "kind": "person"},  # alias
            {"name": "Sophie Martin", "kind": "person", "country": "FR", "birth_date": "1988-03-14"},
        ],
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["hits"][0]["ref"] if r["hits"] else None for r in results] == ["1572", "1572", "6365", None]
    top = results[1]["hits"][0]
    assert top["source"] == "ofac-sdn" and top["name"] == "NORIEGA, Manuel Antonio"
    assert 0.86 <= top["score"] < 1.0 and "name_score" in top["factors"]
    scores = [h["score"] for h in results[2]["hits"]]
    assert scores == sorted(scores, reverse=True)


@needs_data
@pytest.mark.django_db
def test_threshold_setting_filters_hits(real_lists, officer, settings):
    settings.ATTEST_SANCTIONS_THRESHOLD = 0.99
    hits = screen(officer, [{"name": "Manuel Antonio Norieaga", "kind": "person"}]).json()["results"][0]["hits"]
    assert hits == []


@pytest.mark.django_db
def test_api_validates_queries(officer):
    assert screen(officer, [{"name": "A", "kind": "ship"}]).status_code == 400
    assert screen(officer, [{"name": "A", "kind": "person", "country": "ZZ"}]).status_code == 400
    too_many = screen(officer, [{"name": "A", "kind": "person"}] * 1001)
    assert too_many.status_code == 400 and "queries" in too_many.json()["errors"]
    assert screen(officer, []).status_code == 400


@pytest.mark.django_db
def test_a_query_country_is_read_case_insensitively(officer):
    assert screen(officer, [{"name": "A", "kind": "person", "country": "fr"}]).status_code == 200


@pytest.mark.django_db
def test_cleared_hit_does_not_reappear_unless_entry_changes(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    party = person("Ivan Petrovich Sidorov", country="RU", birth=date(1960, 1, 12))
    assert services.party_screen(party_id=party.pk).new_hits == 1
    hit = party.hits.get()
    services.hit_clear(hit=hit, actor=officer, rationale="Different person: born elsewhere.")
    assert services.party_screen(party_id=party.pk).new_hits == 0
    party.refresh_from_db()
    assert party.sanctions_state == "clear"
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov", birth_dates=["1960-01-12"])])  # the entry changed
    assert services.party_screen(party_id=party.pk).new_hits == 1
    assert list(party.hits.order_by("id").values_list("state", flat=True)) == [HitState.CLEARED, HitState.OPEN]


@pytest.mark.django_db
def test_confirmed_hit_blocks_party(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    party = person("Ivan Petrovich Sidorov", country="RU")
    services.party_screen(party_id=party.pk)
    services.hit_confirm(hit=party.hits.get(), actor=officer, rationale="Passport matches.")
    party.refresh_from_db()
    assert party.sanctions_state == "confirmed"
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov", birth_dates=["1960"])])
    assert services.party_screen(party_id=party.pk).new_hits == 0  # already blocked for this entry


@pytest.mark.slow
def test_reimport_rescreens_every_party_on_a_real_worker(celery_worker_process, officer):
    from django.db import transaction

    from tests.worker import wait_until

    import_entries([entry("1", "Somebody Else Entirely")])
    parties = [person(f"Investor Number {i}") for i in range(5)] + [person("Ivan Petrovich Sidorov", country="RU")]
    assert not ScreeningHit.objects.exists()
    with transaction.atomic():  # the import queues the re-screen when it commits
        import_entries([entry("1", "Somebody Else Entirely"), entry("QDi.1", "Ivan Petrovich Sidorov")])
    assert wait_until(lambda: Party.objects.filter(last_screened_at__isnull=False).count() == len(parties), 60), (
        celery_worker_process.output()[-3000:]
    )
    hit = ScreeningHit.objects.get()
    assert (hit.party.name, hit.ref, hit.state) == ("Ivan Petrovich Sidorov", "QDi.1", "open")
    assert ListSource.objects.get(code="un").current.number == 2
