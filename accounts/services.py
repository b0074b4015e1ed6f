from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts.models import Role, User
from compliance.audit.services import audit_record
from config.errors import NotPermitted
from config.text import required_text


@transaction.atomic
def user_create(*, actor, username: str, role: str, password: str, issuer=None, email: str = "") -> User:
    """Create a user with a role; an issuer user must act for exactly one issuer."""
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."]})
    if role == Role.ISSUER and issuer is None:
        raise ValidationError({"issuer": ["An issuer user needs the LEI of the issuer it acts for."]})
    if role != Role.ISSUER and issuer is not None:
        raise ValidationError({"issuer": ["Only issuer users act for an issuer."]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [f"A user named {username!r} already exists."]})
    user = User(
        username=username,
        role=role,
        email=email,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if issuer is not None:
        issuer.members.add(user)
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"username": username, "role": role, "issuer": issuer.lei if issuer else None},
    )
    return user


def _admin_change(actor, user: User, rationale: str) -> str:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise NotPermitted("Only an administrator may change a user's access.")
    if actor.pk == user.pk:
        raise NotPermitted("Administrators cannot change their own access; another administrator must.")
    return required_text(rationale, field="rationale", message="Say why: the change is recorded in the audit trail.")


@transaction.atomic
def user_role_set(*, actor, user: User, role: str, rationale: str) -> User:
    """Give a user another role. Officers' roles decide four-eyes approvals, so every change is
    an audit event with its rationale, and an issuer user's tie to its issuer stays consistent."""
    rationale = _admin_change(actor, user, rationale)
    user = User.objects.select_for_update().get(pk=user.pk)
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."]})
    if role == user.role:
        raise ValidationError({"role": [f"{user.username} is already {user.get_role_display().lower()}."]})
    issuers = list(user.issuers.values_list("legal_name", flat=True))
    if role == Role.ISSUER and not issuers:
        raise ValidationError({"role": ["An issuer user acts for an issuer: create one with create_user --issuer."]})
    if role != Role.ISSUER and issuers:
        raise ValidationError({"role": [f"{user.username} acts for {', '.join(issuers)}; staff act for no issuer."]})
    before = user.role
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    audit_record(
        actor=actor,
        action="user.role_set",
        obj=user,
        before={"role": before},
        after={"role": role},
        rationale=rationale,
    )
    return user


@transaction.atomic
def user_active_set(*, actor, user: User, active: bool, rationale: str) -> User:
    """Deactivate a leaver (their records keep their name) or reactivate them, on the record."""
    rationale = _admin_change(actor, user, rationale)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        state = "active" if active else "inactive"
        raise ValidationError({"is_active": [f"{user.username} is already {state}."]})
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="user.reactivate" if active else "user.deactivate",
        obj=user,
        before={"is_active": not active},
        after={"is_active": active},
        rationale=rationale,
    )
    return user


@transaction.atomic
def user_api_token_create(*, actor, user: User, days: int | None = None) -> tuple[AuthToken, str]:
    """A personal API token for ``user``: only its digest is stored, the token is returned once."""
    if not user.is_active:
        raise ValidationError({"user": [f"{user.username} is inactive."]})
    if days is not None and not 1 <= days <= 366:
        raise ValidationError({"days": ["A token lives 1 to 366 days."]})
    instance, token = AuthToken.objects.create(user, expiry=timedelta(days=days) if days else knox_settings.TOKEN_TTL)
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=user,
        after={"token_key": instance.token_key, "expiry": instance.expiry.isoformat() if instance.expiry else None},
    )
    return instance, token


@transaction.atomic
def user_api_token_revoke(*, actor, token: AuthToken, rationale: str = "") -> None:
    """Revoke one token (its digest is deleted, so it authenticates no more)."""
    user, key = token.user, token.token_key
    AuthToken.objects.filter(digest=token.digest).delete()
    audit_record(actor=actor, action="api_token.revoke", obj=user, before={"token_key": key}, rationale=rationale)
