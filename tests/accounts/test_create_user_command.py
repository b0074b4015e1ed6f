import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_creates_an_officer_with_a_usable_password():
    call_command("create_user", "olga", "--role", "officer", "--password", "a-long-safe-passphrase")
    user = User.objects.get(username="olga")
    assert user.role == "officer"
    assert user.check_password("a-long-safe-passphrase")


def test_issuer_user_is_attached_to_the_issuer_by_lei(issuer):
    call_command("create_user", "ivan", "--role", "issuer", "--issuer", issuer.lei, "--password", "a-long-safe-pass")
    assert list(User.objects.get(username="ivan").issuers.all()) == [issuer]


def test_issuer_role_without_lei_is_refused():
    with pytest.raises(CommandError, match="needs the LEI"):
        call_command("create_user", "ivan", "--role", "issuer", "--password", "a-long-safe-pass")


def test_unknown_lei_is_refused():
    with pytest.raises(CommandError, match="No issuer"):
        call_command("create_user", "ivan", "--role", "issuer", "--issuer", "529900T8BM49AURSDO55", "--password", "x")


def test_weak_password_is_refused():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "olga", "--role", "officer", "--password", "abc")
    assert not User.objects.filter(username="olga").exists()


def test_password_prompt_is_used_when_no_password_given(monkeypatch):
    answers = iter(["prompted-passphrase-1", "prompted-passphrase-1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_user", "pat", "--role", "auditor")
    assert User.objects.get(username="pat").check_password("prompted-passphrase-1")
