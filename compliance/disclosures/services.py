"""Writes for disclosures: rendering requests, drafts, publication, acknowledgements.

A draft is re-rendered in place (same version number) until an officer publishes it. Publishing
freezes it and supersedes the previously published version of the same product x jurisdiction
x language; PostgreSQL refuses any later change of its content (migration 0002).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from compliance.audit.services import audit_record
from compliance.disclosures import rendering as renderer
from compliance.disclosures.models import (
    AcknowledgementChannel,
    DisclosureAcknowledgement,
    DisclosureDocument,
    DisclosureRendering,
    DocumentStatus,
    RenderingStatus,
)
from compliance.disclosures.selectors import (
    DisclosureInputs,
    disclosure_inputs_for,
    disclosure_jurisdictions,
    disclosure_languages,
)
from config.errors import Conflict, IllegalTransition, NotPermitted
from products.models import ComputeProduct
from products.selectors import user_acts_for_issuer

SYSTEM = "system:disclosures"


# --- authorization -----------------------------------------------------------------------------


def _is_system(actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system")


def _require_previewer(actor, product: ComputeProduct) -> None:
    """Officers, and the users of the product's issuer, may render drafts."""
    if _is_system(actor) or actor.is_officer:
        return
    if actor.is_issuer_user and user_acts_for_issuer(actor, product.issuer):
        return
    raise NotPermitted("Only a compliance officer or the product's issuer may render a disclosure preview.")


def _require_publisher(actor, product: ComputeProduct) -> None:
    if _is_system(actor):
        return
    if not actor.is_officer:
        raise NotPermitted("Only a compliance officer may publish a disclosure.")
    if user_acts_for_issuer(actor, product.issuer):
        raise NotPermitted("An officer who acts for the issuer may not publish its disclosures.")


def _require_acknowledgement_recorder(actor, product: ComputeProduct) -> None:
    """Officers and the distributing issuer record what investors acknowledged; auditors only read."""
    if _is_system(actor) or actor.is_officer:
        return
    if actor.is_issuer_user and user_acts_for_issuer(actor, product.issuer):
        return
    raise NotPermitted("Only a compliance officer or the product's issuer may record an acknowledgement.")


def _validate_target(product: ComputeProduct, jurisdiction: str, language: str) -> tuple[str, str]:
    jurisdiction = (jurisdiction or "").strip().upper()
    language = (language or "").strip().lower()
    errors = {}
    if jurisdiction not in disclosure_jurisdictions(product):
        offered = ", ".join(disclosure_jurisdictions(product)) or "none"
        errors["jurisdiction"] = [f"{product.symbol} is not offered in {jurisdiction or '?'} (offered in: {offered})."]
    if language not in disclosure_languages():
        errors["language"] = [
            f"No disclosure language {language or '?'}; available: {', '.join(disclosure_languages())}."
        ]
    if errors:
        raise ValidationError(errors)
    return jurisdiction, language


def _lock_product(product_id: int) -> ComputeProduct:
    # Every write that numbers or (re)states a product's documents takes this lock first, so
    # version numbers and the one-published-document rule never race.
    return ComputeProduct.objects.select_for_update().select_related("issuer").get(pk=product_id)


def _next_version(product_id: int, jurisdiction: str, language: str) -> int:
    highest = (
        DisclosureDocument.objects.filter(product_id=product_id, jurisdiction=jurisdiction, language=language)
        .exclude(status=DocumentStatus.DRAFT)
        .aggregate(v=Max("version"))["v"]
    )
    return (highest or 0) + 1


# --- rendering -------------------------------------------------------------------------------------


def render_document(
    inputs: DisclosureInputs, *, jurisdiction: str, language: str, version: int, rendered_on: date
) -> renderer.RenderedDisclosure:
    """Run the renderer on the inputs; no database access. Raises renderer.DisclosureError."""
    return renderer.render_disclosure(
        terms=inputs.terms,
        issuer=inputs.issuer,
        jurisdiction=jurisdiction,
        language=language,
        document_version=version,
        mandatory_sections=inputs.mandatory_sections,
        rendered_on=rendered_on,
        constraints=inputs.constraints,
    )


def disclosure_preview(*, product: ComputeProduct, jurisdiction: str, language: str) -> renderer.RenderedDisclosure:
    """Render what the next version would look like today, without writing anything."""
    jurisdiction, language = _validate_target(product, jurisdiction, language)
    return render_document(
        disclosure_inputs_for(product, jurisdiction),
        jurisdiction=jurisdiction,
        language=language,
        version=_next_version(product.pk, jurisdiction, language),
        rendered_on=timezone.now().date(),
    )


@transaction.atomic
def disclosure_rendering_request(*, product, jurisdiction: str, language: str = "en", actor) -> DisclosureRendering:
    """Queue a rendering of the draft on the worker; a request already pending is returned as is."""
    _require_previewer(actor, product)
    jurisdiction, language = _validate_target(product, jurisdiction, language)
    pending = (
        DisclosureRendering.objects.select_for_update()
        .filter(
            product=product,
            jurisdiction=jurisdiction,
            language=language,
            status__in=[RenderingStatus.REQUESTED, RenderingStatus.RENDERING],
        )
        .first()
    )
    if pending is not None:
        return pending
    rendering = DisclosureRendering.objects.create(
        product=product,
        jurisdiction=jurisdiction,
        language=language,
        requested_by=None if _is_system(actor) else actor,
    )
    audit_record(
        actor=actor,
        action="disclosure.request_rendering",
        obj=rendering,
        after={"product": product.symbol, "jurisdiction": jurisdiction, "language": language},
    )
    rendering_id = rendering.pk

    def enqueue():
        from compliance.disclosures.tasks import disclosure_render

        disclosure_render.delay(rendering_id)

    transaction.on_commit(enqueue)
    return rendering


@transaction.atomic
def disclosure_rendering_start(*, rendering_id: int) -> DisclosureRendering | None:
    """Called by the worker. None when the request is already finished (a redelivered message)."""
    rendering = DisclosureRendering.objects.select_for_update().get(pk=rendering_id)
    if rendering.status not in (RenderingStatus.REQUESTED, RenderingStatus.RENDERING):
        return None
    # A request left in `rendering` by a worker that died is simply rendered again.
    rendering.status = RenderingStatus.RENDERING
    rendering.started_at = timezone.now()
    rendering.save(update_fields=["status", "started_at"])
    return rendering


@transaction.atomic
def disclosure_rendering_fail(*, rendering_id: int, error: str) -> DisclosureRendering:
    rendering = DisclosureRendering.objects.select_for_update().get(pk=rendering_id)
    rendering.status = RenderingStatus.FAILED
    rendering.error = error
    rendering.finished_at = timezone.now()
    rendering.save(update_fields=["status", "error", "finished_at"])
    audit_record(actor=SYSTEM, action="disclosure.rendering_failed", obj=rendering, after={"error": error})
    return rendering


def _store_draft(
    *,
    actor,
    product_id: int,
    jurisdiction: str,
    language: str,
    version: int,
    inputs: DisclosureInputs,
    rendered: renderer.RenderedDisclosure,
    rendered_on: date,
) -> DisclosureDocument:
    """Write the rendered draft. Must run in the caller's transaction, after `_lock_product`."""
    if _next_version(product_id, jurisdiction, language) != version:
        raise Conflict(
            f"version {version} of this disclosure was published while the draft was rendering; render it again",
            code="version_taken",
        )
    draft = (
        DisclosureDocument.objects.select_for_update()
        .filter(product_id=product_id, jurisdiction=jurisdiction, language=language, status=DocumentStatus.DRAFT)
        .first()
    ) or DisclosureDocument(product_id=product_id, jurisdiction=jurisdiction, language=language)
    before = {"sha256": draft.sha256, "terms_version": draft.terms_version} if draft.pk else None
    draft.version = version
    draft.pdf = rendered.pdf
    draft.html = rendered.html
    draft.sha256 = rendered.sha256
    draft.page_count = rendered.page_count
    draft.template_version = rendered.template_version
    draft.terms = inputs.terms
    draft.terms_version = inputs.terms["terms_version"]
    draft.mandatory_sections = inputs.mandatory_sections
    draft.constraints = inputs.constraints
    draft.application_version = inputs.application_version
    draft.rendered_on = rendered_on
    draft.rendered_at = timezone.now()
    draft.save()
    audit_record(
        actor=actor,
        action="disclosure.render",
        obj=draft,
        before=before,
        after={
            "product": inputs.terms["symbol"],
            "jurisdiction": jurisdiction,
            "language": language,
            "version": version,
            "sha256": rendered.sha256,
            "terms_version": draft.terms_version,
            "template_version": rendered.template_version,
            "constraints_decided": inputs.constraints is not None,
        },
    )
    return draft


def disclosure_render(*, rendering_id: int) -> DisclosureRendering | None:
    """Carry out one rendering request: render outside any transaction, then store or fail.

    Not atomic on purpose: rendering a PDF takes a fraction of a second to seconds and must not
    hold row locks. The inputs are read, rendered, and then stored under the product lock,
    which re-checks the version number. Returns None for a request already finished.
    """
    rendering = disclosure_rendering_start(rendering_id=rendering_id)
    if rendering is None:
        return None
    product = ComputeProduct.objects.select_related("issuer").get(pk=rendering.product_id)
    jurisdiction, language = rendering.jurisdiction, rendering.language
    rendered_on = timezone.now().date()
    version = _next_version(product.pk, jurisdiction, language)
    inputs = disclosure_inputs_for(product, jurisdiction)
    try:
        rendered = render_document(
            inputs, jurisdiction=jurisdiction, language=language, version=version, rendered_on=rendered_on
        )
    except renderer.DisclosureError as error:
        return disclosure_rendering_fail(rendering_id=rendering_id, error=str(error))
    try:
        with transaction.atomic():
            locked = DisclosureRendering.objects.select_for_update().get(pk=rendering_id)
            if locked.status != RenderingStatus.RENDERING:
                return None
            _lock_product(product.pk)
            document = _store_draft(
                actor=locked.requested_by or SYSTEM,
                product_id=product.pk,
                jurisdiction=jurisdiction,
                language=language,
                version=version,
                inputs=inputs,
                rendered=rendered,
                rendered_on=rendered_on,
            )
            locked.status = RenderingStatus.DONE
            locked.document = document
            locked.error = ""
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "document", "error", "finished_at"])
            return locked
    except Conflict as error:
        return disclosure_rendering_fail(rendering_id=rendering_id, error=error.message)


@transaction.atomic
def disclosure_render_now(*, product, jurisdiction: str, language: str = "en", actor) -> DisclosureDocument:
    """Render and store the draft synchronously (demo seed, scripts); the web and API queue it."""
    _require_previewer(actor, product)
    jurisdiction, language = _validate_target(product, jurisdiction, language)
    product = _lock_product(product.pk)  # render the stored terms, not a caller's stale copy
    version = _next_version(product.pk, jurisdiction, language)
    rendered_on = timezone.now().date()
    inputs = disclosure_inputs_for(product, jurisdiction)
    try:
        rendered = render_document(
            inputs, jurisdiction=jurisdiction, language=language, version=version, rendered_on=rendered_on
        )
    except renderer.DisclosureError as error:
        raise Conflict(str(error), code="rendering_failed") from error
    return _store_draft(
        actor=actor,
        product_id=product.pk,
        jurisdiction=jurisdiction,
        language=language,
        version=version,
        inputs=inputs,
        rendered=rendered,
        rendered_on=rendered_on,
    )


# --- publication -----------------------------------------------------------------------------------


@transaction.atomic
def disclosure_publish(*, document, actor) -> DisclosureDocument:
    """Publish a draft; the previously published version of the same disclosure is superseded."""
    product = _lock_product(document.product_id)
    _require_publisher(actor, product)
    doc = DisclosureDocument.objects.select_for_update().get(pk=document.pk)
    if doc.status != DocumentStatus.DRAFT:
        raise IllegalTransition(f"Version {doc.version} is already {doc.get_status_display().lower()}.")
    if doc.terms_version != product.terms_version:
        raise Conflict(
            f"The terms of {product.symbol} changed since this draft was rendered (terms version "
            f"{doc.terms_version}, now {product.terms_version}); render the preview again before publishing.",
            code="draft_stale",
        )
    inputs = disclosure_inputs_for(product, doc.jurisdiction)
    if inputs.constraints != doc.constraints or inputs.mandatory_sections != doc.mandatory_sections:
        raise Conflict(
            "The rule findings for this jurisdiction changed since this draft was rendered; render the preview "
            "again before publishing.",
            code="draft_stale",
        )
    previous = (
        DisclosureDocument.objects.select_for_update()
        .filter(
            product=product,
            jurisdiction=doc.jurisdiction,
            language=doc.language,
            status=DocumentStatus.PUBLISHED,
        )
        .first()
    )
    now = timezone.now()
    if previous is not None:
        previous.status = DocumentStatus.SUPERSEDED
        previous.superseded_by = doc
        previous.save(update_fields=["status", "superseded_by"])
        audit_record(
            actor=actor,
            action="disclosure.supersede",
            obj=previous,
            before={"status": DocumentStatus.PUBLISHED},
            after={"status": DocumentStatus.SUPERSEDED, "superseded_by": doc.pk, "by_version": doc.version},
        )
    doc.status = DocumentStatus.PUBLISHED
    doc.published_at = now
    doc.published_by = None if _is_system(actor) else actor
    doc.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action="disclosure.publish",
        obj=doc,
        before={"status": DocumentStatus.DRAFT},
        after={
            "status": DocumentStatus.PUBLISHED,
            "product": product.symbol,
            "jurisdiction": doc.jurisdiction,
            "language": doc.language,
            "version": doc.version,
            "sha256": doc.sha256,
            "supersedes": previous.pk if previous else None,
        },
    )
    return doc


# --- acknowledgements --------------------------------------------------------------------------


@transaction.atomic
def disclosure_acknowledge(*, document, investor, channel: str, actor) -> tuple[DisclosureAcknowledgement, bool]:
    """Record that the investor acknowledged this published version. Returns (row, created).

    Acknowledging the same version again returns the first acknowledgement unchanged; a
    superseded version cannot be acknowledged (the investor must read the current one).
    """
    if channel not in AcknowledgementChannel.values:
        raise ValidationError({"channel": [f"Use one of: {', '.join(AcknowledgementChannel.values)}."]})
    # Lock the document so that a concurrent publication cannot supersede it mid-way.
    doc = DisclosureDocument.objects.select_for_update().select_related("product__issuer").get(pk=document.pk)
    _require_acknowledgement_recorder(actor, doc.product)
    existing = DisclosureAcknowledgement.objects.filter(document=doc, investor=investor).first()
    if existing is not None:
        return existing, False
    if doc.status == DocumentStatus.SUPERSEDED:
        current = doc.superseded_by
        while current is not None and current.status == DocumentStatus.SUPERSEDED:
            current = current.superseded_by
        raise Conflict(
            f"Version {doc.version} has been superseded"
            + (f" by version {current.version} (document {current.pk})" if current else "")
            + "; only the current version can be acknowledged.",
            code="superseded",
        )
    if doc.status != DocumentStatus.PUBLISHED:
        raise IllegalTransition("Only a published disclosure can be acknowledged.", code="not_published")
    acknowledgement = DisclosureAcknowledgement.objects.create(
        document=doc,
        investor=investor,
        channel=channel,
        acknowledged_at=timezone.now(),
        recorded_by=None if _is_system(actor) else actor,
    )
    audit_record(
        actor=actor,
        action="disclosure.acknowledge",
        obj=acknowledgement,
        after={
            "document": doc.pk,
            "product": doc.product.symbol,
            "jurisdiction": doc.jurisdiction,
            "version": doc.version,
            "investor": investor.reference,
            "channel": channel,
        },
    )
    return acknowledgement, True
