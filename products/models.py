from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from products.file_signatures import FileType
from products.validators import (
    validate_country,
    validate_currency,
    validate_jurisdiction,
    validate_lei,
    validate_mic,
    validate_site_id,
)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]

# Bounds of the terms (docs/terms.md). The model's clean() holds them, so the web form, the filing
# steps and the API (which all end in `full_clean`) accept the same terms; the API's serializer
# repeats the list lengths only to refuse an oversized body before reading it.
DELIVERY_WINDOW_MIN = timedelta(hours=1)
DELIVERY_WINDOW_MAX_YEARS = 10  # longest window, and how far ahead a window may start
ATTESTATION_EARLIEST = date(2000, 1, 1)
DELIVERY_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CONTRACT_SIZE_MAX = Decimal("10000000")  # GPU-hours per contract
LOT_SIZE_MAX = 100_000  # contracts per lot
MEMORY_GB_MAX = 4096  # accelerator memory
MAX_DELIVERY_REGIONS = 50
MAX_DELIVERY_SITES = 50
MAX_JURISDICTIONS = 50
MAX_VENUES = 20
CODE_LIST_LIMITS = {
    "delivery_regions": MAX_DELIVERY_REGIONS,
    "jurisdictions": MAX_JURISDICTIONS,
    "requested_venues": MAX_VENUES,
}


def _years_later(moment: datetime, years: int) -> datetime | None:
    """``moment`` shifted by whole calendar years (29 February becomes 28 February), or None when
    that leaves the years datetime can hold."""
    year = moment.year + years
    if not 1 <= year <= 9999:
        return None
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment.replace(year=year, day=28)


class IssuerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSED = "closed", "Closed"


class Issuer(models.Model):
    legal_name = models.CharField(max_length=200)
    lei = models.CharField("LEI", max_length=20, unique=True, validators=[validate_lei])
    country = models.CharField("country of incorporation", max_length=2, validators=[validate_country])
    registration_number = models.CharField(max_length=64)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=IssuerStatus.choices, default=IssuerStatus.ACTIVE)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="issuers",
        blank=True,
        help_text="Users who act for this issuer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self):
        return f"{self.legal_name} ({self.lei})"


class ProductType(models.TextChoices):
    PHYSICAL_FORWARD = "physical_forward", "Physically delivered forward"
    FUTURE = "future", "Future"
    CASH_SETTLED_SWAP = "cash_settled_swap", "Cash-settled swap on a compute index"
    CAPACITY_RESERVATION = "capacity_reservation", "Capacity reservation"
    TOKENIZED_CREDIT = "tokenized_credit", "Tokenized compute credit"


class SettlementType(models.TextChoices):
    PHYSICAL = "physical", "Physical delivery of compute"
    CASH = "cash", "Cash against a reference index"


class TargetMarket(models.TextChoices):
    RETAIL = "retail", "Retail allowed"
    PROFESSIONAL = "professional", "Professional investors only"


def within_target_market(
    target_market: str, allowed: frozenset[str] | None, every_category: frozenset[str]
) -> frozenset[str] | None:
    """The investor categories a product may be sold to in one jurisdiction: what the rule packs
    allow there (``None``: they do not restrict it) narrowed by the issuer's own target market.

    The issuer's choice binds everywhere, whether or not a jurisdiction's pack has a rule for it
    (MiFID II Art. 16(3) and 24(2): a product is distributed within the target market its
    manufacturer identified). A professional-only product is never sold to retail investors.
    """
    if target_market != TargetMarket.PROFESSIONAL:
        return allowed
    return (every_category if allowed is None else allowed) - {"retail"}


class ComputeProduct(models.Model):
    """A compute-backed instrument with the terms that make it measurable and deliverable."""

    symbol = models.CharField(
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9._-]{1,31}$",
                "Use 2-32 upper-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
            )
        ],
    )
    name = models.CharField(max_length=200)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="products")
    product_type = models.CharField(max_length=32, choices=ProductType.choices)

    accelerator_vendor = models.CharField(max_length=64)
    accelerator_model = models.CharField(max_length=64)
    accelerator_memory_gb = models.PositiveIntegerField("accelerator memory (GB)", validators=[MinValueValidator(1)])

    quantity_unit = models.CharField(max_length=16, default="gpu_hour", editable=False)
    contract_size = models.DecimalField(
        "contract size (GPU-hours)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    lot_size = models.PositiveIntegerField("lot size (contracts)", validators=[MinValueValidator(1)])
    minimum_order = models.PositiveIntegerField("minimum order (contracts)", validators=[MinValueValidator(1)])
    position_limit = models.PositiveIntegerField(
        "position limit per investor (contracts)", default=0, help_text="0 means no limit set."
    )

    delivery_start = models.DateTimeField(help_text="UTC")
    delivery_end = models.DateTimeField(help_text="UTC")
    delivery_regions = models.JSONField(default=list, help_text="ISO 3166 alpha-2 codes")
    delivery_sites = models.JSONField(default=list, help_text='[{"country": "US", "site_id": "..."}]')
    provider_name = models.CharField("delivery provider", max_length=200)
    provider_lei = models.CharField("delivery provider LEI", max_length=20, validators=[validate_lei])

    sla_availability_pct = models.DecimalField("SLA availability %", max_digits=6, decimal_places=3, validators=PERCENT)
    sla_performance_floor_pct = models.DecimalField(
        "performance floor (% of benchmark)", max_digits=6, decimal_places=2, validators=PERCENT
    )
    sla_reference_benchmark = models.CharField("SLA reference benchmark", max_length=120)
    sla_measurement_method = models.TextField("SLA measurement method")
    remedy_credit_pct = models.DecimalField("shortfall credit %", max_digits=6, decimal_places=2, validators=PERCENT)
    remedy_make_whole = models.BooleanField("make-whole on shortfall", default=False)
    remedy_substitution = models.BooleanField("substitution rights", default=False)

    settlement_type = models.CharField(max_length=16, choices=SettlementType.choices)
    reference_index = models.CharField(max_length=120, blank=True)
    index_administrator = models.CharField(max_length=200, blank=True)
    index_methodology = models.TextField(blank=True)
    settlement_currency = models.CharField(max_length=3, validators=[validate_currency])

    collateral_pct = models.DecimalField(
        "collateral (% of delivery obligation)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
    )
    collateral_custodian = models.CharField(max_length=200, blank=True)
    last_attestation_date = models.DateField("last capacity attestation", null=True, blank=True)
    attestation_max_age_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )

    target_market = models.CharField(max_length=16, choices=TargetMarket.choices)
    jurisdictions = models.JSONField(default=list, help_text="Jurisdictions of offer: ISO 3166 alpha-2 or EU")
    requested_venues = models.JSONField(default=list, help_text="ISO 10383 MICs")

    token_network = models.CharField(max_length=64, blank=True)
    token_standard = models.CharField(max_length=32, blank=True)
    token_contract = models.CharField(max_length=128, blank=True)

    terms_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol"]

    def __str__(self):
        return f"{self.symbol} — {self.name}"

    @property
    def is_tokenized(self) -> bool:
        return self.product_type == ProductType.TOKENIZED_CREDIT

    def clean(self):
        errors: dict[str, list[str]] = {}

        def add(field, message):
            errors.setdefault(field, []).append(message)

        self._clean_window(add)
        self._clean_quantities(add)
        for field, label in (
            ("sla_availability_pct", "The SLA availability"),
            ("sla_performance_floor_pct", "The performance floor"),
        ):
            value = getattr(self, field)
            if value is not None and value <= 0:
                add(field, f"{label} must be above 0 %.")
        if self.last_attestation_date:
            if self.last_attestation_date > timezone.localdate():
                add("last_attestation_date", "An attestation cannot be dated in the future.")
            elif self.last_attestation_date < ATTESTATION_EARLIEST:
                add(
                    "last_attestation_date",
                    f"An attestation cannot be dated before {ATTESTATION_EARLIEST:%d %B %Y}.",
                )

        if self.settlement_type == SettlementType.CASH:
            for field, label in (
                ("reference_index", "a reference index"),
                ("index_administrator", "the index administrator"),
                ("index_methodology", "the index methodology"),
            ):
                if not getattr(self, field).strip():
                    add(field, f"Cash settlement needs {label}.")
        if self.product_type == ProductType.CASH_SETTLED_SWAP and self.settlement_type != SettlementType.CASH:
            add("settlement_type", "A cash-settled swap must settle in cash.")
        if self.product_type in (
            ProductType.PHYSICAL_FORWARD,
            ProductType.CAPACITY_RESERVATION,
        ) and (self.settlement_type != SettlementType.PHYSICAL):
            add(
                "settlement_type",
                "This product type delivers compute: settlement must be physical.",
            )

        if self.is_tokenized:
            for field, label in (
                ("token_network", "the network"),
                ("token_standard", "the token standard"),
                ("token_contract", "the token contract"),
            ):
                if not getattr(self, field).strip():
                    add(field, f"A tokenized product must state {label}.")
        if self.collateral_pct and self.collateral_pct > 0 and not self.collateral_custodian.strip():
            add("collateral_custodian", "Name the custodian that holds the collateral.")

        self._clean_code_list("delivery_regions", validate_country, add, required=True)
        self._clean_code_list("jurisdictions", validate_jurisdiction, add, required=True)
        self._clean_code_list("requested_venues", validate_mic, add, required=False)
        self._clean_sites(add)
        if errors:
            raise ValidationError(errors)

    def _clean_window(self, add):
        """The delivery window: 1 hour to 10 years long, starting from 2000 and within 10 years."""
        start, end = self.delivery_start, self.delivery_end
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return  # the field's own error says what is wrong
        years = DELIVERY_WINDOW_MAX_YEARS
        if end <= start:
            add("delivery_end", "The delivery window must end after it starts.")
        elif end - start < DELIVERY_WINDOW_MIN:
            add("delivery_end", "The delivery window must last at least an hour.")
        else:
            latest_end = _years_later(start, years)
            if latest_end is not None and end > latest_end:
                add("delivery_end", f"The delivery window can last at most {years} years.")
        # No "starts after now": terms are checked again at every edit and submission, and a
        # record of history (the demo seed, imports) has windows that began; the screening API
        # closes trading when delivery starts (TRADING_CLOSED) whatever the terms say.
        if start < DELIVERY_EARLIEST:
            add("delivery_start", f"The delivery window cannot start before {DELIVERY_EARLIEST:%d %B %Y}.")
        else:
            latest_start = _years_later(timezone.now(), years)
            if latest_start is not None and start > latest_start:
                add("delivery_start", f"The delivery window must start within {years} years.")

    def _clean_quantities(self, add):
        if self.accelerator_memory_gb and self.accelerator_memory_gb > MEMORY_GB_MAX:
            add("accelerator_memory_gb", f"Accelerator memory can be at most {MEMORY_GB_MAX:,} GB.")
        if self.contract_size and self.contract_size > CONTRACT_SIZE_MAX:
            add("contract_size", f"A contract can be at most {CONTRACT_SIZE_MAX:,} GPU-hours.")
        if self.lot_size and self.lot_size > LOT_SIZE_MAX:
            add("lot_size", f"A lot can be at most {LOT_SIZE_MAX:,} contracts.")
            return
        if self.lot_size and self.minimum_order and self.minimum_order % self.lot_size:
            add(
                "minimum_order",
                f"The minimum order must be a multiple of the lot size ({self.lot_size}).",
            )
        if self.position_limit and self.minimum_order and self.position_limit < self.minimum_order:
            add("position_limit", "The position limit cannot be below the minimum order.")
        elif self.position_limit and self.lot_size and self.position_limit % self.lot_size:
            add(
                "position_limit",
                f"The position limit must be a multiple of the lot size ({self.lot_size}).",
            )

    def _clean_code_list(self, field, validator, add, *, required):
        values = getattr(self, field)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            add(field, "Give a list of codes.")
            return
        if required and not values:
            add(field, "Give at least one code.")
        limit = CODE_LIST_LIMITS[field]
        if len(values) > limit:
            add(field, f"Give at most {limit} codes.")
            return
        if len(set(values)) != len(values):
            add(field, "Codes must not repeat.")
        for value in values:
            try:
                validator(value)
            except ValidationError as exc:
                for message in exc.messages:
                    add(field, message)

    def _clean_sites(self, add):
        sites = self.delivery_sites
        if not isinstance(sites, list) or not sites:
            add("delivery_sites", "Give at least one delivery site.")
            return
        if len(sites) > MAX_DELIVERY_SITES:
            add("delivery_sites", f"Give at most {MAX_DELIVERY_SITES} delivery sites.")
            return
        regions = set(self.delivery_regions) if isinstance(self.delivery_regions, list) else set()
        seen: dict[tuple[str, str], int] = {}
        for index, site in enumerate(sites, start=1):
            if not isinstance(site, dict) or set(site) != {"country", "site_id"}:
                add("delivery_sites", f"Site {index}: give exactly a country and a site_id.")
                continue
            country, site_id = site["country"], site["site_id"]
            try:
                validate_site_id(site_id)
            except ValidationError as exc:
                add("delivery_sites", f"Site {index}: {exc.messages[0]}")
                continue
            try:
                validate_country(country)
            except ValidationError as exc:
                add("delivery_sites", f"Site {index}: {exc.messages[0]}")
                continue
            # The same site written twice, in any case or spacing, would count as two sites.
            key = (country.strip().casefold(), site_id.strip().casefold())
            if key in seen:
                add("delivery_sites", f"Site {index} repeats site {seen[key]} ({country} {site_id.strip()}).")
                continue
            seen[key] = index
            if regions and country not in regions:
                add(
                    "delivery_sites",
                    f"Site {index} is in {country}, which is not a delivery region.",
                )


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHECKS_RUNNING = "checks_running", "Checks running"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    LISTED = "listed", "Listed"
    SUSPENDED = "suspended", "Suspended"
    DELISTED = "delisted", "Delisted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATES = frozenset(
    {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.CHECKS_RUNNING,
        ApplicationState.IN_REVIEW,
        ApplicationState.CHANGES_REQUESTED,
        ApplicationState.APPROVED,
        ApplicationState.LISTED,
        ApplicationState.SUSPENDED,
    }
)
EDITABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED})


class ProductApplication(models.Model):
    """An issuer's filing of a product; each submission freezes an ApplicationVersion."""

    product = models.ForeignKey(ComputeProduct, on_delete=models.PROTECT, related_name="applications")
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(max_length=24, choices=ApplicationState.choices, default=ApplicationState.DRAFT)
    version = models.PositiveIntegerField(default=0, help_text="Number of the latest submitted version.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-state_changed_at", "-id"]
        constraints = [
            # One application in flight per product: a second one would race the first.
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="one_open_application_per_product",
            )
        ]

    def __str__(self):
        return f"Application #{self.pk} for {self.product.symbol} ({self.get_state_display()})"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class ApplicationVersion(models.Model):
    """The frozen terms an application was judged on at one submission."""

    application = models.ForeignKey(ProductApplication, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    terms = models.JSONField()
    issuer_snapshot = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.application_id} v{self.number}"


class Approval(models.Model):
    """One officer's approval of one version; two distinct officers make an approval (four-eyes)."""

    application = models.ForeignKey(ProductApplication, on_delete=models.PROTECT, related_name="approvals")
    version_number = models.PositiveIntegerField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version_number", "officer"], name="one_approval_per_officer"
            )
        ]

    def __str__(self):
        return f"Approval of #{self.application_id} v{self.version_number} by officer {self.officer_id}"


class VenueType(models.TextChoices):
    REGULATED_MARKET = "regulated_market", "Regulated market"
    MTF = "mtf", "Multilateral trading facility"
    OTF = "otf", "Organised trading facility"
    DCM = "dcm", "Designated contract market"
    SEF = "sef", "Swap execution facility"
    ATS = "ats", "Alternative trading system"
    RECOGNISED_EXCHANGE = "recognised_exchange", "Recognised exchange"


class Venue(models.Model):
    mic = models.CharField("MIC", max_length=4, unique=True, validators=[validate_mic])
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, validators=[validate_country])
    venue_type = models.CharField(max_length=24, choices=VenueType.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["mic"]

    def __str__(self):
        return f"{self.mic} — {self.name}"


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DELISTED = "delisted", "Delisted"


class Listing(models.Model):
    product = models.ForeignKey(ComputeProduct, on_delete=models.PROTECT, related_name="listings")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="listings")
    application = models.ForeignKey(ProductApplication, on_delete=models.PROTECT, related_name="listings")
    application_version = models.ForeignKey(
        ApplicationVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved terms this listing refers to.",
    )
    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.ACTIVE)
    effective_from = models.DateTimeField()
    effective_to = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["product__symbol", "venue__mic"]
        constraints = [models.UniqueConstraint(fields=["product", "venue"], name="one_listing_per_venue")]

    def __str__(self):
        return f"{self.product.symbol} on {self.venue.mic} ({self.status})"


class ProductDraft(models.Model):
    """An issuer's product filing in progress, step by step, kept between sessions.

    Until every step holds valid terms there is no product to save, so the raw form input of each
    completed step is kept here; the step that completes the terms creates the product through
    `product_create`, and from then on each step saves through `product_update`.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="drafts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product = models.OneToOneField(
        ComputeProduct, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )
    data = models.JSONField(default=dict, blank=True, help_text="Raw form input by field name.")
    steps_done = models.JSONField(default=list, blank=True, help_text="Slugs of the steps saved so far.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Draft #{self.pk} for {self.issuer.legal_name}"

    @property
    def title(self) -> str:
        if self.product_id:
            return self.product.symbol
        return self.data.get("symbol") or f"Untitled draft #{self.pk}"


class DocumentType(models.TextChoices):
    TERM_SHEET = "term_sheet", "Term sheet"
    SLA_AGREEMENT = "sla_agreement", "SLA and delivery agreement"
    CAPACITY_ATTESTATION = "capacity_attestation", "Capacity attestation"
    COLLATERAL_AGREEMENT = "collateral_agreement", "Collateral or custody agreement"
    INDEX_METHODOLOGY = "index_methodology", "Index methodology"
    OTHER = "other", "Other supporting document"


def _application_document_path(instance, filename):
    return f"applications/{instance.application_id}/{instance.sha256}.{instance.file_type}"


class ApplicationDocument(models.Model):
    """A supporting document an issuer attaches to a product application; kept with its SHA-256."""

    application = models.ForeignKey(ProductApplication, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField("document type", max_length=32, choices=DocumentType.choices)
    file_type = models.CharField(max_length=8, choices=FileType.choices)
    file = models.FileField(upload_to=_application_document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.get_doc_type_display()} for application #{self.application_id}"
