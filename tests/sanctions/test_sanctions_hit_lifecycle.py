"""A hit's life beside re-screening: superseded on the record, decided without a deadlock."""

import threading

import pytest
from django.db import connection, transaction

from compliance.audit.models import AuditEvent
from compliance.kyc.models import Party
from compliance.sanctions import services
from compliance.sanctions.models import HitState, ScreeningHit
from tests.factories import UserFactory
from tests.kyc.kyc_support import entry, import_entries, person


def _screened_party():
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    party = person("Ivan Petrovich Sidorov", country="RU")
    services.party_screen(party_id=party.pk)
    return party, party.hits.get()


@pytest.mark.django_db
def test_a_hit_superseded_by_a_changed_entry_is_on_the_audit_trail():
    party, old = _screened_party()
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov", aliases=("Ivan Sidorov",))])  # the entry changed
    services.party_screen(party_id=party.pk)
    old.refresh_from_db()
    new = party.hits.get(state=HitState.OPEN)
    assert old.state == HitState.SUPERSEDED
    event = AuditEvent.objects.get(action="hit.supersede", object_id=str(old.pk))
    assert (event.before, event.after) == ({"state": "open"}, {"state": "superseded", "superseded_by": new.pk})


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_an_officer_decides_a_hit_while_the_party_is_being_rescreened():
    officer = UserFactory(role="officer")
    party, hit = _screened_party()
    party_locked, failures = threading.Event(), []

    def rescreen_as_party_screen_locks():
        # Party first, then its hits: the order party_screen takes them in.
        try:
            with transaction.atomic():
                Party.objects.select_for_update().get(pk=party.pk)
                party_locked.set()
                threading.Event().wait(0.5)  # the officer's decision arrives meanwhile
                list(ScreeningHit.objects.select_for_update().filter(party=party))
        except Exception as exc:  # a deadlock victim
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=rescreen_as_party_screen_locks)
    thread.start()
    assert party_locked.wait(10)
    try:
        services.hit_clear(hit=hit, actor=officer, rationale="Different person: born elsewhere.")
    finally:
        thread.join(10)
    assert failures == []
    hit.refresh_from_db()
    assert hit.state == HitState.CLEARED


@pytest.mark.django_db
def test_confirming_a_match_on_an_issuer_suspends_its_listed_products(issuer, issuer_user, officer, second_officer):
    from products.models import Listing
    from tests.sanctions.listing_support import confirm_match_on_issuer, listed_application

    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    product = application.product
    confirm_match_on_issuer(issuer, officer)

    application.refresh_from_db()
    assert application.state == "suspended"
    assert Listing.objects.get(product=product).status == "suspended"
    event = AuditEvent.objects.get(action="application.suspend_automatically", object_id=str(application.pk))
    # The application's history is the issuer's to read: no word of sanctions there (tipping-off).
    assert event.actor_label == "system:compliance"
