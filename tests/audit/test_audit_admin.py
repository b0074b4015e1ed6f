"""Records that change only through the services are read-only in the admin, even for a superuser:
an edit there would skip the service's checks and its audit event."""

import pytest
from django.db import transaction
from django.test import Client

from compliance.audit.services import audit_record

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "audit/auditevent",
    "disclosures/disclosuredocument",
    "disclosures/disclosurerendering",
    "disclosures/disclosureacknowledgement",
    "eligibility/screeningdecision",
    "eligibility/snapshotversion",
]


@pytest.fixture
def superuser_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_admin_lists_the_records_but_offers_no_add_form(superuser_client, model):
    assert superuser_client.get(f"/admin/{model}/").status_code == 200
    assert superuser_client.get(f"/admin/{model}/add/").status_code == 403


def test_an_audit_event_cannot_be_edited_or_deleted_in_the_admin(superuser_client):
    with transaction.atomic():
        event = audit_record(actor="system:test", action="test.admin", object_type="test", object_id="1")

    edit = superuser_client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "test.edited"})
    delete = superuser_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})

    event.refresh_from_db()
    assert (edit.status_code, delete.status_code, event.action) == (403, 403, "test.admin")
