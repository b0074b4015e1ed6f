"""Parties (persons and legal entities), investors, KYC/KYB cases and their documents.

What the eligibility snapshot reads per investor, without touching cases or hits:

- ``Investor.reference`` (unique; what exchanges send), ``category``, ``residence_jurisdiction``,
  ``order_notional_limit`` (+ ``order_limit_currency``);
- ``Investor.party.kyc_status`` / ``kyc_expires_on``: copied from the party's latest case by the
  case services in the same transaction as the case change;
- ``Investor.party.sanctions_state``: clear / open_hit / confirmed, recomputed from the
  party's screening hits by the sanctions services whenever a hit is created or decided;
- ``AppropriatenessAssessment`` rows (per product, or global with ``product`` null);
- ``Position`` rows (contracts per investor and product).

Both denormalized fields are written only by services (never by views), so they cannot drift
from the cases and hits they summarize.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from products.file_signatures import FileType
from products.validators import validate_country, validate_currency, validate_lei


class PartyKind(models.TextChoices):
    PERSON = "person", "Natural person"
    ENTITY = "entity", "Legal entity"


class SanctionsState(models.TextChoices):
    CLEAR = "clear", "Clear"
    OPEN_HIT = "open_hit", "Open hit awaiting review"
    CONFIRMED = "confirmed", "Confirmed match (blocked)"


class CaseState(models.TextChoices):
    OPENED = "opened", "Opened"
    CHECKS_RUNNING = "checks_running", "Checks running"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


CASE_IN_PROGRESS = (CaseState.OPENED, CaseState.CHECKS_RUNNING, CaseState.AWAITING_REVIEW)


class KycStatus(models.TextChoices):
    """A party's KYC status: its latest case's state, or ``none`` before any case."""

    NONE = "none", "No case"
    OPENED = "opened", "Opened"
    CHECKS_RUNNING = "checks_running", "Checks running"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class RiskRating(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class InvestorCategory(models.TextChoices):
    RETAIL = "retail", "Retail"
    PROFESSIONAL = "professional", "Professional"
    ELIGIBLE_COUNTERPARTY = "eligible_counterparty", "Eligible counterparty"
    ACCREDITED = "accredited", "Accredited investor"
    ELIGIBLE_CONTRACT_PARTICIPANT = "eligible_contract_participant", "Eligible contract participant"


class RelationRole(models.TextChoices):
    UBO = "ubo", "Ultimate beneficial owner (25% or more)"
    DIRECTOR = "director", "Director"


# A beneficial owner is one holding at least this share (EU AMLD art. 3(6), UK MLR 2017 reg. 5).
UBO_THRESHOLD_PCT = Decimal("25")


def _validate_country_list(value, field):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: ["Give a list of ISO 3166 alpha-2 codes."]})
    for code in value:
        try:
            validate_country(code)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages})


class Party(models.Model):
    """A natural person or a legal entity that is screened and carries KYC/KYB cases."""

    kind = models.CharField(max_length=8, choices=PartyKind.choices)
    name = models.CharField(max_length=300, help_text="Full name of a person, legal name of an entity.")
    aliases = models.JSONField(default=list, blank=True, help_text="Other names in use; screened too.")

    # Natural persons
    birth_date = models.DateField(null=True, blank=True)
    nationalities = models.JSONField(default=list, blank=True, help_text="ISO 3166 alpha-2 codes")
    residence_country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    tax_residences = models.JSONField(default=list, blank=True, help_text="ISO 3166 alpha-2 codes")

    # Legal entities
    lei = models.CharField("LEI", max_length=20, blank=True, validators=[validate_lei])
    registration_number = models.CharField(max_length=64, blank=True)
    country = models.CharField("country of incorporation", max_length=2, blank=True, validators=[validate_country])
    issuer = models.OneToOneField(
        "products.Issuer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kyb_party",
        help_text="Set on the KYB party of an issuer.",
    )

    # Summaries written by services only (see the module docstring).
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.NONE)
    kyc_expires_on = models.DateField(null=True, blank=True)
    sanctions_state = models.CharField(max_length=12, choices=SanctionsState.choices, default=SanctionsState.CLEAR)
    last_screened_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "parties"
        indexes = [models.Index(fields=["sanctions_state"]), models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display().lower()})"

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON

    @property
    def jurisdiction(self) -> str:
        """The country that drives jurisdiction risk: residence for a person, incorporation for an entity."""
        return self.residence_country if self.is_person else self.country

    def clean(self):
        errors: dict[str, list[str]] = {}
        if not (self.name or "").strip():
            errors.setdefault("name", []).append("A name is required.")
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a.strip() for a in self.aliases):
            errors.setdefault("aliases", []).append("Give a list of non-empty names.")
        for field in ("nationalities", "tax_residences"):
            try:
                _validate_country_list(getattr(self, field), field)
            except ValidationError as exc:
                for message in exc.message_dict[field]:
                    errors.setdefault(field, []).append(message)
        if self.kind == PartyKind.PERSON:
            for field in ("lei", "registration_number", "country"):
                if getattr(self, field):
                    errors.setdefault(field, []).append("Only a legal entity has this field.")
            if not self.residence_country:
                errors.setdefault("residence_country", []).append("A person needs a country of residence.")
            if self.issuer_id:
                errors.setdefault("issuer", []).append("An issuer's KYB party must be a legal entity.")
        elif self.kind == PartyKind.ENTITY:
            if self.birth_date:
                errors.setdefault("birth_date", []).append("Only a natural person has a date of birth.")
            if not self.country:
                errors.setdefault("country", []).append("An entity needs a country of incorporation.")
        if errors:
            raise ValidationError(errors)


class PartyRelation(models.Model):
    """A beneficial owner or director of an entity; itself a party, so it is screened too.

    A beneficial owner that is itself an entity is layered ownership, a risk factor.
    """

    entity = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relations")
    related = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="roles_in")
    role = models.CharField(max_length=8, choices=RelationRole.choices)
    ownership_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["entity", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "related", "role"], name="kyc_one_relation_per_role"),
            models.CheckConstraint(condition=~models.Q(entity=models.F("related")), name="kyc_relation_not_self"),
        ]

    def __str__(self):
        return f"{self.related} — {self.get_role_display()} of {self.entity}"

    def clean(self):
        if self.role == RelationRole.UBO and (self.ownership_pct is None or self.ownership_pct < UBO_THRESHOLD_PCT):
            raise ValidationError({"ownership_pct": [f"A beneficial owner holds at least {UBO_THRESHOLD_PCT}%."]})


class Investor(models.Model):
    """A party that trades: what exchanges name in their orders by ``reference``."""

    party = models.OneToOneField(Party, on_delete=models.PROTECT, related_name="investor")
    reference = models.CharField(max_length=64, unique=True, help_text="The identifier exchanges put in orders.")
    category = models.CharField(max_length=32, choices=InvestorCategory.choices)
    category_evidence = models.TextField(blank=True, help_text="What the categorization rests on.")
    category_assessed_on = models.DateField(null=True, blank=True)
    residence_jurisdiction = models.CharField(max_length=2, validators=[validate_country])
    order_notional_limit = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Largest notional per order; empty means no investor-specific limit.",
    )
    order_limit_currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return f"{self.reference} ({self.party.name})"


class AppropriatenessAssessment(models.Model):
    """An appropriateness test result: for one product, or for every product when ``product`` is empty."""

    investor = models.ForeignKey(Investor, on_delete=models.CASCADE, related_name="assessments")
    product = models.ForeignKey(
        "products.ComputeProduct", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    passed = models.BooleanField()
    assessed_at = models.DateTimeField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["investor", "-assessed_at"]
        indexes = [models.Index(fields=["investor", "product", "-assessed_at"])]

    def __str__(self):
        scope = self.product.symbol if self.product_id else "all products"
        return f"{self.investor.reference} {'passed' if self.passed else 'failed'} for {scope}"


class Position(models.Model):
    """An investor's open position in a product, in contracts (negative: short)."""

    investor = models.ForeignKey(Investor, on_delete=models.CASCADE, related_name="positions")
    product = models.ForeignKey("products.ComputeProduct", on_delete=models.CASCADE, related_name="+")
    contracts = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["investor", "product"]
        constraints = [models.UniqueConstraint(fields=["investor", "product"], name="kyc_one_position_per_product")]

    def __str__(self):
        return f"{self.investor.reference}: {self.contracts} x {self.product.symbol}"


class KycCase(models.Model):
    """One KYC (person) or KYB (entity) review of a party, from opening to decision and expiry."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=16, choices=CaseState.choices, default=CaseState.OPENED)
    risk_rating = models.CharField(max_length=8, choices=RiskRating.choices, blank=True)
    risk_factors = models.JSONField(default=list, blank=True, help_text="[{factor, detail, points}]")
    checks = models.JSONField(default=dict, blank=True, help_text="Automatic check results by name.")
    expires_on = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["state", "expires_on"])]

    def __str__(self):
        return f"Case #{self.pk} for {self.party.name} ({self.get_state_display()})"

    @property
    def is_kyb(self) -> bool:
        return self.party.kind == PartyKind.ENTITY

    @property
    def in_progress(self) -> bool:
        """Still being worked on: a party has at most one such case."""
        return self.state in CASE_IN_PROGRESS


class DecisionKind(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class CaseDecision(models.Model):
    """One officer's decision on a case; a high-risk approval needs two different officers."""

    case = models.ForeignKey(KycCase, on_delete=models.PROTECT, related_name="decisions")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=DecisionKind.choices)
    rationale = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="kyc_one_decision_per_officer")]

    def __str__(self):
        return f"{self.get_decision_display()} of case #{self.case_id} by officer {self.officer_id}"


class DocumentType(models.TextChoices):
    PASSPORT = "passport", "Passport"
    NATIONAL_ID = "national_id", "National identity card"
    PROOF_OF_ADDRESS = "proof_of_address", "Proof of address"
    CERTIFICATE_OF_INCORPORATION = "certificate_of_incorporation", "Certificate of incorporation"
    REGISTER_EXTRACT = "register_extract", "Commercial register extract"
    OWNERSHIP_CHART = "ownership_chart", "Ownership structure chart"
    CATEGORY_EVIDENCE = "category_evidence", "Investor category evidence"
    OTHER = "other", "Other"


def _document_path(instance, filename):
    # Stored under the content hash: names from uploads are never trusted as paths.
    return f"kyc/{instance.case_id}/{instance.sha256}.{instance.file_type}"


class Document(models.Model):
    case = models.ForeignKey(KycCase, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(max_length=32, choices=DocumentType.choices)
    file_type = models.CharField(max_length=8, choices=FileType.choices)
    file = models.FileField(upload_to=_document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "sha256"], name="kyc_document_once_per_case")]

    def __str__(self):
        return f"{self.get_doc_type_display()} ({self.sha256[:12]}) on case #{self.case_id}"
