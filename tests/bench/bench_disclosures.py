"""Benchmark of disclosure rendering: time per PDF in-process, and 100 PDFs through 2 workers.

    .venv/bin/python tests/bench/bench_disclosures.py [--pdfs 100] [--samples 30]

Part 1 renders sample documents with the renderer alone (no database) and prints the median and
p95 time per PDF. Part 2 creates a scratch PostgreSQL database (dropped at the end), starts two
`celery worker` processes against it, queues one rendering request per product through the
service the web and API use, and measures the wall time until every PDF is stored.
Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, used only to
reach the server) and Redis (REDIS_URL, default redis://127.0.0.1:6379/0). Bounded: every wait
has a deadline, so the whole run stays under five minutes.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "disclosures")]

BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
SCRATCH_DB = f"bench_disclosures_{os.getpid()}"
DEADLINE_SECONDS = 240


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def admin_connection():
    import psycopg

    parts = urlsplit(BASE_URL)
    conn = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
    return conn


def bench_renderer(samples: int) -> None:
    from disclosure_samples import CASH_TERMS, ISSUER, PHYSICAL_TERMS, PROFESSIONAL_CONSTRAINTS

    from compliance.disclosures.rendering import render_disclosure

    cases = [(PHYSICAL_TERMS, "GB"), (CASH_TERMS, "US"), ({**PHYSICAL_TERMS, "target_market": "retail"}, "EU")]
    render_disclosure(  # warm-up: fonts, template compilation
        terms=PHYSICAL_TERMS,
        issuer=ISSUER,
        jurisdiction="GB",
        language="en",
        document_version=1,
        mandatory_sections=[],
        rendered_on=date(2026, 5, 1),
        constraints=PROFESSIONAL_CONSTRAINTS,
    )
    timings, pages = [], []
    for i in range(samples):
        terms, jurisdiction = cases[i % len(cases)]
        started = time.perf_counter()
        result = render_disclosure(
            terms=terms,
            issuer=ISSUER,
            jurisdiction=jurisdiction,
            language="en",
            document_version=1 + i,
            mandatory_sections=["liquidity"],
            rendered_on=date(2026, 5, 1),
            constraints=PROFESSIONAL_CONSTRAINTS,
        )
        timings.append(time.perf_counter() - started)
        pages.append(result.page_count)
    print(f"renderer, {samples} PDFs in-process ({min(pages)}-{max(pages)} pages each):")
    print(f"  median {statistics.median(timings) * 1000:.0f} ms/PDF, p95 {percentile(timings, 0.95) * 1000:.0f} ms/PDF")


def bench_workers(count: int) -> None:
    from django.core.management import call_command
    from django.db import connections

    from compliance.disclosures import services
    from compliance.disclosures.models import DisclosureRendering, RenderingStatus
    from tests.factories import ProductFactory
    from tests.worker import WorkerProcess

    call_command("migrate", verbosity=0)
    products = [ProductFactory(symbol=f"BENCH-{i:04d}") for i in range(count)]
    workers = [WorkerProcess().start() for _ in range(2)]
    try:
        started = time.perf_counter()
        ids = [
            services.disclosure_rendering_request(product=p, jurisdiction="US", actor="system:bench").pk
            for p in products
        ]
        pending = set(ids)
        while pending and time.perf_counter() - started < DEADLINE_SECONDS:
            finished = DisclosureRendering.objects.filter(
                pk__in=pending, status__in=[RenderingStatus.DONE, RenderingStatus.FAILED]
            ).values_list("pk", flat=True)
            pending -= set(finished)
            time.sleep(0.1)
        wall = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.stop()
        connections.close_all()
    rows = list(DisclosureRendering.objects.filter(pk__in=ids))
    done = [r for r in rows if r.status == RenderingStatus.DONE]
    failed = [r for r in rows if r.status == RenderingStatus.FAILED]
    task_times = [(r.finished_at - r.started_at).total_seconds() for r in done]
    print(f"{count} PDFs through 2 worker processes (queued via the service, stored in PostgreSQL):")
    print(f"  {len(done)} done, {len(failed)} failed, {len(pending)} unfinished after {wall:.1f} s wall")
    if done:
        print(
            f"  {len(done) / wall:.1f} PDFs/s; per task (start to stored) "
            f"median {statistics.median(task_times) * 1000:.0f} ms, p95 {percentile(task_times, 0.95) * 1000:.0f} ms"
        )
    if failed:
        print(f"  first failure: {failed[0].error}")
    connections.close_all()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=100)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()

    parts = urlsplit(BASE_URL)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ["CELERY_QUEUE"] = f"bench-disclosures-{uuid.uuid4().hex[:8]}"
    os.environ.pop("ATTEST_TEST_DB", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{SCRATCH_DB}"')
    try:
        import django

        django.setup()
        from django.conf import settings

        if not settings.REDIS_AVAILABLE:
            sys.exit("bench_disclosures: Redis does not answer at REDIS_URL; the worker part needs it")
        bench_renderer(args.samples)
        bench_workers(args.pdfs)
    finally:
        with admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
