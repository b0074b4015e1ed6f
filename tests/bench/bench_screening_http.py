"""Screening API benchmark over HTTP, and the snapshot build from the database.

Plain script: ``.venv/bin/python tests/bench/bench_screening_http.py`` (about 2-3 minutes).
Needs PostgreSQL at ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``),
Redis at ``REDIS_URL`` if you have one (the embedded cache works too) and ``wrk`` on the PATH.

1. Creates a scratch database, migrates it and seeds 10,000 investors and 100 listed products
   (rule constraints, disclosures and acknowledgements, appropriateness, positions) with bulk
   inserts, and an API key for XCME.
2. Starts gunicorn on 127.0.0.1 with 2 workers (gthread, 4 threads each, for keep-alive) and the
   eligibility hooks, and warms both workers.
3. Single screenings: ``wrk`` from a separate process, a 3 s warm-up run, then 1, 2, 4, 8 and 16
   connections for 8 s each; prints requests/s and latency p50/p90/p99 for each, and the peak
   rate (the fewest connections within 10 % of the best rate); checks the decisions reached the
   log. ``BENCH_SKIP_BUILD=1`` stops after the HTTP part.
4. Batches: 1,000-order batches (orders/s, latency) and 10,000-order batches (latency;
   goal < 100 ms) from a Python client on keep-alive connections, a bounded number each. The
   10,000-order batches run twice: back to back (about 300,000 orders/s, more than the decision
   log can write on these two cores, so each batch shares them with the log's backlog), and
   half a second apart (the log writes each batch before the next one comes).
5. Stops gunicorn, grows the data to 100,000 investors and 1,000 products and times
   the snapshot build: reading (and counting queries) and compiling; drops the scratch database.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"attest_bench_screening_{os.getpid()}"
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
RESIDENCES = ["US", "DE", "FR", "GB", "SG", "JP"]
CATEGORIES = ["retail", "professional", "eligible_counterparty", "accredited"]
SEED = 20261125
# Single screenings: wrk connection counts swept, and seconds per count.
SWEEP_CONNECTIONS = (1, 2, 4, 8, 16)
SWEEP_SECONDS = 8


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()


# --------------------------------------------------------------------------- seeding


def seed_products(count: int, start: int, venue, issuer, user) -> list:
    from compliance.disclosures.models import DisclosureDocument
    from compliance.rules.models import JurisdictionResult, RuleRun
    from products.models import ApplicationVersion, ComputeProduct, Listing, ProductApplication
    from tests.factories import product_terms

    now = datetime.now(UTC)
    products = ComputeProduct.objects.bulk_create(
        [
            ComputeProduct(
                issuer=issuer,
                **product_terms(
                    symbol=f"GPU{start + i:04d}-27Q{i % 4 + 1}",
                    lot_size=(1, 5, 10)[i % 3],
                    minimum_order=(10, 20, 30)[i % 3],
                    position_limit=(0, 5_000)[i % 2],
                    delivery_start=datetime(2099, 1, 1, tzinfo=UTC),
                    delivery_end=datetime(2099, 4, 1, tzinfo=UTC),
                ),
            )
            for i in range(count)
        ]
    )
    applications = ProductApplication.objects.bulk_create(
        [ProductApplication(product=p, issuer=issuer, state="listed", version=1, created_by=user) for p in products]
    )
    versions = ApplicationVersion.objects.bulk_create(
        [
            ApplicationVersion(
                application=a, number=1, terms={}, issuer_snapshot={}, submitted_by=user, submitted_at=now
            )
            for a in applications
        ]
    )
    Listing.objects.bulk_create(
        [
            Listing(
                product=p,
                venue=venue,
                application=a,
                application_version=v,
                status="suspended" if i % 25 == 24 else "active",
                effective_from=now - timedelta(days=1),
            )
            for i, (p, a, v) in enumerate(zip(products, applications, versions, strict=True))
        ]
    )
    runs = RuleRun.objects.bulk_create(
        [
            RuleRun(
                application=a,
                version_number=1,
                reason="submission",
                status="completed",
                as_of=date.today(),
                started_at=now,
                finished_at=now,
            )
            for a in applications
        ]
    )
    results = []
    for i, run in enumerate(runs):
        retail = i % 2 == 0
        categories = None if retail else ["professional", "eligible_counterparty", "accredited"]
        for jurisdiction in ("US", "GB", "SG", "DE", "EU"):
            results.append(
                JurisdictionResult(
                    run=run,
                    jurisdiction=jurisdiction,
                    status="done",
                    allowed_investor_categories=categories,
                    appropriateness_required=retail and jurisdiction in ("DE", "EU"),
                    acknowledgement_required=jurisdiction == "EU",
                    jurisdiction_blocked=jurisdiction == "SG" and i % 7 == 0,
                )
            )
    JurisdictionResult.objects.bulk_create(results, batch_size=5000)
    documents = DisclosureDocument.objects.bulk_create(
        [
            DisclosureDocument(
                product=p,
                jurisdiction="EU",
                language="en",
                version=1,
                status="published",
                pdf=b"%PDF",
                html="",
                sha256="0" * 64,
                page_count=1,
                template_version="bench",
                terms_version=1,
                terms={},
                rendered_on=date.today(),
                rendered_at=now,
                published_at=now,
            )
            for p in products
        ]
    )
    return list(zip(products, documents, strict=True))


def seed_investors(count: int, start: int, products: list) -> list[str]:
    from compliance.disclosures.models import DisclosureAcknowledgement
    from compliance.kyc.models import AppropriatenessAssessment, Investor, Party, Position

    rng = random.Random(SEED + start)
    now = datetime.now(UTC)
    parties = []
    for i in range(count):
        n = start + i
        roll = rng.random()
        parties.append(
            Party(
                kind="person",
                name=f"Bench Investor {n}",
                residence_country=RESIDENCES[n % len(RESIDENCES)],
                kyc_status="approved" if roll > 0.03 else "awaiting_review",
                kyc_expires_on=date(2099, 1, 1) if roll > 0.05 else date(2020, 1, 1),
                sanctions_state="clear" if roll > 0.01 else "open_hit",
            )
        )
    parties = Party.objects.bulk_create(parties, batch_size=5000)
    investors = Investor.objects.bulk_create(
        [
            Investor(
                party=party,
                reference=f"INV-{start + i:07d}",
                category=CATEGORIES[rng.randrange(4)],
                residence_jurisdiction=party.residence_country,
                order_notional_limit=Decimal("500000") if i % 3 == 0 else None,
            )
            for i, party in enumerate(parties)
        ],
        batch_size=5000,
    )
    assessments, positions, acknowledgements = [], [], []
    for investor in investors:
        held = rng.sample(products, min(3, len(products)))
        for product, document in held:
            positions.append(Position(investor=investor, product=product, contracts=rng.randrange(1, 4000)))
            acknowledgements.append(
                DisclosureAcknowledgement(investor=investor, document=document, channel="api", acknowledged_at=now)
            )
        if rng.random() < 0.3:
            assessments.append(AppropriatenessAssessment(investor=investor, product=None, passed=True, assessed_at=now))
        else:
            product, _ = held[0]
            assessments.append(
                AppropriatenessAssessment(investor=investor, product=product, passed=True, assessed_at=now)
            )
    Position.objects.bulk_create(positions, batch_size=5000)
    DisclosureAcknowledgement.objects.bulk_create(acknowledgements, batch_size=5000)
    AppropriatenessAssessment.objects.bulk_create(assessments, batch_size=5000)
    return [investor.reference for investor in investors]


# --------------------------------------------------------------------------- load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(conn: http.client.HTTPConnection, path: str, body: bytes, key: str) -> tuple[int, bytes]:
    conn.request("POST", path, body, {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def make_orders(count: int, references: list[str], symbols: list[str], rng: random.Random) -> list[dict]:
    return [
        {
            "client_order_id": f"o-{i}",
            "investor": rng.choice(references),
            "product": rng.choice(symbols),
            "side": "buy" if rng.random() < 0.7 else "sell",
            "quantity": rng.choice((10, 20, 30, 60, 100, 25)),
            "price": f"{rng.uniform(1.5, 4.0):.2f}",
        }
        for i in range(count)
    ]


def run_wrk(port: int, key: str, orders: list[dict], connections: int = 16, seconds: int = 10) -> dict:
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    bodies = ",\n".join("[[" + json.dumps(o) + "]]" for o in orders)
    lua.write(
        f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Api-Key {key}"
local bodies = {{ {bodies} }}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/screenings", nil, bodies[(n % #bodies) + 1])
end
"""
    )
    lua.close()
    url = f"http://127.0.0.1:{port}"
    out = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(lua.name)

    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        figures[f"p{pct}"] = ms(re.search(rf"\s{pct}%\s+(\S+)", out).group(1))
    figures["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = int(non2xx.group(1)) if non2xx else 0
    return figures


def batch_latencies(
    port: int, key: str, orders_per_batch: int, rounds: int, references, symbols, pause: float = 0.0
) -> list[float]:
    rng = random.Random(SEED + orders_per_batch)
    bodies = [
        json.dumps({"orders": make_orders(orders_per_batch, references, symbols, rng)}).encode() for _ in range(4)
    ]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    for i in range(rounds):
        started = time.perf_counter()
        status, content = post(conn, "/api/v1/screenings/batch", bodies[i % len(bodies)], key)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, content[:300]
        time.sleep(pause)
    conn.close()
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --------------------------------------------------------------------------- main


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk, or `make system-deps`)", file=sys.stderr)
        return 1
    admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    server = None
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from compliance.eligibility import services
        from compliance.eligibility.engine import Snapshot
        from compliance.eligibility.models import ScreeningDecision
        from compliance.eligibility.snapshot import read_inputs
        from products.models import Issuer, Venue
        from tests.factories import UserFactory, make_lei

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        issuer = Issuer.objects.create(
            legal_name="Bench Compute Ltd", lei=make_lei(777), country="GB", registration_number="B1"
        )
        user = UserFactory(role="issuer", username="bench")
        venue = Venue.objects.create(mic="XCME", name="CME", country="US", venue_type="dcm")
        products = seed_products(100, 0, venue, issuer, user)
        references = seed_investors(10_000, 0, products)
        symbols = [p.symbol for p, _ in products]
        _, key = services.api_key_create(actor="system:bench", venue=venue, name="bench")
        print(f"seeded 10,000 investors / 100 products in {time.perf_counter() - started:.1f} s")
        connection.close()

        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": DB_URL,
            "DJANGO_DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": "600",
        }
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "-c", "python:compliance.eligibility.gunicorn_conf",
                "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
        warm = make_orders(2_000, references, symbols, random.Random(SEED))
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, _ = post(conn, "/api/v1/screenings", json.dumps(warm[0]).encode(), key)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # Both workers build their snapshot (the first request each) before timing starts.
        for order in warm[:200]:
            status, content = post(conn, "/api/v1/screenings", json.dumps(order).encode(), key)
            assert status == 200, content
        conn.close()

        # A first wrk run warms both workers (a keep-alive connection stays on one worker, so the
        # requests above may all have reached the same one) and is not counted.
        warm_up = run_wrk(port, key, warm, connections=16, seconds=3)
        sweep = []
        for connections in SWEEP_CONNECTIONS:
            figures = run_wrk(port, key, warm, connections=connections, seconds=SWEEP_SECONDS)
            sweep.append((connections, figures))
            print(
                f"single screenings, wrk {connections:>2} connection(s), {SWEEP_SECONDS} s: "
                f"{figures['rps']:,.0f} requests/s, "
                f"p50 {figures['p50']:.2f} ms, p90 {figures['p90']:.2f} ms, p99 {figures['p99']:.2f} ms, "
                f"{figures['errors']} non-2xx"
            )
        # On two CPU-bound cores the rate plateaus after one or two connections; more connections
        # only queue. The peak rate is reached at the fewest connections within 10 % of the best.
        best = max(f["rps"] for _, f in sweep)
        peak_connections, peak = next(item for item in sweep if item[1]["rps"] >= 0.9 * best)
        print(
            f"single screenings at the peak rate (best {best:,.0f} requests/s; reached with {peak_connections} "
            f"connection(s)): {peak['rps']:,.0f} requests/s, p50 {peak['p50']:.2f} ms, p99 {peak['p99']:.2f} ms "
            f"(goal p99 < 10 ms)"
        )

        thousand = batch_latencies(port, key, 1_000, 60, references, symbols)
        median = statistics.median(thousand)
        print(
            f"1,000-order batches (60 sequential): {1_000 / (median / 1000):,.0f} orders/s, "
            f"latency p50 {median:.1f} ms, p99 {pct(thousand, 0.99):.1f} ms"
        )
        ten_thousand = batch_latencies(port, key, 10_000, 20, references, symbols)
        print(
            f"10,000-order batches (20 sequential): latency p50 {statistics.median(ten_thousand):.1f} ms, "
            f"p99 {pct(ten_thousand, 0.99):.1f} ms, min {min(ten_thousand):.1f} ms (goal < 100 ms)"
        )
        paced = batch_latencies(port, key, 10_000, 20, references, symbols, pause=0.5)
        print(
            f"10,000-order batches (20, 0.5 s apart): latency p50 {statistics.median(paced):.1f} ms, "
            f"worst {max(paced):.1f} ms, min {min(paced):.1f} ms (goal < 100 ms)"
        )

        expected = 201 + warm_up["requests"] + sum(f["requests"] for _, f in sweep) + 60 * 1_000 + 40 * 10_000
        server.send_signal(signal.SIGTERM)  # a clean stop: workers flush their decision logs
        server.wait(timeout=60)
        server = None
        logged = ScreeningDecision.objects.count()
        # wrk does not count the requests still in flight when its clock stops; they are answered
        # and logged too, so the log may hold a few more than counted, never fewer.
        print(f"decisions logged after a clean stop: {logged:,} (answered and counted: {expected:,})")
        status = 0 if logged >= expected and all(f["errors"] == 0 for _, f in sweep) else 1

        if os.environ.get("BENCH_SKIP_BUILD"):
            return status
        # Grow to 100,000 investors and 1,000 products for the snapshot build.
        started = time.perf_counter()
        products += seed_products(900, 100, venue, issuer, user)
        seed_investors(90_000, 10_000, products)
        print(f"grew to 100,000 investors / 1,000 products in {time.perf_counter() - started:.1f} s")
        timings, reads, compiles = [], [], []
        for _ in range(3):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                inputs = read_inputs()
                read = time.perf_counter()
                snapshot = Snapshot.build(
                    version=inputs.version,
                    products=inputs.products,
                    investors=inputs.investors,
                    listings=inputs.listings,
                )
                timings.append(time.perf_counter() - started)
                reads.append(read - started)
                compiles.append(time.perf_counter() - read)
        passes = sum(len(i.appropriateness_passed) for i in inputs.investors)
        global_passes = sum(i.appropriateness_all for i in inputs.investors)
        print(
            f"snapshot build, 100,000 investors / 1,000 products: median {statistics.median(timings):.2f} s "
            f"(reading {statistics.median(reads):.2f} s in {len(queries)} queries, compiling "
            f"{statistics.median(compiles):.2f} s); {global_passes:,} global appropriateness passes, "
            f"{passes:,} per-product ones; {snapshot!r}"
        )
        connection.close()
        return status
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
