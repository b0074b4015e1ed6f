"""Confirming a hit that suspends listings takes the application rows before the audit chain,
the order an officer's action takes them in; the other order deadlocked with that action.

The officer, holding the application row, waits until the confirmation is observed blocked by
it, then goes on to write its audit event. Had the confirmation already taken the audit chain's
lock, the two would now wait on each other."""

import threading

import pytest
from django.db import connection

from compliance.sanctions import services as sanctions
from products import services as products
from tests.kyc.kyc_support import entity, entry, import_entries
from tests.races import wait_until_someone_waits_for_me
from tests.sanctions.listing_support import listed_application

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and advisory locks: PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_confirming_a_hit_while_an_officer_suspends_the_listing_does_not_deadlock(
    issuer, issuer_user, officer, second_officer, monkeypatch
):
    application = listed_application(
        issuer=issuer, issuer_user=issuer_user, officer=officer, second_officer=second_officer
    )
    party = entity(issuer.legal_name, issuer=issuer)
    import_entries([entry("EU.1", issuer.legal_name, kind="entity")])
    sanctions.party_screen(party_id=party.pk)
    hit = party.hits.get()

    authorize = products._authorize
    officer_holds_the_row = threading.Event()
    seen = {}

    def authorize_once_the_confirmation_waits(transition, app, actor):  # right after the officer's row lock
        if threading.current_thread().name == "officer":
            officer_holds_the_row.set()
            seen["confirmation_blocked_by_officer"] = wait_until_someone_waits_for_me()
        return authorize(transition, app, actor)

    monkeypatch.setattr(products, "_authorize", authorize_once_the_confirmation_waits)
    outcome = {}

    def suspend():
        try:
            products.application_suspend(application=application, actor=second_officer, rationale="Hold.")
            outcome["suspend"] = "ok"
        except Exception as exc:  # the outcome is what the test reads
            outcome["suspend"] = repr(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=suspend, name="officer")
    worker.start()
    assert officer_holds_the_row.wait(10)
    try:
        sanctions.hit_confirm(hit=hit, actor=officer, rationale="Same LEI and address.")
        outcome["confirm"] = "ok"
    except Exception as exc:
        outcome["confirm"] = repr(exc)
    worker.join(30)

    assert seen == {"confirmation_blocked_by_officer": True}
    assert outcome == {"suspend": "ok", "confirm": "ok"}
    application.refresh_from_db()
    assert application.state == "suspended"
