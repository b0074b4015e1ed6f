"""Rendered risk disclosures, the rendering requests that produce them, and acknowledgements.

The PDF is stored in the database (a BinaryField), not as a file: the published bytes are part
of the immutable record, so they sit under the same PostgreSQL trigger that freezes the hash
and the HTML, travel with every backup, and are readable from any web or worker machine
without shared file storage. A disclosure is a few dozen kilobytes.
"""

from django.conf import settings
from django.db import models

from config.errors import Conflict


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class DisclosureDocument(models.Model):
    """One version of the disclosure of a product for one jurisdiction and language.

    A draft is re-rendered in place until an officer publishes it; from then on its content
    never changes, and the next version supersedes it.
    """

    product = models.ForeignKey("products.ComputeProduct", on_delete=models.PROTECT, related_name="disclosures")
    jurisdiction = models.CharField(max_length=2)
    language = models.CharField(max_length=8)
    version = models.PositiveIntegerField(help_text="Per product, jurisdiction and language, from 1.")
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)

    pdf = models.BinaryField()
    html = models.TextField()
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64, db_index=True)
    page_count = models.PositiveIntegerField()
    template_version = models.CharField(max_length=64)
    terms_version = models.PositiveIntegerField()
    terms = models.JSONField(help_text="The product terms this document quotes.")
    mandatory_sections = models.JSONField(default=list)
    constraints = models.JSONField(
        null=True, blank=True, help_text="Distribution constraints used; null when not decided (marked DRAFT)."
    )
    application_version = models.ForeignKey(
        "products.ApplicationVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        help_text="The submitted version whose terms equal the rendered terms, if any.",
    )
    rendered_on = models.DateField(help_text="The date printed on the document.")
    rendered_at = models.DateTimeField()

    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        ordering = ["product", "jurisdiction", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "jurisdiction", "language", "version"], name="disclosure_unique_version"
            ),
            # At most one draft and one current (published) document per product x jurisdiction x language.
            models.UniqueConstraint(
                fields=["product", "jurisdiction", "language"],
                condition=models.Q(status="draft"),
                name="disclosure_one_draft",
            ),
            models.UniqueConstraint(
                fields=["product", "jurisdiction", "language"],
                condition=models.Q(status="published"),
                name="disclosure_one_published",
            ),
        ]
        indexes = [models.Index(fields=["status", "product", "jurisdiction"], name="disclosure_status_idx")]

    def __str__(self):
        return f"{self.product.symbol} {self.jurisdiction}/{self.language} v{self.version} ({self.status})"

    def save(self, *args, **kwargs):
        # The application's half of immutability (PostgreSQL's trigger is the other): a
        # published or superseded row may only move published -> superseded and name its
        # successor. Checked against the stored row, so raw edits of the instance are caught.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*CONTENT_FIELDS, "status").first()
            if stored is not None and stored["status"] != DocumentStatus.DRAFT:
                changed = [f for f in CONTENT_FIELDS if _db_value(getattr(self, f)) != _db_value(stored[f])]
                if changed or self.status == DocumentStatus.DRAFT:
                    raise Conflict(
                        f"Version {self.version} of this disclosure is {stored['status']} and cannot change "
                        f"({', '.join(changed) or 'status'}); render and publish a new version instead.",
                        code="immutable",
                    )
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == DocumentStatus.PUBLISHED

    @property
    def constraints_decided(self) -> bool:
        return self.constraints is not None

    @property
    def filename(self) -> str:
        return f"{self.product.symbol}_{self.jurisdiction}_{self.language}_v{self.version}.pdf"


# Columns that make up a document's content: frozen once it is published (see the trigger).
CONTENT_FIELDS = (
    "product_id",
    "jurisdiction",
    "language",
    "version",
    "pdf",
    "html",
    "sha256",
    "page_count",
    "template_version",
    "terms_version",
    "terms",
    "mandatory_sections",
    "constraints",
    "application_version_id",
    "rendered_on",
    "rendered_at",
    "published_at",
    "published_by_id",
)


def _db_value(value):
    # BinaryField values come back from the database as memoryview.
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


class RenderingStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class DisclosureRendering(models.Model):
    """A request to render a draft on the worker, and what came of it."""

    product = models.ForeignKey("products.ComputeProduct", on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.CharField(max_length=2)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=RenderingStatus.choices, default=RenderingStatus.REQUESTED)
    error = models.TextField(blank=True, help_text="Why the rendering failed, in words for the user.")
    document = models.ForeignKey(
        DisclosureDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="renderings"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"Rendering #{self.pk} of {self.product_id} {self.jurisdiction}/{self.language} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (RenderingStatus.REQUESTED, RenderingStatus.RENDERING)


class AcknowledgementChannel(models.TextChoices):
    API = "api", "API"
    WEB = "web", "Web"


class DisclosureAcknowledgement(models.Model):
    """An investor's acknowledgement of one published version of a disclosure."""

    document = models.ForeignKey(DisclosureDocument, on_delete=models.PROTECT, related_name="acknowledgements")
    investor = models.ForeignKey("kyc.Investor", on_delete=models.PROTECT, related_name="disclosure_acknowledgements")
    channel = models.CharField(max_length=8, choices=AcknowledgementChannel.choices)
    acknowledged_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        constraints = [
            # Acknowledging a version twice is one acknowledgement (the service returns the first).
            models.UniqueConstraint(fields=["document", "investor"], name="disclosure_ack_once")
        ]

    def __str__(self):
        return f"{self.investor_id} acknowledged disclosure {self.document_id} via {self.channel}"
