"""Demo data: an API key per demo venue, and a few logged screening decisions for dashboards.

The keys are printed once, when created, in the `seed_demo` output. They are demo keys; real
ones are made with `python manage.py create_api_key --venue <MIC>`.
"""

import sys
import time
from datetime import UTC, datetime

from compliance.eligibility import decision_log, services
from compliance.eligibility.models import ApiKey, ScreeningDecision
from compliance.eligibility.snapshot import build_snapshot
from compliance.eligibility.validation import ScreeningOrder
from compliance.kyc.models import Investor
from products.models import Listing, ListingStatus, Venue

DEMO_VENUES = ("XCME", "XEUR")
ACTOR = "system:demo"


def _keys() -> dict[str, ApiKey]:
    created = {}
    for mic in DEMO_VENUES:
        venue = Venue.objects.filter(mic=mic).first()
        if venue is None or ApiKey.objects.filter(venue=venue, revoked_at__isnull=True).exists():
            continue
        api_key, key = services.api_key_create(actor=ACTOR, venue=venue, name=f"{mic} demo key")
        created[mic] = api_key
        sys.stdout.write(f"Demo screening API key for {mic} (shown once): {key}\n")
    return created


def _decisions() -> bool:
    if ScreeningDecision.objects.exists():
        return False
    listings = list(
        Listing.objects.filter(status__in=[ListingStatus.ACTIVE, ListingStatus.SUSPENDED], venue__mic__in=DEMO_VENUES)
        .select_related("product", "venue")
        .order_by("product__symbol", "venue__mic")
    )
    investors = list(Investor.objects.order_by("reference").values_list("reference", flat=True)[:40])
    keys = {k.venue.mic: k for k in ApiKey.objects.filter(revoked_at__isnull=True).select_related("venue")}
    if not listings or not investors:
        return False
    snapshot = build_snapshot()
    now = time.time_ns()
    at = datetime.fromtimestamp(now / 1e9, tz=UTC)
    rows = []
    # Keep a mix for the dashboards: up to six eligible orders and six rejected ones.
    wanted = {True: 6, False: 6}
    for n, (listing, reference) in enumerate((lst, inv) for lst in listings for inv in investors):
        if not any(wanted.values()):
            break
        product = listing.product
        quantity = product.minimum_order if n % 3 else product.minimum_order + product.lot_size * 2
        order = ScreeningOrder(
            client_order_id=f"DEMO-{n + 1:04d}",
            investor=reference,
            product=product.symbol,
            side="sell" if n % 5 == 4 else "buy",
            quantity=quantity,
            price="2.40",
        )
        mic = listing.venue.mic
        decision = snapshot.evaluate(
            (order.client_order_id, reference, product.symbol, mic, order.side, quantity, order.price), now // 10**9
        )
        if not wanted[decision.eligible]:
            continue
        wanted[decision.eligible] -= 1
        api_key = keys.get(mic)
        rows.append(
            decision_log.row(
                decision_id=decision_log.new_decision_id(now // 10**6 + n),
                evaluated_at=at,
                venue=mic,
                api_key_id=api_key.pk if api_key else None,
                order=order,
                mask=decision.mask,
                snapshot_version=decision.snapshot_version,
            )
        )
    decision_log.append(rows)
    decision_log.flush()
    return True


def seed() -> bool:
    created_keys = _keys()
    created_decisions = _decisions()
    return bool(created_keys) or created_decisions
