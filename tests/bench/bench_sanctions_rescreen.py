"""Re-screening benchmark: every party against the real lists, on real Celery workers.

Plain script: ``.venv/bin/python tests/bench/bench_sanctions_rescreen.py [--parties 10000] [--workers 2]``.

Creates a scratch PostgreSQL database (dropped at the end), imports the real OFAC + UN lists,
creates the parties in bulk, starts ``--workers`` worker processes (concurrency 1 each) on a
private queue, then times ``sanctions_rescreen_all`` from enqueue until every party carries a
screening timestamp. Reports the time to first screen (the workers build their matcher from
the database: the cold start) and the total, with parties per second. Needs PostgreSQL
(``--server``, default postgres://postgres@127.0.0.1:5432) and Redis (``REDIS_URL``); without
them it prints why and exits 0. Bounded by ``--timeout`` (default 240 s).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

GIVEN = """Sophie Lukas Marco Anna Liam Pieter Emma Nikos Ana Isabel Eva Laura Hannah Chloe Oliver
Emily James Michael Sarah Kevin Rachel Stefan Nina Daniel Grace Jan Maria Wei Mei Arjun Priya
Jonas Katrin Omar Fatima Yusuf Layla Hiroshi Yuki Carlos Lucia Mateo Sofia Tomas Petra""".split()
FAMILY = """Martin Schneider Rossi Kowalska Murphy Vries Johansson Papadopoulos Horvat Fernandez
Novak Bianchi Becker Dubois Smith Clark Wilson Johnson Lee Chan Lim Keller Meier Wong Ho Jansen
Silva Chen Tan Pillai Natarajan Weber Vogel Haddad Khoury Tanaka Sato Garcia Lopez Moreau""".split()
COUNTRIES = "FR DE IT PL IE NL SE GR HR ES SI AT BE GB US SG CH HK".split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--timeout", type=float, default=240)
    args = parser.parse_args()

    import psycopg

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    name = f"bench_rescreen_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{args.server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"skipped: no PostgreSQL at {args.server} ({exc})")
        return 0
    admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        DATABASE_URL=f"{args.server}/{name}",
        REDIS_URL=redis_url,
        CELERY_QUEUE=f"bench-{name}",
        ATTEST_CACHE_PREFIX=f"bench-{name}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.pop("ATTEST_TEST_DB", None)
    workers = []
    try:
        import django

        django.setup()
        from django.conf import settings

        if not settings.REDIS_AVAILABLE:
            print(f"skipped: no Redis at {redis_url}")
            return 0
        from django.core.management import call_command
        from django.db import connection

        from compliance.kyc.models import Party
        from compliance.sanctions import services
        from compliance.sanctions.tasks import sanctions_rescreen_all
        from tests.worker import WorkerProcess

        call_command("migrate", verbosity=0)
        data = settings.ATTEST_SANCTIONS_DATA_DIR
        started = time.perf_counter()
        for source, path in services.list_files_in(data).items():
            services.list_import(source=source, path=path, actor="system:bench")
        print(f"import of the real lists: {time.perf_counter() - started:.1f} s")

        rng = random.Random(20260301)
        rows = []
        for _ in range(args.parties):
            country = rng.choice(COUNTRIES)
            rows.append(
                Party(
                    kind="person",
                    name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    nationalities=[country],
                    residence_country=country,
                )
            )
        Party.objects.bulk_create(rows, batch_size=2000)
        print(f"parties: {args.parties}, workers: {args.workers} (prefork, concurrency 1 each)")

        connection.close()  # the workers must not inherit this process's connection
        for _ in range(args.workers):
            workers.append(WorkerProcess(concurrency=1).start())

        t0 = time.perf_counter()
        sanctions_rescreen_all.delay()
        first = None
        deadline = t0 + args.timeout
        done = 0
        while time.perf_counter() < deadline:
            done = Party.objects.filter(last_screened_at__isnull=False).count()
            if done and first is None:
                first = time.perf_counter() - t0
            if done >= args.parties:
                break
            time.sleep(0.25)
        total = time.perf_counter() - t0
        if done < args.parties:
            print(f"timed out after {total:.0f} s with {done}/{args.parties} parties screened")
            return 1
        hits = Party.objects.exclude(sanctions_state="clear").count()
        print(f"first party screened after {first:.1f} s (worker start-up: matcher built from the database)")
        print(f"re-screen of {args.parties} parties: {total:.1f} s total, {args.parties / total:,.0f} parties/s")
        print(f"parties with an open hit: {hits} ({hits / args.parties:.2%})")
        return 0
    finally:
        for worker in workers:
            worker.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # noqa: BLE001 - cleanup must reach the DROP below
            print(f"closing connections: {exc}")
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
