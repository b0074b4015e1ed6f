"""Demo delivery history: hourly reports over the delivery windows of the demo products that
were listed, suspended or delisted, one developing shortfall, and the incident it opens.

The demo products deliver in late 2026 and 2027; their history is simulated for those windows
(ingested "as of" the end of each window through the same validation as the API)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from delivery import services
from delivery.models import DeliveryReport
from products.models import ComputeProduct

SYSTEM = "system:seed_demo"
# symbol -> (accelerators, developing shortfall, auto-suspend policy)
PRODUCTS = {
    "H100-FWD-27Q3": (512, True, True),
    "A100-CAP-27Q2": (256, False, False),
    "H100-FWD-26Q4": (384, False, False),
}
SHORTFALL_DAYS = 21  # the shortfall develops over the last three weeks of the history
REFERENCE_PRICE = Decimal("2.45")  # USD per H100-hour, about the on-demand index level


def _history(product, accelerators: int, shortfall: bool, rng: random.Random) -> list[dict]:
    """Hourly reports: a scheduled block of most accelerators (lower at night UTC), healthy
    availability with rare dips, and, for the shortfall product, an availability drift."""
    start, end = product.delivery_start, product.delivery_end
    drift_from = end - timedelta(days=SHORTFALL_DAYS)
    rows = []
    hour = start
    while hour < end:
        night = hour.hour < 6
        scheduled = accelerators * (0.82 if night else 0.94)
        availability = min(100.0, rng.gauss(99.86, 0.08))
        if rng.random() < 0.004:  # an occasional incident hour: a node failure or a network blip
            availability = rng.uniform(93.0, 98.5)
        if shortfall and hour >= drift_from:
            progress = (hour - drift_from) / (end - drift_from)
            availability = min(availability, rng.gauss(99.4 - 1.6 * progress, 0.15))
        availability = max(0.0, availability)
        delivered = scheduled * availability / 100
        benchmark = rng.gauss(98.2, 0.6) if hour.hour % 6 == 0 else None
        rows.append(
            {
                "product": product.symbol,
                "granularity": "hour",
                "period_start": hour.isoformat(),
                "scheduled_gpu_hours": f"{scheduled:.3f}",
                "delivered_gpu_hours": f"{delivered:.3f}",
                "availability_pct": f"{availability:.3f}",
                "benchmark_pct": None if benchmark is None else f"{benchmark:.2f}",
            }
        )
        hour += timedelta(hours=1)
    return rows


def _attest(product, accelerators: int) -> None:
    site_count = len(product.delivery_sites)
    sites = []
    for index, site in enumerate(product.delivery_sites):
        share = accelerators // site_count + (accelerators % site_count if index == 0 else 0)
        sites.append(
            {
                "site_id": site["site_id"],
                "country": site["country"],
                "accelerator_model": product.accelerator_model,
                "accelerator_count": share,
            }
        )
    services.attestation_file(
        product=product,
        filed_by=SYSTEM,
        attested_on=date(2026, 11, 2),
        attesting_party="Lindqvist & Partners Assurance LLP",
        attesting_role="auditor",
        sites=sites,
        evidence=[
            (
                f"{product.symbol.lower()}-capacity-attestation.txt",
                f"Capacity attestation for {product.symbol}: {accelerators} x {product.accelerator_model} "
                f"at {', '.join(s['site_id'] for s in sites)}; inventory walk-through on 2026-11-02.\n".encode(),
            )
        ],
        actor=SYSTEM,
    )


@transaction.atomic
def seed() -> bool:
    products = {p.symbol: p for p in ComputeProduct.objects.filter(symbol__in=PRODUCTS)}
    if not products or DeliveryReport.objects.filter(product__in=products.values()).exists():
        return False
    rng = random.Random(20270701)  # fixed: the demo looks the same on every machine
    for symbol, (accelerators, shortfall, auto_suspend) in PRODUCTS.items():
        product = products.get(symbol)
        if product is None:
            continue
        window_hours = (product.delivery_end - product.delivery_start).total_seconds() / 3600
        services.policy_set(
            actor=SYSTEM,
            product=product,
            auto_suspend_on_critical=auto_suspend,
            declared_obligation_gpu_hours=Decimal(round(accelerators * 0.9 * window_hours)),
            reference_price=REFERENCE_PRICE,
        )
        _attest(product, accelerators)
        services.delivery_reports_ingest(
            items=_history(product, accelerators, shortfall, rng),
            actor=SYSTEM,
            scope=lambda _product: None,
            source="seed",
            all_or_nothing=True,
            now=product.delivery_end,
            evaluate=False,
        )
        services.product_evaluate(product_id=product.pk, now=timezone.now())
    return True
