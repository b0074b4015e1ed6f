"""Celery tasks of the disclosures app: thin, take ids, idempotent."""

from celery import shared_task

from compliance.disclosures import services


@shared_task(acks_late=True)
def disclosure_render(rendering_id: int) -> str:
    """Render the draft a DisclosureRendering asks for and store it (or the error) on the request.

    A redelivered message finds the request finished and does nothing; one whose worker died
    mid-rendering renders again into the same draft row.
    """
    rendering = services.disclosure_render(rendering_id=rendering_id)
    return "skipped" if rendering is None else rendering.status
