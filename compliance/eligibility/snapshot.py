"""Build an engine :class:`Snapshot` from the database, set-based.

A handful of ``values_list`` queries, whatever the number of investors or products:

1. the version counter (read first, in the same REPEATABLE READ transaction as the rest: the
   snapshot is one state of the database that includes that bump; a change committed after it
   bumps the counter again, which triggers the next rebuild);
2. products; 3. listings with their venue; 4. the application each product is judged by;
5-6. the latest completed rule run of each application's current version and its per-jurisdiction
results (the set-based form of ``compliance.rules.selectors.distribution_constraints_for``);
7. current disclosures and 8. acknowledgements of them (``compliance.disclosures.selectors``);
9. investors joined to their party (KYC status and expiry, sanctions state); 10. the sanctions
states of the entities' owners and directors that are not clear
(``compliance.kyc.selectors.related_sanctions_states``); 11. appropriateness assessments;
12. non-zero positions.

Mapping choices (see README.md in this folder):

* a product's constraints come from the application its listings refer to (the approved one),
  else from its latest application; a product with no completed rule run is offered nowhere
  (every order is ``JURISDICTION_BLOCKED``); the issuer's target market narrows the allowed
  categories in every jurisdiction (``products.models.within_target_market``: a
  professional-only product is ``CATEGORY_NOT_PERMITTED`` for retail investors);
* a delisted listing is absent (``NOT_LISTED_ON_VENUE``); a listing on an inactive venue too;
* a disclosure id is ``"<product id>/<jurisdiction>/v<version>"`` of the current published
  version; an acknowledgement of a published document acknowledges that id;
* an investor's sanctions state is the worst of its party's own and its party's beneficial
  owners' and directors' (confirmed, then open_hit, then clear): an entity whose owner is a
  confirmed match is ``SANCTIONS_CONFIRMED`` itself;
* KYC stays valid through ``kyc_expires_on`` (the KYC app expires cases whose date is before
  today), so the approval lapses at 00:00 UTC the day after;
* appropriateness: the newest assessment decides; one for the product itself prevails over a
  global one (``product`` empty), passed or failed, whichever is newer. A global pass becomes the
  engine's ``appropriateness_all`` flag and the product-specific results its
  ``appropriateness_passed`` / ``appropriateness_failed`` sets, so nothing is expanded per
  product;
* the per-order notional limit is compared with the order's notional in the product's
  settlement currency as a number: no FX conversion is made.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import F, Max

from compliance.disclosures.selectors import current_acknowledgements, current_disclosures
from compliance.eligibility.engine import (
    EU,
    DistributionConstraint,
    InvestorCategory,
    InvestorSpec,
    ListingSpec,
    ProductSpec,
    Snapshot,
    gc_paused,
)
from compliance.eligibility.versioning import read_version_from_db
from compliance.kyc.models import AppropriatenessAssessment, Investor, Position, SanctionsState
from compliance.kyc.selectors import related_sanctions_states, worst_sanctions_state
from compliance.rules.models import JurisdictionResult, RuleRun, RunStatus
from products.models import ComputeProduct, Listing, ListingStatus, ProductApplication, within_target_market

ALL_CATEGORIES = frozenset(InvestorCategory)
_LISTING_STATUS = {ListingStatus.ACTIVE: "listed", ListingStatus.SUSPENDED: "suspended"}


@dataclass(frozen=True)
class SnapshotInputs:
    """The specs read from the database, before compilation (what tests and the bench inspect)."""

    version: int
    products: list[ProductSpec]
    listings: list[ListingSpec]
    investors: list[InvestorSpec]


def disclosure_key(product_id: int, jurisdiction: str, version: int) -> str:
    return f"{product_id}/{jurisdiction}/v{version}"


def kyc_expiry(expires_on: date | None) -> datetime | None:
    if expires_on is None:
        return None
    return datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=UTC)


def _valid_jurisdiction(code: str) -> bool:
    return code == EU or (len(code) == 2 and code.isascii() and code.isalpha() and code.isupper())


def _constraints_by_application(application_ids: set[int]) -> dict[int, dict[str, tuple]]:
    """{application id: {jurisdiction: (blocked, categories, appropriateness, acknowledgement)}}.

    The same run as ``distribution_constraints_for``: the latest completed run of the
    application's current version (newest ``finished_at``, then highest id).
    """
    latest_run: dict[int, int] = {}
    runs = (
        RuleRun.objects.filter(
            application_id__in=application_ids,
            status=RunStatus.COMPLETED,
            version_number=F("application__version"),
        )
        .order_by("application_id", "finished_at", "id")
        .values_list("application_id", "id")
    )
    for application_id, run_id in runs:
        latest_run[application_id] = run_id  # ascending order: the last one wins
    application_of_run = {run_id: application_id for application_id, run_id in latest_run.items()}
    constraints: dict[int, dict[str, tuple]] = defaultdict(dict)
    results = JurisdictionResult.objects.filter(run_id__in=application_of_run).values_list(
        "run_id",
        "jurisdiction",
        "jurisdiction_blocked",
        "allowed_investor_categories",
        "appropriateness_required",
        "acknowledgement_required",
    )
    for run_id, jurisdiction, blocked, categories, appropriateness, acknowledgement in results:
        allowed = ALL_CATEGORIES if categories is None else frozenset(categories) & ALL_CATEGORIES
        constraints[application_of_run[run_id]][jurisdiction] = (
            blocked,
            allowed,
            appropriateness,
            acknowledgement,
        )
    return constraints


def read_inputs() -> SnapshotInputs:
    with gc_paused(), _one_state():  # gc_paused: the rows all survive, nothing to collect
        return _read_inputs()


@contextmanager
def _one_state():
    """Run the build's queries against one state of the database.

    In autocommit each query would see what had committed by its own start, so a transaction
    committing between two of them (revoke a KYC approval and suspend the listing, say) could
    be half in the snapshot: a state that never existed. On PostgreSQL the queries share one
    REPEATABLE READ READ ONLY transaction; SQLite's transaction is serializable anyway. Inside a
    caller's transaction (tests) its isolation applies.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _read_inputs() -> SnapshotInputs:
    version = read_version_from_db()

    products = list(
        ComputeProduct.objects.values_list(
            "id",
            "symbol",
            "contract_size",
            "lot_size",
            "minimum_order",
            "position_limit",
            "delivery_start",
            "target_market",
        )
    )
    symbol_of = {pid: symbol for pid, symbol, *_ in products}

    listing_rows = (
        Listing.objects.filter(status__in=list(_LISTING_STATUS), venue__active=True)
        .values_list("product_id", "venue__mic", "status", "effective_from", "application_id")
        .order_by("product_id", "venue__mic")
    )
    listings: list[ListingSpec] = []
    application_of: dict[int, int] = {}
    for product_id, mic, status, effective_from, application_id in listing_rows:
        listings.append(ListingSpec(symbol_of[product_id], mic, _LISTING_STATUS[status], effective_from))
        application_of.setdefault(product_id, application_id)
    unlisted = set(symbol_of) - set(application_of)
    if unlisted:
        latest = (
            ProductApplication.objects.filter(product_id__in=unlisted)
            .values("product_id")
            .annotate(latest=Max("id"))
            .values_list("product_id", "latest")
        )
        application_of.update(dict(latest))

    constraints_of_application = _constraints_by_application(set(application_of.values()))
    disclosures = {
        key: disclosure_key(key[0], key[1], current.version) for key, current in current_disclosures().items()
    }

    product_specs: list[ProductSpec] = []
    for pid, symbol, contract_size, lot_size, minimum_order, position_limit, delivery_start, market in products:
        raw = constraints_of_application.get(application_of.get(pid), {})
        constraints = []
        for jurisdiction, (blocked, allowed, appropriateness, acknowledgement) in sorted(raw.items()):
            if not _valid_jurisdiction(jurisdiction):
                continue
            constraints.append(
                DistributionConstraint(
                    jurisdiction=jurisdiction,
                    blocked=blocked,
                    allowed_categories=within_target_market(market, allowed, ALL_CATEGORIES),
                    appropriateness_required=appropriateness,
                    disclosure_acknowledgement_required=acknowledgement,
                    current_disclosure=disclosures.get((pid, jurisdiction)),
                )
            )
        product_specs.append(
            ProductSpec(
                symbol=symbol,
                contract_size=float(contract_size),
                lot_size=lot_size,
                minimum_order=minimum_order,
                position_limit=position_limit,
                delivery_start=delivery_start,
                constraints=tuple(constraints),
            )
        )

    investors = list(
        Investor.objects.values_list(
            "id",
            "reference",
            "category",
            "residence_jurisdiction",
            "order_notional_limit",
            "party__kyc_status",
            "party__kyc_expires_on",
            "party__sanctions_state",
            "party_id",
        )
    )
    # Owners and directors: only the few that are not clear are read.
    related_sanctions = related_sanctions_states()

    # Newest assessment per (investor, product or None); product-specific results prevail.
    assessments: dict[tuple[int, int | None], bool] = {}
    for investor_id, product_id, passed in AppropriatenessAssessment.objects.order_by("assessed_at", "id").values_list(
        "investor_id", "product_id", "passed"
    ):
        assessments[investor_id, product_id] = passed
    global_pass: set[int] = set()
    passed_products: dict[int, set[str]] = defaultdict(set)
    failed_products: dict[int, set[str]] = defaultdict(set)
    for (investor_id, product_id), passed in assessments.items():
        if product_id is None:
            if passed:
                global_pass.add(investor_id)
        elif passed:
            passed_products[investor_id].add(symbol_of[product_id])
        else:
            failed_products[investor_id].add(symbol_of[product_id])

    positions: dict[int, dict[str, int]] = defaultdict(dict)
    for investor_id, product_id, contracts in Position.objects.exclude(contracts=0).values_list(
        "investor_id", "product_id", "contracts"
    ):
        positions[investor_id][symbol_of[product_id]] = contracts

    acknowledged: dict[int, set[str]] = defaultdict(set)
    for investor_id, product_id, jurisdiction in current_acknowledgements():
        key = disclosures.get((product_id, jurisdiction))
        if key is not None:
            acknowledged[investor_id].add(key)

    # Few distinct expiry dates and limits: convert each once.
    expiries: dict[date | None, datetime | None] = {}
    limits: dict[object, float | None] = {None: None}
    nothing: frozenset[str] = frozenset()
    investor_specs: list[InvestorSpec] = []
    clear = SanctionsState.CLEAR
    for iid, reference, category, residence, limit, kyc_status, expires_on, sanctions, party_id in investors:
        related = related_sanctions.get(party_id, clear)
        if related != clear:
            sanctions = worst_sanctions_state(sanctions, related)
        expires_at = expiries.get(expires_on)
        if expires_at is None and expires_on not in expiries:
            expires_at = expiries[expires_on] = kyc_expiry(expires_on)
        notional_limit = limits.get(limit)
        if notional_limit is None and limit not in limits:
            notional_limit = limits[limit] = float(limit)
        passed = passed_products.get(iid)
        failed = failed_products.get(iid)
        acks = acknowledged.get(iid)
        investor_specs.append(
            InvestorSpec(
                reference=reference,
                category=category,
                residence=residence,
                kyc_status=kyc_status,
                kyc_expires_at=expires_at,
                sanctions=sanctions,
                appropriateness_passed=nothing if passed is None else frozenset(passed),
                acknowledged_disclosures=nothing if acks is None else frozenset(acks),
                order_notional_limit=notional_limit,
                positions=positions.get(iid, {}),
                appropriateness_all=iid in global_pass,
                appropriateness_failed=nothing if failed is None else frozenset(failed),
            )
        )
    return SnapshotInputs(version=version, products=product_specs, listings=listings, investors=investor_specs)


def build_snapshot() -> Snapshot:
    """Read the database and compile a snapshot labelled with the version read first."""
    inputs = read_inputs()
    return Snapshot.build(
        version=inputs.version, products=inputs.products, investors=inputs.investors, listings=inputs.listings
    )
