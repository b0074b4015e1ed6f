from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from compliance.audit.services import audit_record


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
