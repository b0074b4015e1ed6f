"""Imported sanctions list versions, their entries, and screening hits on parties.

Each import of a source list becomes a new ``ListVersion`` with its own ``ListedEntry`` rows;
the source's ``current`` pointer moves to it only once every row is written (one transaction),
so screening never sees a half-imported list. Older versions stay for the delta and the record.
"""

from django.conf import settings
from django.db import models


class SourceCode(models.TextChoices):
    OFAC_SDN = "ofac-sdn", "US OFAC SDN list"
    UN = "un", "UN Security Council consolidated list"
    EU = "eu", "EU financial sanctions (FSF) consolidated list"
    UK = "uk", "UK OFSI consolidated list"


class ListSource(models.Model):
    code = models.CharField(max_length=16, choices=SourceCode.choices, unique=True)
    current = models.OneToOneField(
        "ListVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="current_of"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()


class ListVersion(models.Model):
    source = models.ForeignKey(ListSource, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 over the source files (ParseReport.checksum).")
    checksums = models.JSONField(default=dict, help_text="File name -> SHA-256.")
    counts = models.JSONField(default=dict)
    malformed = models.JSONField(default=list, help_text="[{file, line, reason}] rows skipped.")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    added = models.JSONField(default=list, help_text="Refs new since the previous version.")
    removed = models.JSONField(default=list, help_text="Refs gone since the previous version.")
    changed = models.JSONField(default=list, help_text="Refs whose content changed.")
    imported_by = models.CharField(max_length=150)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "-number"]
        constraints = [models.UniqueConstraint(fields=["source", "number"], name="sanctions_version_number")]

    def __str__(self):
        return f"{self.source.code} v{self.number} ({self.checksum[:12]})"


class ListedEntry(models.Model):
    """One listed subject in one version of one list: enough to rebuild the matcher from the DB."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    source = models.CharField(max_length=16, choices=SourceCode.choices)
    ref = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    primary_name = models.CharField(max_length=500)
    names = models.JSONField(default=list, help_text="[[name, alias_type], ...], primary first.")
    birth_dates = models.JSONField(default=list)
    nationalities = models.JSONField(default=list)
    countries = models.JSONField(default=list)
    programs = models.JSONField(default=list)
    raw = models.JSONField(default=dict, help_text="Addresses, remarks, listing date as parsed.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the entry's content; changes => re-review.")

    class Meta:
        ordering = ["version", "ref"]
        constraints = [models.UniqueConstraint(fields=["version", "ref"], name="sanctions_entry_once_per_version")]
        indexes = [models.Index(fields=["source", "ref"])]

    def __str__(self):
        return f"{self.source}:{self.ref} {self.primary_name}"


class HitState(models.TextChoices):
    OPEN = "open", "Open"
    CLEARED = "cleared", "Cleared (false positive)"
    CONFIRMED = "confirmed", "Confirmed match"
    SUPERSEDED = "superseded", "Superseded (the list entry changed)"


class ScreeningHit(models.Model):
    """A party's name matched a listed entry; waits for an officer to clear or confirm it.

    Unique per party, entry and entry content: a cleared hit is not raised again on re-screen
    unless the listed entry's content (``entry_hash``) changed.
    """

    party = models.ForeignKey("kyc.Party", on_delete=models.PROTECT, related_name="hits")
    entry = models.ForeignKey(ListedEntry, on_delete=models.PROTECT, related_name="hits")
    source = models.CharField(max_length=16, choices=SourceCode.choices)
    ref = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    screened_name = models.CharField(max_length=500, help_text="The party's name (or alias) that matched.")
    matched_name = models.CharField(max_length=500, help_text="The listed name that matched.")
    alias_type = models.CharField(max_length=16)
    score = models.FloatField()
    factors = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=HitState.choices, default=HitState.OPEN)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "source", "ref", "entry_hash"], name="sanctions_hit_once_per_entry_content"
            )
        ]
        indexes = [models.Index(fields=["state", "-created_at"]), models.Index(fields=["party", "state"])]

    def __str__(self):
        return f"Hit #{self.pk}: {self.party.name} ~ {self.source}:{self.ref} ({self.score:.2f}, {self.state})"
