"""Reads for the products app: what a user may see, the terms dict, version diffs."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.audit.models import AuditEvent
from products.models import (
    EDITABLE_STATES,
    ApplicationState,
    Approval,
    ComputeProduct,
    Issuer,
    Listing,
    ProductApplication,
    ProductDraft,
)

# Field order of the terms dict: the order an officer reads them in (see docs/terms.md).
TERM_FIELDS = (
    "symbol",
    "name",
    "product_type",
    "accelerator_vendor",
    "accelerator_model",
    "accelerator_memory_gb",
    "quantity_unit",
    "contract_size",
    "lot_size",
    "minimum_order",
    "position_limit",
    "delivery_start",
    "delivery_end",
    "delivery_regions",
    "delivery_sites",
    "provider_name",
    "provider_lei",
    "sla_availability_pct",
    "sla_performance_floor_pct",
    "sla_reference_benchmark",
    "sla_measurement_method",
    "remedy_credit_pct",
    "remedy_make_whole",
    "remedy_substitution",
    "settlement_type",
    "reference_index",
    "index_administrator",
    "index_methodology",
    "settlement_currency",
    "collateral_pct",
    "collateral_custodian",
    "last_attestation_date",
    "attestation_max_age_days",
    "target_market",
    "jurisdictions",
    "requested_venues",
    "token_network",
    "token_standard",
    "token_contract",
)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def product_terms(product: ComputeProduct) -> dict:
    """The product's terms as a flat JSON-compatible dict (the vocabulary in docs/terms.md)."""
    terms = {field: _plain(getattr(product, field)) for field in TERM_FIELDS}
    terms["is_tokenized"] = product.is_tokenized
    terms["terms_version"] = product.terms_version
    return terms


def terms_in_reading_order(terms: dict) -> dict:
    """Frozen terms in TERM_FIELDS order: PostgreSQL's jsonb keeps keys sorted by length, not as written."""
    order = {field: index for index, field in enumerate(TERM_FIELDS)}
    return dict(sorted(terms.items(), key=lambda item: order.get(item[0], len(order))))


def issuer_snapshot(issuer: Issuer) -> dict:
    return {
        "legal_name": issuer.legal_name,
        "lei": issuer.lei,
        "country": issuer.country,
        "registration_number": issuer.registration_number,
    }


def issuers_visible_to(user) -> QuerySet[Issuer]:
    if user.sees_all_issuers:
        return Issuer.objects.all()
    return Issuer.objects.filter(members=user)


def products_visible_to(user) -> QuerySet[ComputeProduct]:
    qs = ComputeProduct.objects.select_related("issuer")
    if user.sees_all_issuers:
        return qs
    return qs.filter(issuer__members=user)


def applications_visible_to(user) -> QuerySet[ProductApplication]:
    qs = ProductApplication.objects.select_related("product", "issuer")
    if user.sees_all_issuers:
        return qs
    return qs.filter(issuer__members=user)


def listings_visible_to(user) -> QuerySet[Listing]:
    qs = Listing.objects.select_related("product", "venue")
    if user.sees_all_issuers:
        return qs
    return qs.filter(product__issuer__members=user)


def product_is_editable(product: ComputeProduct) -> bool:
    """Terms change only while every application of the product is a draft, sent back, or closed."""
    closed = {ApplicationState.WITHDRAWN, ApplicationState.REJECTED}
    states = product.applications.values_list("state", flat=True)
    return all(state in EDITABLE_STATES or state in closed for state in states)


def user_acts_for_issuer(user, issuer: Issuer) -> bool:
    return issuer.members.filter(pk=user.pk).exists()


def current_approvals(application: ProductApplication) -> list[Approval]:
    return list(application.approvals.filter(version_number=application.version).select_related("officer"))


@dataclass(frozen=True)
class TermChange:
    field: str
    old: object
    new: object


def terms_diff(old: dict, new: dict) -> list[TermChange]:
    keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [TermChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


def version_diff(application: ProductApplication, old_number: int, new_number: int) -> list[TermChange]:
    versions = {v.number: v.terms for v in application.versions.filter(number__in=[old_number, new_number])}
    return terms_diff(versions.get(old_number, {}), versions.get(new_number, {}))


REVIEW_STATES = ("submitted", "checks_running", "in_review", "changes_requested")
QUEUE_ORDERINGS = {
    "oldest": ("state_changed_at", "id"),
    "newest": ("-state_changed_at", "-id"),
    "symbol": ("product__symbol", "id"),
    "issuer": ("issuer__legal_name", "state_changed_at"),
    "state": ("state", "state_changed_at"),
    "number": ("-id",),
}


def applications_filtered(
    applications: QuerySet[ProductApplication],
    *,
    q: str = "",
    state: str = "",
    jurisdiction: str = "",
    issuer: Issuer | None = None,
    product_type: str = "",
    min_age_days: int | None = None,
    sort: str = "",
) -> QuerySet[ProductApplication]:
    """The queue's search, filters and order, on top of what the user may see."""
    q = q.strip()
    if q:
        match = Q(product__symbol__icontains=q) | Q(product__name__icontains=q) | Q(issuer__legal_name__icontains=q)
        number = q.lstrip("#")
        # ASCII digits only: str.isdigit() is also true of "²", which int() refuses.
        if number.isascii() and number.isdecimal():
            match |= Q(pk=int(number))
        applications = applications.filter(match)
    if state:
        applications = applications.filter(state=state)
    if issuer is not None:
        applications = applications.filter(issuer=issuer)
    if product_type:
        applications = applications.filter(product__product_type=product_type)
    if min_age_days:
        applications = applications.filter(state_changed_at__lte=timezone.now() - timedelta(days=min_age_days))
    if jurisdiction:
        if connection.features.supports_json_field_contains:
            applications = applications.filter(product__jurisdictions__contains=[jurisdiction])
        else:
            # SQLite has no JSON containment: narrow in Python over the (small) candidate set.
            ids = [
                pk
                for pk, codes in applications.values_list("pk", "product__jurisdictions")
                if jurisdiction in (codes or [])
            ]
            applications = applications.filter(pk__in=ids)
    return applications.order_by(*QUEUE_ORDERINGS.get(sort or "oldest", QUEUE_ORDERINGS["oldest"]))


def latest_change_request(application: ProductApplication) -> AuditEvent | None:
    """The officer's request for changes that the issuer is answering now, with its rationale."""
    if application.state != ApplicationState.CHANGES_REQUESTED:
        return None
    return (
        AuditEvent.objects.for_object(application).filter(action="application.request_changes").order_by("-id").first()
    )


def editable_application(product: ComputeProduct) -> ProductApplication | None:
    """The product's application that the issuer may still change and submit, if any."""
    return product.applications.filter(state__in=EDITABLE_STATES).order_by("-id").first()


def drafts_visible_to(user) -> QuerySet[ProductDraft]:
    qs = ProductDraft.objects.select_related("issuer", "product")
    if user.sees_all_issuers:
        return qs
    return qs.filter(issuer__members=user)


def open_drafts_of(user) -> QuerySet[ProductDraft]:
    """Filings not yet complete enough to be a product: what "continue where you left off" lists."""
    return drafts_visible_to(user).filter(product__isnull=True)


def application_listing_ids(application: ProductApplication) -> list[int]:
    return list(application.listings.order_by("pk").values_list("pk", flat=True))


def rule_finding_overriders(application: ProductApplication) -> set[int]:
    """Ids of the users who overrode a blocking rule finding in the latest rule run of the
    application's current version (the run the rules approval gate judges). Four-eyes: whoever
    lifted a regulatory block may not also give one of the two approvals."""
    if not apps.is_installed("compliance.rules"):
        return set()
    from compliance.rules.selectors import latest_run  # compliance.rules reads products: import late

    run = latest_run(application)
    if run is None:
        return set()
    return set(run.findings.filter(overridden_by__isnull=False).values_list("overridden_by_id", flat=True))
