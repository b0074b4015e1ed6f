"""Writes of the eligibility app: exchange API keys (create, rotate, revoke)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from compliance.audit.services import audit_record
from compliance.eligibility.models import ApiKey
from config.errors import IllegalTransition, NotPermitted
from products.models import Venue

KEY_PREFIX = "att_"
# "att_" plus 8 random characters are stored in clear to find the row; the rest is secret.
PREFIX_LENGTH = len(KEY_PREFIX) + 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    # 32 random bytes (256 bits) after the look-up prefix: unguessable, so SHA-256 suffices.
    return f"{KEY_PREFIX}{secrets.token_hex(4)}{secrets.token_urlsafe(32)}"


def _require_admin(actor) -> None:
    if isinstance(actor, str) and actor.startswith("system"):
        return
    if getattr(actor, "role", None) != Role.ADMIN and not getattr(actor, "is_superuser", False):
        raise NotPermitted("Only an administrator may manage screening API keys.")


def _insert_key(*, actor, venue: Venue, name: str) -> tuple[ApiKey, str]:
    for _attempt in range(5):
        key = _new_key()
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    venue=venue,
                    name=name,
                    prefix=key[:PREFIX_LENGTH],
                    key_hash=hash_key(key),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            return api_key, key
        except IntegrityError:
            continue  # a prefix collision (2**-32 per pair of keys): draw again
    raise IllegalTransition("Could not allocate a unique key prefix; try again.")


@transaction.atomic
def api_key_create(*, actor, venue: Venue, name: str = "") -> tuple[ApiKey, str]:
    """Create a key for ``venue``. Returns the row and the key, which is not stored anywhere."""
    _require_admin(actor)
    name = (name or "").strip() or f"{venue.mic} screening"
    api_key, key = _insert_key(actor=actor, venue=venue, name=name)
    audit_record(
        actor=actor,
        action="api_key.create",
        obj=api_key,
        after={"venue": venue.mic, "name": name, "prefix": api_key.prefix},
    )
    return api_key, key


def _forget_on_commit(prefix: str) -> None:
    from compliance.eligibility.selectors import forget_cached_key

    transaction.on_commit(lambda: forget_cached_key(prefix))


@transaction.atomic
def api_key_revoke(*, actor, api_key: ApiKey, rationale: str = "") -> ApiKey:
    _require_admin(actor)
    api_key = ApiKey.objects.select_for_update().select_related("venue").get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        raise IllegalTransition(f"Key {api_key.prefix}… is already revoked.")
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_key.revoke",
        obj=api_key,
        before={"revoked_at": None},
        after={"revoked_at": api_key.revoked_at, "venue": api_key.venue.mic},
        rationale=(rationale or "").strip(),
    )
    _forget_on_commit(api_key.prefix)
    return api_key


@transaction.atomic
def api_key_rotate(*, actor, api_key: ApiKey, rationale: str = "") -> tuple[ApiKey, str]:
    """Replace a key: a new one for the same venue, the old one revoked in the same transaction."""
    _require_admin(actor)
    old = ApiKey.objects.select_for_update().select_related("venue").get(pk=api_key.pk)
    if old.revoked_at is not None:
        raise IllegalTransition(f"Key {old.prefix}… is revoked; create a new key instead.")
    new, key = _insert_key(actor=actor, venue=old.venue, name=old.name)
    old.revoked_at = timezone.now()
    old.replaced_by = new
    old.save(update_fields=["revoked_at", "replaced_by"])
    audit_record(
        actor=actor,
        action="api_key.rotate",
        obj=old,
        before={"prefix": old.prefix},
        after={"prefix": new.prefix, "venue": old.venue.mic, "replaced_by": new.pk},
        rationale=(rationale or "").strip(),
    )
    _forget_on_commit(old.prefix)
    return new, key
