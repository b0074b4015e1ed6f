"""Demo data for a first run: issuers, venues, users per role and products in every state.

Everything goes through the services, so the demo carries a real audit trail. `seed_demo`
calls `seed()`; later features extend it with their own demo records.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction

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


def _terms(
    symbol,
    name,
    product_type,
    *,
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
    end_month = start.month + months
    end = start.replace(year=start.year + (end_month - 1) // 12, month=(end_month - 1) % 12 + 1)
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
        last_attestation_date=date(2026, 10, 1),
        attestation_max_age_days=90,
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


def _products(issuers):
    nimbus, helio, tessera = issuers
    q3 = datetime(2027, 7, 1, tzinfo=UTC)
    q1 = datetime(2027, 1, 1, tzinfo=UTC)
    q2 = datetime(2027, 4, 1, tzinfo=UTC)
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
                "H100-FWD-27Q3",
                "H100 GPU-hour forward, Q3 2027",
                "physical_forward",
                start=q3,
                jurisdictions=("US", "GB"),
                venues=("XCME",),
            ),
            "listed",
        ),
        (
            nimbus,
            _terms(
                "H100-FUT-27Q1",
                "H100 GPU-hour future, Q1 2027",
                "future",
                start=q1,
                settlement="cash",
            ),
            "approved",
        ),
        (
            nimbus,
            _terms(
                "GPU-IDX-SWAP-27",
                "Compute rental index swap 2027",
                "cash_settled_swap",
                start=q1,
                months=12,
                settlement="cash",
                jurisdictions=("US",),
            ),
            "in_review",
        ),
        (
            nimbus,
            _terms(
                "A100-CAP-27Q2",
                "A100 capacity reservation, Q2 2027",
                "capacity_reservation",
                accelerator=("NVIDIA", "A100 SXM", 80),
                start=q2,
            ),
            "suspended",
        ),
        (
            helio,
            _terms(
                "B200-FWD-27Q2",
                "B200 GPU-hour forward, Q2 2027 (Frankfurt)",
                "physical_forward",
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
                "MI300-CAP-27Q3",
                "MI300X capacity reservation, Q3 2027",
                "capacity_reservation",
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
                "H200-FUT-27Q3",
                "H200 GPU-hour future, Q3 2027",
                "future",
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
                "L40S-SWAP-27",
                "L40S rental index swap 2027",
                "cash_settled_swap",
                accelerator=("NVIDIA", "L40S", 48),
                start=q1,
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
                "TCC-H100-27",
                "Tessera tokenized H100 compute credit 2027",
                "tokenized_credit",
                start=q1,
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
                "TCC-A100-27",
                "Tessera tokenized A100 compute credit 2027",
                "tokenized_credit",
                accelerator=("NVIDIA", "A100 SXM", 80),
                start=q2,
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
                "H100-FWD-26Q4",
                "H100 GPU-hour forward, Q4 2026 (Singapore)",
                "physical_forward",
                start=datetime(2026, 10, 1, tzinfo=UTC),
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
                "GB200-FWD-28Q1",
                "GB200 NVL72 GPU-hour forward, Q1 2028",
                "physical_forward",
                accelerator=("NVIDIA", "GB200", 186),
                start=datetime(2028, 1, 1, tzinfo=UTC),
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
    services.application_start_checks(application_id=application.pk)
    if target == "checks_running":
        return
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
    if target == "suspended":
        services.application_suspend(
            application=application, actor=b, rationale="Capacity attestation overdue at fra-1."
        )
    elif target == "delisted":
        services.application_delist(application=application, actor=b, rationale="Delivery window ended.")


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
    if ComputeProduct.objects.filter(symbol="H100-FWD-27Q3").exists():
        return SeedResult(created=False, users=USERS)
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
    for issuer, terms, target in _products(issuers):
        issuer_user = issuer_users[issuer.pk]
        product = services.product_create(actor=issuer_user, issuer=issuer, **terms)
        if target is None:
            continue
        application = services.application_create(actor=issuer_user, product=product)
        _drive(application, target, issuer_user=issuer_user, officers=officers, senior=users["sam"])
        if target == "changes_requested":
            _resubmit_example(application, issuer_user=issuer_user, officer=officers[1])
    return SeedResult(created=True, users=USERS)
