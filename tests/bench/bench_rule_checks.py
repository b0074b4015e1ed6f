"""Benchmark: submit -> in_review through real Celery workers, PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python tests/bench/bench_rule_checks.py

Creates a scratch test database (Django's test utilities; dropped at the end), loads the six
shipped packs, starts its own worker processes on a queue of its own, and prints:
1. one application offered in 6 jurisdictions, 1 worker process: time from submit to in_review;
2. 200 such applications submitted at once, 2 worker processes (concurrency 1 each).
Each application fans out one task per jurisdiction (6 tasks + 1 start task).
"""

import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_QUEUE"] = f"attest-bench-{uuid.uuid4().hex[:8]}"
os.environ.setdefault("ATTEST_TEST_DB", f"bench_attest_rules_{os.getpid()}")
os.environ.setdefault("ATTEST_REQUIRE_ISSUER_KYB", "false")  # only the rules gate is measured

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SIX = ["US", "EU", "GB", "CH", "SG", "HK"]
MANY = 200
TIMEOUT = 240


def main() -> int:
    if connection.vendor != "postgresql" or not settings.REDIS_AVAILABLE:
        print("bench_rule_checks: needs DATABASE_URL (PostgreSQL) and a reachable REDIS_URL; skipped")
        return 0
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    workers = []
    try:
        from products import services
        from products.models import ApplicationState, ProductApplication
        from tests.factories import IssuerFactory, UserFactory, VenueFactory, product_terms
        from tests.worker import WorkerProcess, wait_until

        call_command("load_rule_packs", verbosity=0)
        VenueFactory()
        issuer = IssuerFactory()
        user = UserFactory(role="issuer", issuer=issuer)

        def prepare(n, prefix):
            apps = []
            for i in range(n):
                terms = product_terms(symbol=f"{prefix}-{i:04d}", jurisdictions=SIX)
                product = services.product_create(actor=user, issuer=issuer, **terms)
                apps.append(services.application_create(actor=user, product=product))
            return apps

        def run(apps, n_workers):
            for _ in range(n_workers):
                workers.append(WorkerProcess(concurrency=1).start())
            ids = [a.pk for a in apps]
            start = time.perf_counter()
            for app in apps:
                services.application_submit(application=app, actor=user)
            submitted = time.perf_counter() - start

            def all_in_review():
                return ProductApplication.objects.filter(pk__in=ids, state=ApplicationState.IN_REVIEW).count() == len(
                    ids
                )

            ok = wait_until(all_in_review, timeout=TIMEOUT, interval=0.02)
            elapsed = time.perf_counter() - start
            while workers:
                workers.pop().stop()
            if not ok:
                raise SystemExit(f"not all applications reached in_review within {TIMEOUT}s")
            return elapsed, submitted

        one = prepare(1, "B1")
        elapsed, _ = run(one, 1)
        print(f"1 application x 6 jurisdictions, 1 worker: submit -> in_review {elapsed * 1000:.0f} ms")

        many = prepare(MANY, "BM")
        elapsed, submitted = run(many, 2)
        tasks = MANY * (len(SIX) + 1)
        print(
            f"{MANY} applications x 6 jurisdictions, 2 workers: all in_review after {elapsed:.1f} s "
            f"(submitting took {submitted:.1f} s); {tasks} tasks, {tasks / elapsed:.0f} tasks/s, "
            f"{MANY / elapsed:.1f} applications/s"
        )
    finally:
        for worker in workers:
            worker.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
