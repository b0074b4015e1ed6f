"""Demo delivery data for the demo products that were listed, suspended or delisted: a delivery
policy, a capacity attestation with evidence, and hourly reports for the part of the delivery
window that has passed when the seed runs, then an evaluation as of that moment.

Everything is relative to the seed's "now" (products.demo places the windows around it):

- the listed product delivers in the current quarter: its history runs from the window's start
  to the last whole hour, with an availability shortfall developing over the last three weeks,
  which opens one major incident with a disclosure prompt;
- the suspended product delivers in a later quarter, so it has no reports yet; its attestation
  counts fewer accelerators at its site than the delivery obligation needs, which opens a
  critical capacity-shortfall incident. products.demo seeds it (`seed_product`) before the
  officer suspends the product on that finding, so the audit trail reads in order;
- the delisted product's window ended last quarter: its history covers the whole window.

A product whose window has not started has no reports. The attestation is the one the product's
terms declare: it is dated the terms' `last_attestation_date`.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from delivery import services
from delivery.models import DeliveryPolicy, Incident, IncidentKind, IncidentStatus
from products.models import ApplicationState, ComputeProduct


@dataclass(frozen=True)
class Plan:
    accelerators: int  # what the product promises (the declared obligation is 90 % of them)
    attested: int  # what the attestation counts
    shortfall: bool  # an availability shortfall develops over the last weeks of the history
    auto_suspend: bool  # the product's policy: suspend on a critical incident


SYSTEM = "system:seed_demo"
# By the state products.demo leaves each demo product in.
PLANS = {
    ApplicationState.LISTED: Plan(accelerators=512, attested=512, shortfall=True, auto_suspend=True),
    ApplicationState.SUSPENDED: Plan(accelerators=256, attested=192, shortfall=False, auto_suspend=False),
    ApplicationState.DELISTED: Plan(accelerators=384, attested=384, shortfall=False, auto_suspend=False),
}
SHORTFALL_DAYS = 21  # the shortfall develops over the last three weeks of the history
REFERENCE_PRICE = Decimal("2.45")  # USD per H100-hour, about the on-demand index level
ATTESTING_PARTY = "Lindqvist & Partners Assurance LLP"


def _history(product, plan: Plan, until: datetime, rng: random.Random) -> list[dict]:
    """Hourly reports for every whole hour of the window before `until`: a scheduled block of
    most accelerators (lower at night UTC), healthy availability with rare dips, and, with a
    shortfall, an availability drift over the last SHORTFALL_DAYS."""
    start = product.delivery_start
    end = min(product.delivery_end, until.replace(minute=0, second=0, microsecond=0))
    drift_from = max(start, end - timedelta(days=SHORTFALL_DAYS))
    rows = []
    hour = start
    while hour + timedelta(hours=1) <= end:
        night = hour.hour < 6
        scheduled = plan.accelerators * (0.82 if night else 0.94)
        availability = min(100.0, rng.gauss(99.86, 0.08))
        if rng.random() < 0.004:  # an occasional incident hour: a node failure or a network blip
            availability = rng.uniform(93.0, 98.5)
        if plan.shortfall and hour >= drift_from:
            progress = (hour - drift_from) / (end - drift_from)
            availability = min(availability, rng.gauss(99.4 - 2.2 * progress, 0.15))
        availability = max(0.0, availability)
        delivered = scheduled * availability / 100
        benchmark = rng.gauss(98.2, 0.6) if hour.hour % 6 == 0 else None
        rows.append(
            {
                "product": product.symbol,
                "granularity": "hour",
                "period_start": hour.astimezone(UTC).isoformat(),
                "scheduled_gpu_hours": f"{scheduled:.3f}",
                "delivered_gpu_hours": f"{delivered:.3f}",
                "availability_pct": f"{availability:.3f}",
                "benchmark_pct": None if benchmark is None else f"{benchmark:.2f}",
            }
        )
        hour += timedelta(hours=1)
    return rows


def _attest(product, plan: Plan):
    """The attestation the terms declare (same date), split over the product's sites."""
    site_count = len(product.delivery_sites)
    sites = []
    for index, site in enumerate(product.delivery_sites):
        share = plan.attested // site_count + (plan.attested % site_count if index == 0 else 0)
        sites.append(
            {
                "site_id": site["site_id"],
                "country": site["country"],
                "accelerator_model": product.accelerator_model,
                "accelerator_count": share,
            }
        )
    attested_on = product.last_attestation_date
    where = ", ".join(s["site_id"] for s in sites)
    return services.attestation_file(
        product=product,
        filed_by=SYSTEM,
        attested_on=attested_on,
        attesting_party=ATTESTING_PARTY,
        attesting_role="auditor",
        sites=sites,
        evidence=[
            (
                f"{product.symbol.lower()}-capacity-attestation.txt",
                f"Capacity attestation for {product.symbol}: {plan.attested} x {product.accelerator_model} "
                f"at {where}; inventory walk-through on {attested_on:%Y-%m-%d}.\n".encode(),
            )
        ],
        actor=SYSTEM,
    )


@transaction.atomic
def seed_product(product: ComputeProduct, state: str) -> Incident | None:
    """Policy, attestation and the reports due so far for one demo product, evaluated now.
    Returns the product's open capacity-shortfall incident, if the evaluation found one."""
    plan = PLANS[state]
    now = timezone.now()
    window_hours = (product.delivery_end - product.delivery_start).total_seconds() / 3600
    services.policy_set(
        actor=SYSTEM,
        product=product,
        auto_suspend_on_critical=plan.auto_suspend,
        declared_obligation_gpu_hours=Decimal(round(plan.accelerators * 0.9 * window_hours)),
        reference_price=REFERENCE_PRICE,
    )
    _attest(product, plan)
    rows = _history(product, plan, now, random.Random(f"{product.symbol}:{state}"))  # the same on every machine
    if rows:
        services.delivery_reports_ingest(
            items=rows,
            actor=SYSTEM,
            scope=lambda _product: None,
            source="seed",
            all_or_nothing=True,
            now=now,
            evaluate=False,
        )
    services.product_evaluate(product_id=product.pk, now=now)
    return Incident.objects.filter(product=product, kind=IncidentKind.CAPACITY, status=IncidentStatus.OPEN).first()


def _demo_products():
    from products.demo import ISSUERS

    products = ComputeProduct.objects.filter(
        issuer__lei__in=[issuer["lei"] for issuer in ISSUERS], applications__state__in=list(PLANS)
    ).distinct()
    for product in products.order_by("symbol"):
        state = product.applications.filter(state__in=list(PLANS)).values_list("state", flat=True).first()
        yield product, state


@transaction.atomic
def seed() -> bool:
    created = False
    for product, state in _demo_products():
        if DeliveryPolicy.objects.filter(product=product).exists():
            continue  # seeded already (by an earlier run, or by products.demo before a suspension)
        seed_product(product, state)
        created = True
    return created
