"""Administrators change a user's role or deactivate them only on the record."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import services
from accounts.models import User
from compliance.audit.models import AuditEvent
from config.errors import NotPermitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(role="admin", is_staff=True, is_superuser=True)


def test_a_role_change_is_an_audit_event_with_its_rationale(admin_user):
    auditor = UserFactory(role="auditor")
    services.user_role_set(actor=admin_user, user=auditor, role="officer", rationale="Joined the review team.")
    auditor.refresh_from_db()
    assert auditor.role == "officer"
    event = AuditEvent.objects.get(action="user.role_set", object_id=str(auditor.pk))
    assert (event.before, event.after, event.rationale) == (
        {"role": "auditor"},
        {"role": "officer"},
        "Joined the review team.",
    )


def test_the_admin_flags_follow_the_role(admin_user):
    officer = UserFactory(role="officer")
    services.user_role_set(actor=admin_user, user=officer, role="admin", rationale="New administrator.")
    officer.refresh_from_db()
    assert officer.is_staff and officer.is_superuser


@pytest.mark.parametrize("role", ["officer", "senior", "auditor", "issuer"])
def test_only_an_administrator_changes_roles(role, issuer):
    actor = UserFactory(role=role, issuer=issuer) if role == "issuer" else UserFactory(role=role)
    with pytest.raises(NotPermitted):
        services.user_role_set(actor=actor, user=UserFactory(role="auditor"), role="senior", rationale="Promotion.")


def test_an_administrator_cannot_change_their_own_access(admin_user):
    with pytest.raises(NotPermitted):
        services.user_active_set(actor=admin_user, user=admin_user, active=False, rationale="Leaving.")


def test_a_change_without_a_rationale_is_refused(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.user_role_set(actor=admin_user, user=UserFactory(role="auditor"), role="senior", rationale=" ")
    assert "rationale" in refused.value.message_dict


def test_an_issuer_user_stays_tied_to_its_issuer(admin_user, issuer_user):
    with pytest.raises(ValidationError) as refused:
        services.user_role_set(actor=admin_user, user=issuer_user, role="officer", rationale="Moved to compliance.")
    assert "acts for" in refused.value.message_dict["role"][0]
    with pytest.raises(ValidationError):
        services.user_role_set(actor=admin_user, user=UserFactory(role="auditor"), role="issuer", rationale="x")


def test_a_leaver_is_deactivated_on_the_record(admin_user):
    officer = UserFactory(role="officer")
    services.user_active_set(actor=admin_user, user=officer, active=False, rationale="Left the firm.")
    officer.refresh_from_db()
    assert not officer.is_active
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(officer.pk)).exists()
    with pytest.raises(ValidationError):
        services.user_active_set(actor=admin_user, user=officer, active=False, rationale="Again.")


# --- the admin site -----------------------------------------------------------------------------


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_stock_change_form_no_longer_writes(admin_user):
    auditor = UserFactory(role="auditor")
    client = admin_client(admin_user)
    response = client.post(
        f"/admin/accounts/user/{auditor.pk}/change/", {"username": auditor.username, "role": "senior"}
    )
    auditor.refresh_from_db()
    assert response.status_code == 403 and auditor.role == "auditor"
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get(f"/admin/accounts/user/{auditor.pk}/change/").status_code == 200  # still readable


def test_the_change_role_action_asks_for_a_rationale_then_applies(admin_user):
    auditor = UserFactory(role="auditor")
    client = admin_client(admin_user)
    chosen = {"action": "change_role", "_selected_action": [auditor.pk]}
    page = client.post("/admin/accounts/user/", chosen)
    assert page.status_code == 200 and b'name="rationale"' in page.content
    missing = client.post("/admin/accounts/user/", {**chosen, "apply": "1", "role": "senior", "rationale": ""})
    assert missing.status_code == 200 and User.objects.get(pk=auditor.pk).role == "auditor"
    done = client.post(
        "/admin/accounts/user/", {**chosen, "apply": "1", "role": "senior", "rationale": "Second approver."}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=auditor.pk).role == "senior"
    assert AuditEvent.objects.get(action="user.role_set").actor_label == admin_user.username
