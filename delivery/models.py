"""Delivery assurance: provider keys, capacity attestations, delivery reports, SLA results,
incidents and issuer notifications. Workflow lives in services.py; arithmetic in sla.py."""

from django.conf import settings
from django.db import models

from products.models import ComputeProduct, Issuer
from products.validators import validate_lei


class ProviderKey(models.Model):
    """An API key of one delivery provider. Only the SHA-256 of the key is kept: keys are 256-bit
    random, so a fast hash is as safe as a slow one and keeps authentication cheap."""

    provider_lei = models.CharField("provider LEI", max_length=20, validators=[validate_lei], db_index=True)
    label = models.CharField(max_length=120, blank=True)
    prefix = models.CharField(max_length=16, unique=True, help_text="Clear prefix that identifies the key.")
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider_lei", "-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.provider_lei})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DeliveryPolicy(models.Model):
    """Per-product delivery-assurance settings an officer sets; absent means the defaults."""

    product = models.OneToOneField(ComputeProduct, on_delete=models.CASCADE, related_name="delivery_policy")
    auto_suspend_on_critical = models.BooleanField(
        default=False, help_text="Suspend the listings automatically when a critical delivery incident opens."
    )
    declared_obligation_gpu_hours = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Notional delivery obligation used when it exceeds the obligation implied by open positions.",
    )
    reference_price = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Price per GPU-hour (settlement currency) that values a shortfall for the credit owed.",
    )

    class Meta:
        verbose_name_plural = "delivery policies"

    def __str__(self):
        return f"Delivery policy of {self.product.symbol}"


class AttestingRole(models.TextChoices):
    PROVIDER = "provider", "Delivery provider"
    AUDITOR = "auditor", "Independent auditor"


class CapacityAttestation(models.Model):
    product = models.ForeignKey(ComputeProduct, on_delete=models.PROTECT, related_name="capacity_attestations")
    attested_on = models.DateField()
    attesting_party = models.CharField(max_length=200)
    attesting_role = models.CharField(max_length=16, choices=AttestingRole.choices)
    sites = models.JSONField(help_text='[{"site_id", "country", "accelerator_model", "accelerator_count"}]')
    accelerator_count = models.PositiveIntegerField(help_text="Total accelerators attested across the sites.")
    filed_by = models.CharField(max_length=150, help_text="Provider key prefix or username that filed it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-attested_on", "-id"]

    def __str__(self):
        return f"{self.product.symbol}: {self.accelerator_count} accelerators on {self.attested_on}"


class AttestationEvidence(models.Model):
    attestation = models.ForeignKey(CapacityAttestation, on_delete=models.PROTECT, related_name="evidence")
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="delivery/evidence/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["attestation", "filename"]

    def __str__(self):
        return f"{self.filename} ({self.sha256[:12]})"


class Granularity(models.TextChoices):
    HOUR = "hour", "Hourly"
    DAY = "day", "Daily"


class ReportSource(models.TextChoices):
    API = "api", "Provider API"
    CSV = "csv", "CSV upload"
    SEED = "seed", "Demo seed"


class DeliveryReport(models.Model):
    """What the provider delivered in one period. One row per product, granularity and period;
    a corrected report replaces the values and bumps `revision` (the earlier values move to
    DeliveryReportRevision)."""

    product = models.ForeignKey(ComputeProduct, on_delete=models.PROTECT, related_name="delivery_reports")
    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    period_start = models.DateTimeField(help_text="UTC, aligned to the hour or the day")
    scheduled_gpu_hours = models.DecimalField(max_digits=14, decimal_places=3)
    delivered_gpu_hours = models.DecimalField(max_digits=14, decimal_places=3)
    availability_pct = models.DecimalField(max_digits=6, decimal_places=3)
    benchmark_pct = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="% of the reference benchmark"
    )
    revision = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["product", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "granularity", "period_start"], name="delivery_one_report_per_period"
            )
        ]

    def __str__(self):
        return f"{self.product_id} {self.granularity} {self.period_start:%Y-%m-%d %H:%M} r{self.revision}"


class DeliveryReportRevision(models.Model):
    """The values a correction replaced: the report's history, newest revision last."""

    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    scheduled_gpu_hours = models.DecimalField(max_digits=14, decimal_places=3)
    delivered_gpu_hours = models.DecimalField(max_digits=14, decimal_places=3)
    availability_pct = models.DecimalField(max_digits=6, decimal_places=3)
    benchmark_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    received_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "revision"]
        constraints = [models.UniqueConstraint(fields=["report", "revision"], name="delivery_one_row_per_revision")]

    def __str__(self):
        return f"Report {self.report_id} revision {self.revision}"


class SlaPeriodKind(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class SlaPeriod(models.Model):
    """The SLA result of one product for one day or month, recomputed from the reports
    (delivery.sla). Derived data: an evaluation replaces a product's rows wholesale."""

    product = models.ForeignKey(ComputeProduct, on_delete=models.CASCADE, related_name="sla_periods")
    kind = models.CharField(max_length=8, choices=SlaPeriodKind.choices)
    period_start = models.DateTimeField()
    expected_hours = models.FloatField()
    reported_hours = models.FloatField()
    availability_pct = models.FloatField(null=True)
    scheduled_gpu_hours = models.FloatField()
    delivered_gpu_hours = models.FloatField()
    delivery_ratio_pct = models.FloatField(null=True)
    performance_pct = models.FloatField(null=True)
    shortfall_gpu_hours = models.FloatField()
    credit_gpu_hours = models.FloatField()
    credit_value = models.FloatField(null=True)
    make_whole_gpu_hours = models.FloatField()
    availability_met = models.BooleanField(null=True)
    performance_met = models.BooleanField(null=True)

    class Meta:
        ordering = ["product", "kind", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["product", "kind", "period_start"], name="delivery_one_sla_row_per_period")
        ]

    def __str__(self):
        return f"{self.product_id} {self.kind} {self.period_start:%Y-%m-%d}"


class DeliveryStatus(models.Model):
    """The latest evaluation of one product: rolling figures and attestation standing."""

    product = models.OneToOneField(ComputeProduct, on_delete=models.CASCADE, related_name="delivery_status")
    evaluated_at = models.DateTimeField()
    result = models.JSONField(help_text="Rolling SLA figures, attestation check and breaches found.")
    result_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "delivery statuses"

    def __str__(self):
        return f"Delivery status of product {self.product_id}"


class IncidentKind(models.TextChoices):
    AVAILABILITY = "availability", "Availability below SLA"
    DELIVERY = "delivery_shortfall", "Delivered below scheduled GPU-hours"
    PERFORMANCE = "performance", "Performance below floor"
    ATTESTATION_OVERDUE = "attestation_overdue", "Capacity attestation overdue"
    CAPACITY = "capacity_shortfall", "Attested capacity below outstanding obligation"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Incident(models.Model):
    product = models.ForeignKey(ComputeProduct, on_delete=models.PROTECT, related_name="delivery_incidents")
    kind = models.CharField(max_length=24, choices=IncidentKind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    peak_severity = models.CharField(max_length=8, choices=Severity.choices)
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    measured = models.FloatField(null=True, help_text="The figure that breached, in the unit of `threshold`.")
    threshold = models.FloatField(null=True, help_text="The product-terms figure it was compared with.")
    detail = models.TextField()
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    condition_cleared_at = models.DateTimeField(
        null=True, blank=True, help_text="When an evaluation last found the breach gone; an officer still resolves."
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)
    disclosure_update_required = models.BooleanField(default=False)
    auto_suspended = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # An ongoing breach updates its incident instead of opening a second one.
            models.UniqueConstraint(
                fields=["product", "kind"],
                condition=models.Q(status="open"),
                name="delivery_one_open_incident_per_kind",
            )
        ]

    def __str__(self):
        return f"Incident #{self.pk} {self.product.symbol} {self.kind} ({self.severity}, {self.status})"


class IncidentNote(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note on incident {self.incident_id}"


class Notification(models.Model):
    """A message to an issuer's users about one of its products, shown on the issuer's pages."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="delivery_notifications")
    product = models.ForeignKey(ComputeProduct, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["issuer", "read_at"])]

    def __str__(self):
        return self.message[:80]
