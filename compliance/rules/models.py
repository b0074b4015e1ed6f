"""Rule packs as loaded into the database, rule runs and their findings.

A pack row keeps the YAML text it was loaded from, so a worker compiles exactly the version a
run recorded and any decision can be replayed. A run belongs to one application version and
has one JurisdictionResult per jurisdiction of offer (its part of the fan-out, with the
distribution constraints the fired rules impose) and one Finding per evaluated rule.
"""

from django.conf import settings
from django.db import models

from products.models import ProductApplication


class RulePack(models.Model):
    jurisdiction = models.CharField(max_length=8)
    version = models.CharField(max_length=16)
    title = models.CharField(max_length=300, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive: the first day it no longer applies.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the pack's canonical JSON.")
    source_name = models.CharField(max_length=200, help_text="File name the pack was loaded from.")
    source_text = models.TextField(help_text="The YAML as loaded; workers compile this text.")
    regulators = models.JSONField(default=list)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "version"], name="unique_pack_version")]

    def __str__(self):
        return f"{self.jurisdiction} {self.version}"

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


class Rule(models.Model):
    pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="rules")
    rule_id = models.CharField(max_length=80)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    citation = models.TextField()
    condition = models.TextField()
    rationale = models.TextField(help_text="The condition in words, for the officer.")
    outcome = models.CharField(max_length=64, help_text="block, warn or require:<artifact>")
    disclosure_sections = models.JSONField(default=list)
    distribution = models.JSONField(default=dict)
    attributes = models.JSONField(default=list, help_text="The attributes the condition reads.")

    class Meta:
        ordering = ["pack", "position"]
        constraints = [models.UniqueConstraint(fields=["pack", "rule_id"], name="unique_rule_per_pack")]

    def __str__(self):
        return f"{self.rule_id} ({self.pack})"


class RunReason(models.TextChoices):
    SUBMISSION = "submission", "Submission"
    PACK_UPDATE = "pack_update", "New rule-pack version"
    DEMO = "demo", "Demo seed"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"


class RuleRun(models.Model):
    """One evaluation of an application version against the packs in force on `as_of`."""

    application = models.ForeignKey(ProductApplication, on_delete=models.PROTECT, related_name="rule_runs")
    version_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=16, choices=RunReason.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    as_of = models.DateField(help_text="The day whose effective packs the run uses.")
    jurisdictions = models.JSONField(default=list)
    application_attributes = models.JSONField(
        default=dict, help_text="The application.* attributes the rules saw (replay input)."
    )
    pack_versions = models.JSONField(default=dict, help_text="Jurisdiction -> pack version used (null: none).")
    previous_run = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    diff = models.JSONField(null=True, blank=True, help_text="What changed against previous_run.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["application", "version_number", "status"])]

    def __str__(self):
        return f"Rule run #{self.pk} of application #{self.application_id} v{self.version_number}"


class PartStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Checked"
    NO_PACK = "no_pack", "No pack in force"


class JurisdictionResult(models.Model):
    """One jurisdiction's part of a run, and the distribution constraints it imposes.

    `jurisdiction_blocked` and the other constraint fields are those the eligibility snapshot
    compiles (read them through selectors.distribution_constraints_for).
    """

    run = models.ForeignKey(RuleRun, on_delete=models.CASCADE, related_name="results")
    jurisdiction = models.CharField(max_length=8)
    pack = models.ForeignKey(RulePack, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=PartStatus.choices, default=PartStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    allowed_investor_categories = models.JSONField(null=True, blank=True, help_text="null: not restricted")
    appropriateness_required = models.BooleanField(default=False)
    acknowledgement_required = models.BooleanField(default=False)
    jurisdiction_blocked = models.BooleanField(default=False)
    disclosure_sections = models.JSONField(default=list)
    required_artifacts = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "jurisdiction"]
        constraints = [models.UniqueConstraint(fields=["run", "jurisdiction"], name="one_result_per_jurisdiction")]

    def __str__(self):
        return f"{self.jurisdiction} in run #{self.run_id} ({self.status})"


class FindingOutcome(models.TextChoices):
    BLOCK = "block", "Blocks"
    REQUIRE = "require", "Requires"
    WARN = "warn", "Warning"
    NO_PACK = "no_pack", "No rule pack in force"
    ERROR = "error", "Could not be evaluated"


# Outcomes that stop approval while not overridden (only when the rule fired).
BLOCKING_OUTCOMES = frozenset({FindingOutcome.BLOCK, FindingOutcome.NO_PACK, FindingOutcome.ERROR})


class Finding(models.Model):
    """One rule's outcome in one run: whether it fired and the attribute values it read."""

    run = models.ForeignKey(RuleRun, on_delete=models.CASCADE, related_name="findings")
    jurisdiction = models.CharField(max_length=8)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
    rule_code = models.CharField(max_length=80, help_text="The rule id, or <J>-NO-PACK.")
    outcome = models.CharField(max_length=16, choices=FindingOutcome.choices)
    artifact = models.CharField(max_length=64, blank=True)
    fired = models.BooleanField()
    evidence = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_rationale = models.TextField(blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "jurisdiction", "id"]
        constraints = [
            # A redelivered jurisdiction task replaces its own findings instead of adding more.
            models.UniqueConstraint(fields=["run", "rule_code"], name="one_finding_per_run_rule")
        ]

    def __str__(self):
        return f"{self.rule_code} in run #{self.run_id}: {'fired' if self.fired else 'not fired'}"

    @property
    def is_blocking(self) -> bool:
        return self.fired and self.outcome in BLOCKING_OUTCOMES and self.overridden_by_id is None

    @property
    def is_overridden(self) -> bool:
        return self.overridden_by_id is not None
