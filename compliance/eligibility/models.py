"""Screening API keys, the snapshot version counter and the append-only decision log."""

from django.conf import settings
from django.db import models

from products.validators import validate_mic


class ApiKey(models.Model):
    """An exchange's key for the screening API, bound to one venue.

    Only the SHA-256 of the key is stored, with a short prefix in clear to find the row; the key
    itself is shown once when it is created or rotated. A key is high-entropy random data, so a
    plain (unsalted, fast) hash is safe: there is nothing to brute-force.
    """

    venue = models.ForeignKey("products.Venue", on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=120, help_text="Who holds the key, e.g. 'XEUR matching engine'.")
    prefix = models.CharField(max_length=16, unique=True, help_text="First characters of the key, for look-up.")
    key_hash = models.CharField("SHA-256 of the key", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")

    class Meta:
        ordering = ["venue__mic", "-created_at"]
        verbose_name = "API key"

    def __str__(self):
        state = "revoked" if self.revoked_at else "active"
        return f"{self.prefix}… for {self.venue.mic} ({state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SnapshotVersion(models.Model):
    """A single-row counter: bumped after every committed change that can alter a decision.

    The row is the source of truth (it works with any cache backend); the value is also put in
    the cache so web processes on a shared (Redis) cache see a bump without a query.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=1)
    bumped_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"snapshot version {self.value}"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a logged screening decision."""


class ScreeningDecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Screening decisions are append-only; they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Screening decisions are append-only; they cannot be deleted.")


class ScreeningDecision(models.Model):
    """One order screened and the answer given, exactly as sent to the exchange."""

    decision_id = models.CharField(max_length=40, primary_key=True)
    evaluated_at = models.DateTimeField(db_index=True)
    venue = models.CharField(max_length=4, validators=[validate_mic])
    # No per-row foreign-key constraint: it cost a third of a 10,000-row COPY. The database
    # checks the keys once per statement instead, and refuses to delete any API key (0003).
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    client_order_id = models.CharField(max_length=128)
    investor = models.CharField(max_length=64)
    product = models.CharField(max_length=32)
    side = models.CharField(max_length=4)
    quantity = models.BigIntegerField()
    price = models.CharField(max_length=48, help_text="As sent by the exchange (a decimal string).")
    eligible = models.BooleanField()
    reason_mask = models.BigIntegerField(help_text="Bit per reason code, in catalogue order.")
    reasons = models.JSONField(default=list, help_text="The reason codes, in catalogue order.")
    snapshot_version = models.BigIntegerField()

    objects = ScreeningDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-evaluated_at", "decision_id"]
        indexes = [models.Index(fields=["venue", "-evaluated_at"], name="elig_decision_venue_idx")]

    def __str__(self):
        verdict = "eligible" if self.eligible else "rejected"
        return f"{self.decision_id}: {self.client_order_id} on {self.venue} {verdict}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Screening decisions are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Screening decisions are append-only; they cannot be deleted.")
