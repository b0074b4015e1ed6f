"""Delivery benchmark: ingest one million hourly reports (100 products x 10,000 hours, about
14 months) through the API's validation and storage path, then evaluate every product's SLA.

Runs against a scratch PostgreSQL database that it creates and drops:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python tests/bench/bench_delivery.py

Prints reports per second for ingestion and the evaluation time. Bounded: well under 5 minutes.
"""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100"))
HOURS = int(os.environ.get("BENCH_HOURS", "10000"))
BATCH = 10_000  # the API's maximum batch
SCRATCH = "attest_bench_delivery"


def scratch_url() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_delivery needs PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def recreate(admin_url: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {SCRATCH}")


def main() -> None:
    admin_url, url = scratch_url()
    recreate(admin_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # no broker needed: the benchmark evaluates inline
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        run()
    finally:
        from django.db import connections

        connections.close_all()
        recreate(admin_url, drop_only=True)


def run() -> None:
    from decimal import Decimal

    from delivery import services
    from products.models import ComputeProduct, Issuer
    from tests.factories import make_lei, product_terms

    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(hours=HOURS)
    issuer = Issuer.objects.create(legal_name="Bench Issuer", lei=make_lei(7), country="GB", registration_number="B1")
    products = ComputeProduct.objects.bulk_create(
        ComputeProduct(
            issuer=issuer,
            **product_terms(
                symbol=f"BENCH-{n:03d}", delivery_start=start, delivery_end=end, contract_size=Decimal("100")
            ),
        )
        for n in range(PRODUCTS)
    )
    now = end + timedelta(hours=1)

    def reports():
        # Deterministic variety: a dip every 97 hours, a benchmark every 6 hours.
        for product in products:
            for h in range(HOURS):
                availability = 96.5 if h % 97 == 0 else 99.9
                yield {
                    "product": product.symbol,
                    "granularity": "hour",
                    "period_start": (start + timedelta(hours=h)).isoformat(),
                    "scheduled_gpu_hours": 480,
                    "delivered_gpu_hours": round(480 * availability / 100, 3),
                    "availability_pct": availability,
                    "benchmark_pct": 97.5 if h % 6 == 0 else None,
                }

    total = PRODUCTS * HOURS
    started = time.perf_counter()
    batch, stored = [], 0
    for item in reports():
        batch.append(item)
        if len(batch) == BATCH:
            stored += services.delivery_reports_ingest(
                items=batch, actor="system:bench", scope=lambda p: None, source="api", now=now, evaluate=False
            ).counts["created"]
            batch = []
    if batch:
        stored += services.delivery_reports_ingest(
            items=batch, actor="system:bench", scope=lambda p: None, source="api", now=now, evaluate=False
        ).counts["created"]
    ingest_s = time.perf_counter() - started
    assert stored == total, (stored, total)
    print(
        f"ingested {total:,} hourly reports for {PRODUCTS} products in {ingest_s:.1f} s: "
        f"{total / ingest_s:,.0f} reports/s"
    )

    started = time.perf_counter()
    breaches = 0
    for product in products:
        breaches += len(services.product_evaluate(product_id=product.pk, now=now).breaches)
    eval_s = time.perf_counter() - started
    print(
        f"evaluated {PRODUCTS} products (daily + monthly periods, rolling 30 days, incidents) in {eval_s:.1f} s: "
        f"{eval_s / PRODUCTS * 1000:.0f} ms per product of {HOURS:,} reports; {breaches} breaches"
    )

    started = time.perf_counter()
    unchanged = sum(services.product_evaluate(product_id=p.pk, now=now).changed is False for p in products[:10])
    print(
        f"re-evaluation with nothing new: {(time.perf_counter() - started) / 10 * 1000:.0f} ms per product "
        f"({unchanged}/10 unchanged)"
    )


if __name__ == "__main__":
    main()
