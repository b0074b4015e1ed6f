"""Demo data for a first run: issuers, venues, users per role and products in every state.

Everything goes through the services, so the demo carries a real audit trail. `seed_demo`
calls `seed()`; later features extend it with their own demo records.

Dates are relative to the day the seed runs, so the demo agrees with itself on any day: the
delivery windows are quarters around today (the listed product delivers in the current quarter,
the delisted one's window ended last quarter, the others start later), symbols and names follow
from those quarters, and every product's last capacity attestation is a few weeks old.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_create
from products import services
from products.models import ComputeProduct, Issuer, Venue

DEMO_PASSWORD = "attest-demo-2026"  # noqa: S105 - printed demo log-in, not a secret
SYSTEM = "system:seed_demo"

ISSUERS = [
    dict(
        legal_name="Nimbus Compute Markets Ltd",
        lei="549300NIMBUSCOMP0044",
        country="GB",
        registration_number="14873219",
        contact_name="Priya Natarajan",
        contact_email="listings@nimbus.example",
    ),
    dict(
        legal_name="HelioGrid Capacity GmbH",
        lei="549300HELIOGRIDCO010",
        country="DE",
        registration_number="HRB 247731",
        contact_name="Jonas Weber",
        contact_email="compliance@heliogrid.example",
    ),
    dict(
        legal_name="Tessera Tokenized Compute Pte. Ltd.",
        lei="549300TESSERA0000086",
        country="SG",
        registration_number="202412345K",
        contact_name="Mei Lin Tan",
        contact_email="ops@tessera.example",
    ),
]

VENUES = [
    dict(mic="XCME", name="Chicago Mercantile Exchange", country="US", venue_type="dcm"),
    dict(mic="XEUR", name="Eurex Deutschland", country="DE", venue_type="regulated_market"),
]

# (username, role, issuer index or None)
USERS = [
    ("admin", Role.ADMIN, None),
    ("olivia", Role.OFFICER, None),
    ("oscar", Role.OFFICER, None),
    ("sam", Role.SENIOR, None),
    ("ada", Role.AUDITOR, None),
    ("nimbus", Role.ISSUER, 0),
    ("helio", Role.ISSUER, 1),
    ("tessera", Role.ISSUER, 2),
]

PROVIDERS = [
    ("Northstar Datacenters Inc.", "5493000PROVIDER00141"),
    ("Rheinland GPU Cloud AG", "5493000PROVIDER00238"),
    ("Straits Compute Pte. Ltd.", "5493000PROVIDER00335"),
]


# The demo's last capacity attestations are this old when the seed runs, within the 90 days
# the terms allow; a window that ended earlier was attested before it ended (if that is still
# within the allowed age).
ATTESTED_DAYS_AGO = 32
ATTESTATION_MAX_AGE_DAYS = 90


def _add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def _quarter(today: date, offset: int) -> tuple[datetime, str, str]:
    """The quarter `offset` quarters from today's: its first instant (UTC), a symbol suffix
    ("27Q1") and a label ("Q1 2027")."""
    start = _add_months(datetime(today.year, (today.month - 1) // 3 * 3 + 1, 1, tzinfo=UTC), 3 * offset)
    quarter = (start.month - 1) // 3 + 1
    return start, f"{start.year % 100:02d}Q{quarter}", f"Q{quarter} {start.year}"


def _year(today: date, offset: int) -> tuple[datetime, str, str]:
    """January 1 of the year `offset` years from today's, a symbol suffix ("27") and a label."""
    start = datetime(today.year + offset, 1, 1, tzinfo=UTC)
    return start, f"{start.year % 100:02d}", str(start.year)


def _last_attestation(today: date, end: datetime) -> date:
    newest = today - timedelta(days=ATTESTED_DAYS_AGO)
    oldest = today - timedelta(days=ATTESTATION_MAX_AGE_DAYS - 1)
    return max(oldest, min(newest, end.date() - timedelta(days=1)))


def _terms(
    symbol,
    name,
    product_type,
    *,
    today,
    accelerator=("NVIDIA", "H100 SXM", 80),
    start,
    months=3,
    regions=("US",),
    sites=(("US", "iad-2"),),
    jurisdictions=("US",),
    venues=("XCME",),
    settlement="physical",
    target="professional",
    availability="99.5",
    provider=0,
    **extra,
):
    end = _add_months(start, months)
    terms = dict(
        symbol=symbol,
        name=name,
        product_type=product_type,
        accelerator_vendor=accelerator[0],
        accelerator_model=accelerator[1],
        accelerator_memory_gb=accelerator[2],
        contract_size=Decimal("100"),
        lot_size=10,
        minimum_order=10,
        position_limit=5000,
        delivery_start=start,
        delivery_end=end,
        delivery_regions=list(regions),
        delivery_sites=[{"country": c, "site_id": s} for c, s in sites],
        provider_name=PROVIDERS[provider][0],
        provider_lei=PROVIDERS[provider][1],
        sla_availability_pct=Decimal(availability),
        sla_performance_floor_pct=Decimal("95"),
        sla_reference_benchmark="MLPerf Training v4.0 (GPT-3 175B)",
        sla_measurement_method=(
            "Provider telemetry sampled every 60 s, reconciled monthly against an independent probe."
        ),
        remedy_credit_pct=Decimal("10"),
        remedy_make_whole=True,
        remedy_substitution=True,
        settlement_type=settlement,
        settlement_currency="USD",
        collateral_pct=Decimal("25"),
        collateral_custodian="State Street Bank and Trust Company",
        last_attestation_date=_last_attestation(today, end),
        attestation_max_age_days=ATTESTATION_MAX_AGE_DAYS,
        target_market=target,
        jurisdictions=list(jurisdictions),
        requested_venues=list(venues),
    )
    if settlement == "cash":
        terms.update(
            reference_index="Silicon Data H100 Rental Index (SDH100RT)",
            index_administrator="Silicon Data Inc.",
            index_methodology="Volume-weighted median of observed hourly on-demand H100 rental prices across "
            "tracked providers, published daily at 16:00 UTC.",
        )
    terms.update(extra)
    return terms


def _products(issuers, today: date):
    """(issuer, terms, target state) of every demo product, with windows around `today`."""
    nimbus, helio, tessera = issuers
    last_q, last_q_code, last_q_label = _quarter(today, -1)  # ended: delisted
    this_q, this_q_code, this_q_label = _quarter(today, 0)  # delivering now: listed
    q1, q1_code, q1_label = _quarter(today, 1)
    q2, q2_code, q2_label = _quarter(today, 2)
    q3, q3_code, q3_label = _quarter(today, 3)
    year, year_code, year_label = _year(today, 1)  # next calendar year
    later, later_code, later_label = _year(today, 2)  # Q1 of the year after
    token = {
        "token_network": "Ethereum",
        "token_standard": "ERC-1155",
        "token_contract": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    }
    return [
        # (issuer, terms, target state)
        (
            nimbus,
            _terms(
                f"H100-FWD-{this_q_code}",
                f"H100 GPU-hour forward, {this_q_label}",
                "physical_forward",
                today=today,
                start=this_q,
                jurisdictions=("US", "GB"),
                venues=("XCME",),
            ),
            "listed",
        ),
        (
            nimbus,
            _terms(
                f"H100-FUT-{q1_code}",
                f"H100 GPU-hour future, {q1_label}",
                "future",
                today=today,
                start=q1,
                settlement="cash",
            ),
            "approved",
        ),
        (
            nimbus,
            _terms(
                f"GPU-IDX-SWAP-{year_code}",
                f"Compute rental index swap {year_label}",
                "cash_settled_swap",
                today=today,
                start=year,
                months=12,
                settlement="cash",
                jurisdictions=("US",),
            ),
            "in_review",
        ),
        (
            nimbus,
            _terms(
                f"A100-CAP-{q2_code}",
                f"A100 capacity reservation, {q2_label}",
                "capacity_reservation",
                today=today,
                accelerator=("NVIDIA", "A100 SXM", 80),
                start=q2,
            ),
            "suspended",
        ),
        (
            helio,
            _terms(
                f"B200-FWD-{q2_code}",
                f"B200 GPU-hour forward, {q2_label} (Frankfurt)",
                "physical_forward",
                today=today,
                accelerator=("NVIDIA", "B200", 192),
                start=q2,
                regions=("DE",),
                sites=(("DE", "fra-1"), ("DE", "fra-3")),
                jurisdictions=("EU", "CH"),
                venues=("XEUR",),
                provider=1,
            ),
            "changes_requested",
        ),
        (
            helio,
            _terms(
                f"MI300-CAP-{q3_code}",
                f"MI300X capacity reservation, {q3_label}",
                "capacity_reservation",
                today=today,
                accelerator=("AMD", "Instinct MI300X", 192),
                start=q3,
                regions=("DE", "NL"),
                sites=(("DE", "fra-1"), ("NL", "ams-2")),
                jurisdictions=("EU",),
                venues=("XEUR",),
                target="retail",
                provider=1,
            ),
            "submitted",
        ),
        (
            helio,
            _terms(
                f"H200-FUT-{q3_code}",
                f"H200 GPU-hour future, {q3_label}",
                "future",
                today=today,
                accelerator=("NVIDIA", "H200", 141),
                start=q3,
                settlement="cash",
                regions=("DE",),
                sites=(("DE", "muc-1"),),
                jurisdictions=("EU", "GB"),
                venues=("XEUR",),
                provider=1,
            ),
            "checks_running",
        ),
        (
            helio,
            _terms(
                f"L40S-SWAP-{year_code}",
                f"L40S rental index swap {year_label}",
                "cash_settled_swap",
                today=today,
                accelerator=("NVIDIA", "L40S", 48),
                start=year,
                months=12,
                settlement="cash",
                regions=("DE",),
                sites=(("DE", "fra-3"),),
                jurisdictions=("EU",),
                venues=("XEUR",),
                provider=1,
            ),
            "rejected",
        ),
        (
            tessera,
            _terms(
                f"TCC-H100-{year_code}",
                f"Tessera tokenized H100 compute credit {year_label}",
                "tokenized_credit",
                today=today,
                start=year,
                months=12,
                regions=("SG",),
                sites=(("SG", "sin-1"),),
                jurisdictions=("SG", "HK"),
                venues=("XCME",),
                target="retail",
                provider=2,
                **token,
            ),
            "draft",
        ),
        (
            tessera,
            _terms(
                f"TCC-A100-{year_code}",
                f"Tessera tokenized A100 compute credit {year_label}",
                "tokenized_credit",
                today=today,
                accelerator=("NVIDIA", "A100 SXM", 80),
                start=_add_months(year, 3),  # April to December
                months=9,
                regions=("SG",),
                sites=(("SG", "sin-2"),),
                jurisdictions=("SG",),
                venues=("XCME",),
                provider=2,
                **token,
            ),
            "withdrawn",
        ),
        (
            tessera,
            _terms(
                f"H100-FWD-{last_q_code}",
                f"H100 GPU-hour forward, {last_q_label} (Singapore)",
                "physical_forward",
                today=today,
                start=last_q,
                regions=("SG",),
                sites=(("SG", "sin-1"),),
                jurisdictions=("SG", "HK"),
                venues=("XCME",),
                provider=2,
            ),
            "delisted",
        ),
        (
            tessera,
            _terms(
                f"GB200-FWD-{later_code}Q1",
                f"GB200 NVL72 GPU-hour forward, Q1 {later_label}",
                "physical_forward",
                today=today,
                accelerator=("NVIDIA", "GB200", 186),
                start=later,
                regions=("SG",),
                sites=(("SG", "sin-3"),),
                jurisdictions=("SG",),
                venues=("XCME",),
                provider=2,
            ),
            None,
        ),
    ]


@dataclass
class SeedResult:
    created: bool
    users: list


def _drive(application, target, *, issuer_user, officers, senior):
    """Walk an application through the workflow services to the target state."""
    a, b = officers
    if target == "draft":
        return
    if target == "withdrawn":
        services.application_withdraw(application=application, actor=issuer_user, rationale="Product redesign.")
        return
    services.application_submit(application=application, actor=issuer_user, note="Initial filing.", run_checks=False)
    if target == "submitted":
        return
    if target == "checks_running":
        _start_checks(application)
        return
    # The other applications go past their checks here; compliance.rules.demo records their rule runs.
    services.application_start_checks(application_id=application.pk)
    services.application_complete_checks(application_id=application.pk)
    if target == "changes_requested":
        services.application_request_changes(
            application=application,
            actor=a,
            rationale="State the substitution rules for the fra-3 site.",
        )
        return
    if target == "rejected":
        services.application_reject(
            application=application,
            actor=a,
            rationale="The index administrator is not authorised under EU BMR.",
        )
        return
    if target == "in_review":
        services.application_approve(application=application, actor=a, rationale="Terms and SLA evidenced.")
        return
    services.application_approve(application=application, actor=a, rationale="Terms and SLA evidenced.")
    services.application_approve(
        application=application,
        actor=senior if target != "approved" else b,
        rationale="Second review: collateral and attestation in order.",
    )
    if target == "approved":
        return
    services.application_list(application=application, actor=a, rationale="Approved terms; venue confirmed.")
    product = application.product
    if target == "suspended":
        services.application_suspend(application=application, actor=b, rationale=_capacity_shortfall_reason(product))
    elif target == "delisted":
        # _products places this product's delivery window in the last quarter: it has ended.
        services.application_delist(
            application=application,
            actor=b,
            rationale=f"Delivery window ended {product.delivery_end.astimezone(UTC):%Y-%m-%d %H:%M} UTC.",
        )


def _start_checks(application):
    """Start the checks as the submission task does (products.tasks.application_run_checks): the
    application moves to checks_running with its rule run, one pending part per jurisdiction, and
    the jurisdiction tasks are queued once the seed commits. A worker completes them and moves
    the application to in_review; until then the page shows the run in progress."""
    from compliance.rules import services as rules_services
    from compliance.rules.tasks import fan_out

    run = rules_services.run_begin_for_submission(application_id=application.pk)
    run_id = run.pk
    transaction.on_commit(lambda: fan_out(run_id))


def _capacity_shortfall_reason(product) -> str:
    """The officer suspends on what the delivery checks found: delivery.demo files this product's
    attestation (the one its terms declare) counting fewer accelerators at its site than the
    delivery obligation needs, and the evaluation opens a critical capacity-shortfall incident."""
    from delivery.demo import seed_product
    from products.models import ApplicationState

    incident = seed_product(product, ApplicationState.SUSPENDED)
    attestation = product.capacity_attestations.order_by("-attested_on", "-id").first()
    sites = ", ".join(f"{s['accelerator_count']} {s['accelerator_model']} at {s['site_id']}" for s in attestation.sites)
    short = (incident.threshold - incident.measured) / incident.threshold * 100
    return (
        f"Capacity shortfall (incident #{incident.pk}): the attestation of {attestation.attested_on:%Y-%m-%d} "
        f"counts {sites}, {short:.1f} % short of the GPU-hours still owed. "
        "Suspended until the missing capacity is attested."
    )


def _resubmit_example(application, *, issuer_user, officer):
    """Give one application a second version so the version diff has something to show."""
    product = application.product
    services.product_update(
        actor=issuer_user,
        product=product,
        remedy_credit_pct=Decimal("15"),
        sla_availability_pct=Decimal("99.9"),
    )
    services.application_submit(
        application=application, actor=issuer_user, note="Raised SLA and credit.", run_checks=False
    )
    services.application_start_checks(application_id=application.pk)
    services.application_complete_checks(application_id=application.pk)
    services.application_request_changes(
        application=application,
        actor=officer,
        rationale="Name the substitution hardware explicitly.",
    )


@transaction.atomic
def seed() -> SeedResult:
    # Symbols follow the day the seed ran, so the demo issuer's products mark a seeded database.
    if ComputeProduct.objects.filter(issuer__lei=ISSUERS[0]["lei"]).exists():
        return SeedResult(created=False, users=USERS)
    today = timezone.now().date()
    issuers = []
    for data in ISSUERS:
        issuer = Issuer.objects.filter(lei=data["lei"]).first()
        issuers.append(issuer or services.issuer_create(actor=SYSTEM, **data))
    for data in VENUES:
        if not Venue.objects.filter(mic=data["mic"]).exists():
            services.venue_create(actor=SYSTEM, **data)
    users = {}
    for username, role, issuer_index in USERS:
        user = User.objects.filter(username=username).first() or user_create(
            actor=SYSTEM,
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            issuer=issuers[issuer_index] if issuer_index is not None else None,
            email=f"{username}@attest.example",
        )
        users[username] = user
    issuer_users = {
        issuers[0].pk: users["nimbus"],
        issuers[1].pk: users["helio"],
        issuers[2].pk: users["tessera"],
    }
    officers = (users["olivia"], users["oscar"])
    # compliance.kyc's approval gate needs each issuer's KYB case approved before any approval.
    from compliance.kyc.demo import seed_issuer_kyb

    seed_issuer_kyb(issuers, officers)
    for issuer, terms, target in _products(issuers, today):
        issuer_user = issuer_users[issuer.pk]
        product = services.product_create(actor=issuer_user, issuer=issuer, **terms)
        if target is None:
            continue
        application = services.application_create(actor=issuer_user, product=product)
        _drive(application, target, issuer_user=issuer_user, officers=officers, senior=users["sam"])
        if target == "changes_requested":
            _resubmit_example(application, issuer_user=issuer_user, officer=officers[1])
    return SeedResult(created=True, users=USERS)
