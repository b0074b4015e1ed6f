"""Background screening. Tasks take ids, are idempotent (party_screen records each hit once
per entry content) and acknowledge late, so a lost worker's chunk is simply screened again."""

from celery import shared_task
from django.conf import settings

from compliance.kyc.models import Party
from compliance.sanctions import services
from compliance.sanctions.selectors import screening_index

# Parties per task: large enough that the broker round trip is negligible next to screening,
# small enough that two workers share the load evenly and a redelivery repeats little.
CHUNK = 250


@shared_task(acks_late=True)
def sanctions_screen_parties(party_ids: list[int]) -> dict:
    return services.parties_screen(party_ids=party_ids, index=screening_index())


@shared_task(acks_late=True)
def sanctions_rescreen_all() -> dict:
    """Fan out every party to chunked screening tasks (after a list import, or on a schedule)."""
    chunk = getattr(settings, "ATTEST_RESCREEN_CHUNK", CHUNK)
    ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        sanctions_screen_parties.delay(ids[start : start + chunk])
    return {"parties": len(ids)}


@shared_task(acks_late=True)
def sanctions_refresh_lists() -> dict:
    """Import every publication found in ATTEST_SANCTIONS_DATA_DIR. An unchanged file is a
    no-op; a changed one becomes the current version and re-screens every party on commit."""
    results = {}
    for source, path in services.list_files_in(settings.ATTEST_SANCTIONS_DATA_DIR).items():
        outcome = services.list_import(source=source, path=path, actor="system:list_refresh")
        results[source] = {"version": outcome.version.number, "created": outcome.created}
    return results
