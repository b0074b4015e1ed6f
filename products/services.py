"""Writes for the products app. Every state change: one transaction, a row lock, an audit event.

Application workflow (DESIGN.md):
draft -> submitted -> checks_running -> in_review -> (changes_requested -> submitted) ->
approved -> listed -> (suspended -> listed) -> delisted, with rejected and withdrawn as ends.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from compliance.audit.services import audit_record
from config.errors import Conflict, IllegalTransition, NotPermitted
from config.text import required_text
from products.file_signatures import detect_file_type
from products.gates import approval_blockers
from products.models import (
    EDITABLE_STATES,
    ApplicationDocument,
    ApplicationState,
    ApplicationVersion,
    Approval,
    ComputeProduct,
    Issuer,
    Listing,
    ListingStatus,
    ProductApplication,
    ProductDraft,
    Venue,
)
from products.selectors import (
    issuer_snapshot,
    product_is_editable,
    product_terms,
    rule_finding_overriders,
    terms_diff,
    user_acts_for_issuer,
)

S = ApplicationState
APPROVALS_REQUIRED = 2


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actor: str  # "issuer", "officer" or "system"
    verb: str


TRANSITIONS = {
    "submit": Transition(frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED, "issuer", "submit"),
    "start_checks": Transition(frozenset({S.SUBMITTED}), S.CHECKS_RUNNING, "system", "start checks on"),
    "complete_checks": Transition(frozenset({S.CHECKS_RUNNING}), S.IN_REVIEW, "system", "complete checks on"),
    "request_changes": Transition(frozenset({S.IN_REVIEW}), S.CHANGES_REQUESTED, "officer", "request changes on"),
    "approve": Transition(frozenset({S.IN_REVIEW}), S.APPROVED, "officer", "approve"),
    "reject": Transition(frozenset({S.IN_REVIEW, S.CHANGES_REQUESTED}), S.REJECTED, "officer", "reject"),
    "withdraw": Transition(
        frozenset({S.DRAFT, S.SUBMITTED, S.CHECKS_RUNNING, S.IN_REVIEW, S.CHANGES_REQUESTED}),
        S.WITHDRAWN,
        "issuer",
        "withdraw",
    ),
    "list": Transition(frozenset({S.APPROVED}), S.LISTED, "officer", "list"),
    "suspend": Transition(frozenset({S.LISTED}), S.SUSPENDED, "officer", "suspend"),
    "reinstate": Transition(frozenset({S.SUSPENDED}), S.LISTED, "officer", "reinstate"),
    "delist": Transition(frozenset({S.LISTED, S.SUSPENDED}), S.DELISTED, "officer", "delist"),
}
# Officer actions that the UI and API offer as buttons, each with a mandatory rationale.
OFFICER_ACTIONS = ("approve", "request_changes", "reject", "list", "suspend", "reinstate", "delist")
ISSUER_ACTIONS = ("submit", "withdraw")


def legal_actions(application: ProductApplication, user) -> list[str]:
    """The transitions this user may take now: what the UI shows as buttons."""
    names = OFFICER_ACTIONS if user.is_officer else ISSUER_ACTIONS if user.is_issuer_user else ()
    return [name for name in names if application.state in TRANSITIONS[name].sources]


# --- authorization -----------------------------------------------------------------------


def _require_issuer_member(actor, issuer: Issuer) -> None:
    if not (actor.is_issuer_user and user_acts_for_issuer(actor, issuer)):
        raise NotPermitted("Only a user acting for this issuer may do that.")


def _require_officer(actor, issuer: Issuer) -> None:
    if not actor.is_officer:
        raise NotPermitted("Only a compliance officer may do that.")
    if user_acts_for_issuer(actor, issuer):
        raise NotPermitted("An officer who acts for the issuer may not review its applications.")


def _authorize(transition: Transition, application: ProductApplication, actor) -> None:
    if transition.actor == "issuer":
        _require_issuer_member(actor, application.issuer)
    elif transition.actor == "officer":
        _require_officer(actor, application.issuer)


def _require_rationale(rationale: str) -> str:
    return required_text(rationale, field="rationale", message="A rationale is required for this action.")


# --- issuers and venues --------------------------------------------------------------------


def _is_system(actor) -> bool:
    """Management commands and workers act as 'system:<component>' rather than as a user."""
    return isinstance(actor, str) and actor.startswith("system")


def _full_clean(instance, exclude=None):
    instance.full_clean(exclude=exclude)


@transaction.atomic
def issuer_create(
    *,
    actor,
    legal_name: str,
    lei: str,
    country: str,
    registration_number: str,
    contact_name: str = "",
    contact_email: str = "",
) -> Issuer:
    if not _is_system(actor) and actor.role not in (Role.ADMIN, Role.OFFICER, Role.SENIOR):
        raise NotPermitted("Only an administrator or officer may register an issuer.")
    issuer = Issuer(
        legal_name=legal_name,
        lei=lei,
        country=country,
        registration_number=registration_number,
        contact_name=contact_name,
        contact_email=contact_email,
    )
    _full_clean(issuer)
    issuer.save()
    audit_record(actor=actor, action="issuer.create", obj=issuer, after=issuer_snapshot(issuer))
    return issuer


@transaction.atomic
def venue_create(*, actor, mic: str, name: str, country: str, venue_type: str) -> Venue:
    if not _is_system(actor) and actor.role != Role.ADMIN:
        raise NotPermitted("Only an administrator may register a venue.")
    venue = Venue(mic=mic, name=name, country=country, venue_type=venue_type)
    _full_clean(venue)
    venue.save()
    audit_record(
        actor=actor,
        action="venue.create",
        obj=venue,
        after={"mic": mic, "name": name, "country": country, "venue_type": venue_type},
    )
    return venue


# --- products ------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor, issuer: Issuer, **terms) -> ComputeProduct:
    _require_issuer_member(actor, issuer)
    product = ComputeProduct(issuer=issuer, **terms)
    _full_clean(product)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"symbol": ["A product with this symbol already exists."]})
    audit_record(actor=actor, action="product.create", obj=product, after=product_terms(product))
    return product


@transaction.atomic
def product_update(*, actor, product: ComputeProduct, **changes) -> ComputeProduct:
    product = ComputeProduct.objects.select_for_update().get(pk=product.pk)
    _require_issuer_member(actor, product.issuer)
    if not product_is_editable(product):
        raise IllegalTransition(
            "These terms are under review or approved; they can change only while a draft or "
            "when changes are requested."
        )
    before = product_terms(product)
    for field, value in changes.items():
        if field in ("issuer", "issuer_id", "terms_version", "quantity_unit") or not hasattr(product, field):
            raise ValidationError({field: ["This field cannot be changed."]})
        setattr(product, field, value)
    _full_clean(product)
    after = product_terms(product)
    changed = terms_diff(before, after)
    if not changed:
        return product
    product.terms_version += 1
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"symbol": ["A product with this symbol already exists."]})
    audit_record(
        actor=actor,
        action="product.update",
        obj=product,
        before={c.field: c.old for c in changed},
        after={**{c.field: c.new for c in changed}, "terms_version": product.terms_version},
    )
    return product


# --- applications --------------------------------------------------------------------------


@transaction.atomic
def application_create(*, actor, product: ComputeProduct) -> ProductApplication:
    _require_issuer_member(actor, product.issuer)
    # The product's row lock: two filings at once must not both find no open application.
    product = ComputeProduct.objects.select_for_update().get(pk=product.pk)
    if product.applications.filter(state__in=[s for s in S if s not in (S.WITHDRAWN, S.REJECTED, S.DELISTED)]).exists():
        raise Conflict(f"{product.symbol} already has an application in progress.")
    application = ProductApplication.objects.create(product=product, issuer=product.issuer, created_by=actor)
    audit_record(
        actor=actor,
        action="application.create",
        obj=application,
        after={"state": application.state, "product": product.symbol},
    )
    return application


def lock_application(application_id: int) -> ProductApplication:
    """The application row locked with its product and issuer: what every service here locks
    first, before it appends to the audit chain (whose lock is held to commit). Components that
    write audit events and may move an application lock it the same way, first."""
    return ProductApplication.objects.select_for_update().select_related("product", "issuer").get(pk=application_id)


def _lock(application: ProductApplication) -> ProductApplication:
    return lock_application(application.pk)


def _check_state(app: ProductApplication, name: str) -> Transition:
    transition = TRANSITIONS[name]
    if app.state not in transition.sources:
        raise IllegalTransition(
            f"Cannot {transition.verb} application #{app.pk}: it is {app.get_state_display().lower()}."
        )
    return transition


def _move(app, target, *, actor, action, rationale="", extra=None):
    before = {"state": app.state, "version": app.version}
    app.state = target
    app.state_changed_at = timezone.now()
    app.save(update_fields=["state", "state_changed_at", "version"])
    audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=app,
        before=before,
        after={"state": app.state, "version": app.version, **(extra or {})},
        rationale=rationale,
    )
    return app


def _take(name: str, *, application, actor, rationale: str, listings: str | None = None) -> ProductApplication:
    """A rationale-bearing transition from the table: lock, authorize, check the state, move.

    With `listings`, the application's listings take that status first (delisting also ends
    them), and the audit event names the venues affected.
    """
    rationale = _require_rationale(rationale)
    app = _lock(application)
    transition = TRANSITIONS[name]
    _authorize(transition, app, actor)
    _check_state(app, name)
    extra = None
    if listings is not None:
        ended = listings == ListingStatus.DELISTED
        extra = {"venues": _set_listing_status(app, listings, rationale, end=ended)}
    return _move(app, transition.target, actor=actor, action=name, rationale=rationale, extra=extra)


def _enqueue_checks(application_id: int) -> None:
    from products.tasks import application_run_checks

    transaction.on_commit(lambda: application_run_checks.delay(application_id))


@transaction.atomic
def application_submit(*, application, actor, note: str = "", run_checks: bool = True) -> ProductApplication:
    """Freeze the product's terms as a new version and queue the jurisdiction checks.

    `run_checks=False` leaves the application waiting in `submitted` (used by the demo seed
    to show that state); the checks can be started later with `application_rerun_checks`.
    """
    app = _lock(application)
    _authorize(TRANSITIONS["submit"], app, actor)
    _check_state(app, "submit")
    product = app.product
    _full_clean(product)  # terms frozen for review must be valid today, not just when saved
    app.version += 1
    version = ApplicationVersion.objects.create(
        application=app,
        number=app.version,
        terms=product_terms(product),
        issuer_snapshot=issuer_snapshot(app.issuer),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    _move(
        app,
        S.SUBMITTED,
        actor=actor,
        action="submit",
        rationale=note.strip(),
        extra={"terms_version": version.terms["terms_version"]},
    )
    if run_checks:
        _enqueue_checks(app.pk)
    return app


# The checks of a submission normally start within seconds; only past this is one offered again.
CHECKS_OVERDUE_AFTER = timedelta(minutes=2)


def may_rerun_checks(application: ProductApplication, user) -> bool:
    """Whether the UI offers this user to queue the checks again (see application_rerun_checks):
    an officer, for an application whose checks are overdue."""
    return (
        application.state == S.SUBMITTED
        and timezone.now() - application.state_changed_at > CHECKS_OVERDUE_AFTER
        and user.is_officer
        and not user_acts_for_issuer(user, application.issuer)
    )


@transaction.atomic
def application_rerun_checks(*, application, actor) -> ProductApplication:
    """Queue the checks again for an application left in `submitted` (e.g. after a broker outage)."""
    app = _lock(application)
    _require_officer(actor, app.issuer)
    if app.state != S.SUBMITTED:
        raise IllegalTransition(f"Checks can be re-queued only for a submitted application, not {app.state}.")
    audit_record(actor=actor, action="application.rerun_checks", obj=app)
    _enqueue_checks(app.pk)
    return app


@transaction.atomic
def application_start_checks(*, application_id: int) -> ProductApplication | None:
    """Called by the worker. Returns None when there is nothing to do (idempotent redelivery)."""
    app = _lock(ProductApplication(pk=application_id))
    if app.state != S.SUBMITTED:
        return None
    return _move(app, S.CHECKS_RUNNING, actor="system:checks", action="start_checks")


@transaction.atomic
def application_complete_checks(*, application_id: int, summary: dict | None = None) -> ProductApplication | None:
    app = _lock(ProductApplication(pk=application_id))
    if app.state != S.CHECKS_RUNNING:
        return None
    return _move(app, S.IN_REVIEW, actor="system:checks", action="complete_checks", extra=summary)


@transaction.atomic
def application_request_changes(*, application, actor, rationale: str) -> ProductApplication:
    return _take("request_changes", application=application, actor=actor, rationale=rationale)


@transaction.atomic
def application_approve(*, application, actor, rationale: str) -> ProductApplication:
    """Record this officer's approval; the second approval by a different officer approves.

    Neither approver may be the senior who overrode a blocking rule finding of the version's
    latest rule run: lifting the regulatory block and approving are two people's decisions.
    """
    rationale = _require_rationale(rationale)
    app = _lock(application)
    _authorize(TRANSITIONS["approve"], app, actor)
    _check_state(app, "approve")
    blockers = approval_blockers(app)
    if blockers:
        raise IllegalTransition("Cannot approve yet: " + "; ".join(blockers), code="approval_blocked")
    if actor.pk in rule_finding_overriders(app):
        raise NotPermitted(
            f"You overrode a blocking rule finding of version {app.version}; four-eyes needs two other "
            "officers to approve it.",
            code="overrider_may_not_approve",
        )
    approvals = list(app.approvals.filter(version_number=app.version).select_related("officer"))
    if any(a.officer_id == actor.pk for a in approvals):
        raise Conflict(f"You already approved version {app.version}; a second, different officer must approve.")
    Approval.objects.create(application=app, version_number=app.version, officer=actor, rationale=rationale)
    approvers = [a.officer.get_username() for a in approvals] + [actor.get_username()]
    if len(approvers) < APPROVALS_REQUIRED:
        audit_record(
            actor=actor,
            action="application.approve_first",
            obj=app,
            rationale=rationale,
            after={"state": app.state, "version": app.version, "approvers": approvers},
        )
        return app
    return _move(
        app,
        S.APPROVED,
        actor=actor,
        action="approve",
        rationale=rationale,
        extra={"approvers": approvers},
    )


@transaction.atomic
def application_approvals_withdraw(*, application, actor, reason: str) -> list[str]:
    """Withdraw the approvals given to the current version, e.g. when its rule checks are re-run:
    four-eyes needs two officers who saw the same findings. The audit event keeps who approved."""
    app = _lock(application)
    approvals = list(app.approvals.filter(version_number=app.version).select_related("officer"))
    if not approvals:
        return []
    withdrawn = [a.officer.get_username() for a in approvals]
    app.approvals.filter(pk__in=[a.pk for a in approvals]).delete()
    audit_record(
        actor=actor,
        action="application.approvals_withdraw",
        obj=app,
        before={"version": app.version, "approvers": withdrawn},
        after={"version": app.version, "approvers": []},
        rationale=reason,
    )
    return withdrawn


@transaction.atomic
def application_reject(*, application, actor, rationale: str) -> ProductApplication:
    return _take("reject", application=application, actor=actor, rationale=rationale)


@transaction.atomic
def application_withdraw(*, application, actor, rationale: str) -> ProductApplication:
    return _take("withdraw", application=application, actor=actor, rationale=rationale)


@transaction.atomic
def application_list(*, application, actor, rationale: str) -> ProductApplication:
    """List the approved version on every requested venue that Attest knows."""
    rationale = _require_rationale(rationale)
    app = _lock(application)
    _authorize(TRANSITIONS["list"], app, actor)
    _check_state(app, "list")
    _refuse_if_gated(app, "list")
    venues = list(Venue.objects.filter(mic__in=app.product.requested_venues, active=True))
    if not venues:
        raise IllegalTransition(
            f"None of the requested venues ({', '.join(app.product.requested_venues) or 'none'}) is registered."
        )
    version = app.versions.get(number=app.version)
    now = timezone.now()
    for venue in venues:
        Listing.objects.update_or_create(
            product=app.product,
            venue=venue,
            defaults={
                "application": app,
                "application_version": version,
                "status": ListingStatus.ACTIVE,
                "effective_from": now,
                "effective_to": None,
                "status_reason": rationale,
            },
        )
    return _move(
        app,
        S.LISTED,
        actor=actor,
        action="list",
        rationale=rationale,
        extra={"venues": sorted(v.mic for v in venues)},
    )


def _set_listing_status(app, status, reason, *, end=False):
    listings = Listing.objects.select_for_update().filter(application=app)
    fields = {"status": status, "status_reason": reason}
    if end:
        fields["effective_to"] = timezone.now()
    for listing in listings:
        for key, value in fields.items():
            setattr(listing, key, value)
        listing.save(update_fields=list(fields))
    return sorted(listings.values_list("venue__mic", flat=True))


@transaction.atomic
def application_suspend(*, application, actor, rationale: str) -> ProductApplication:
    return _take("suspend", application=application, actor=actor, rationale=rationale, listings=ListingStatus.SUSPENDED)


def lock_applications(*, states, issuer_ids=None, product_id: int | None = None) -> list[ProductApplication]:
    """Row-lock, as ``lock_application`` does and in id order, the applications in ``states``
    (of these issuers, or of this product) that a component may move, before it writes any
    audit event. Taking the audit chain's lock first and the rows after (a confirmed sanctions
    hit, a delivery evaluation, a pack load) would deadlock with an officer's action on the same
    application."""
    applications = ProductApplication.objects.filter(state__in=list(states))
    if issuer_ids is not None:
        applications = applications.filter(issuer_id__in=list(issuer_ids))
    if product_id is not None:
        applications = applications.filter(product_id=product_id)
    return list(applications.select_for_update().select_related("product", "issuer").order_by("pk"))


@transaction.atomic
def application_suspend_automatically(*, application, reason: str, source: str) -> ProductApplication | None:
    """Suspend a listed product on a component's own finding (e.g. a critical delivery breach).

    No officer is involved, so the actor is "system:<source>". Returns None when the
    application is no longer listed (already suspended, delisted): a redelivered task or a
    second evaluation must not fail or suspend twice.
    """
    reason = _require_rationale(reason)
    app = _lock(application)
    if app.state != S.LISTED:
        return None
    venues = _set_listing_status(app, ListingStatus.SUSPENDED, reason)
    return _move(
        app,
        S.SUSPENDED,
        actor=f"system:{source}",
        action="suspend_automatically",
        rationale=reason,
        extra={"venues": venues, "source": source},
    )


@transaction.atomic
def application_reinstate(*, application, actor, rationale: str) -> ProductApplication:
    app = _lock(application)
    _authorize(TRANSITIONS["reinstate"], app, actor)  # before the gate: its reasons are for officers
    _refuse_if_gated(app, "reinstate")
    return _take("reinstate", application=application, actor=actor, rationale=rationale, listings=ListingStatus.ACTIVE)


def _refuse_if_gated(app: ProductApplication, action: str) -> None:
    """The approval gates hold until trading, not only at approval: an issuer confirmed as a
    sanctions match, or a KYB approval that lapsed, after approval must not go (back) live."""
    blockers = approval_blockers(app)
    if blockers:
        raise IllegalTransition(f"Cannot {action} now: " + "; ".join(blockers), code=f"{action}_blocked")


@transaction.atomic
def application_delist(*, application, actor, rationale: str) -> ProductApplication:
    return _take("delist", application=application, actor=actor, rationale=rationale, listings=ListingStatus.DELISTED)


# Services by action name, for the views and API that dispatch a button press.
ACTION_SERVICES = {
    "approve": application_approve,
    "request_changes": application_request_changes,
    "reject": application_reject,
    "withdraw": application_withdraw,
    "list": application_list,
    "suspend": application_suspend,
    "reinstate": application_reinstate,
    "delist": application_delist,
}


# --- filing drafts and supporting documents --------------------------------------------------


@transaction.atomic
def product_draft_start(*, actor, issuer: Issuer, product: ComputeProduct | None = None) -> ProductDraft:
    """Start a step-by-step filing, or reopen the one kept for an existing product."""
    _require_issuer_member(actor, issuer)
    if product is not None:
        if product.issuer_id != issuer.pk:
            raise NotPermitted("Only a user acting for this issuer may do that.")
        draft, created = ProductDraft.objects.get_or_create(
            product=product, defaults={"issuer": issuer, "created_by": actor}
        )
        if not created:
            return draft
    else:
        draft = ProductDraft.objects.create(issuer=issuer, created_by=actor)
    audit_record(
        actor=actor,
        action="product_draft.start",
        obj=draft,
        after={"issuer": issuer.lei, "product": product.symbol if product else None},
    )
    return draft


@transaction.atomic
def product_draft_save(*, actor, draft: ProductDraft, step: str, data: dict) -> ProductDraft:
    """Keep one step's raw input while the terms are not complete enough to make a product."""
    draft = ProductDraft.objects.select_for_update().get(pk=draft.pk)
    _require_issuer_member(actor, draft.issuer)
    if draft.product_id:
        raise Conflict("This draft already made a product; its terms are saved on the product.")
    before = {key: draft.data.get(key) for key in data}
    draft.data = {**draft.data, **data}
    if step not in draft.steps_done:
        draft.steps_done = [*draft.steps_done, step]
    draft.save(update_fields=["data", "steps_done", "updated_at"])
    audit_record(actor=actor, action="product_draft.save", obj=draft, before=before, after={"step": step, **data})
    return draft


@transaction.atomic
def product_draft_attach(*, actor, draft: ProductDraft, product: ComputeProduct, step: str) -> ProductDraft:
    """Record that the draft's terms became `product` (made by `product_create`)."""
    draft = ProductDraft.objects.select_for_update().get(pk=draft.pk)
    _require_issuer_member(actor, draft.issuer)
    draft.product = product
    if step not in draft.steps_done:
        draft.steps_done = [*draft.steps_done, step]
    draft.save(update_fields=["product", "steps_done", "updated_at"])
    audit_record(actor=actor, action="product_draft.attach", obj=draft, after={"product": product.symbol})
    return draft


@transaction.atomic
def product_draft_mark_step(*, actor, draft: ProductDraft, step: str) -> ProductDraft:
    draft = ProductDraft.objects.select_for_update().get(pk=draft.pk)
    _require_issuer_member(actor, draft.issuer)
    if step not in draft.steps_done:
        draft.steps_done = [*draft.steps_done, step]
        draft.save(update_fields=["steps_done", "updated_at"])
    return draft


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The names a file of each accepted type may carry; the type itself is judged by content.
DOCUMENT_SUFFIXES = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg")}


def document_file_type(data: bytes, name: str) -> str:
    """The accepted type of `data`, judged by its first bytes and agreeing with its file name."""
    file_type = detect_file_type(data)
    if file_type is None:
        raise ValidationError({"file": ["Upload a PDF, PNG or JPEG file; this file is none of them."]})
    suffix = PurePath(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES[file_type]:
        raise ValidationError(
            {"file": [f"The file is a {file_type.upper()} but is named {suffix or 'without an extension'}."]}
        )
    return file_type


@transaction.atomic
def application_document_add(*, actor, application, doc_type: str, name: str, data: bytes) -> ApplicationDocument:
    app = _lock(application)
    _require_issuer_member(actor, app.issuer)
    if app.state not in EDITABLE_STATES:
        raise IllegalTransition(
            f"Documents can be added to application #{app.pk} only while it is a draft or changes are requested."
        )
    if not data:
        raise ValidationError({"file": ["The file is empty."]})
    if len(data) > DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": [f"The file is larger than {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB."]})
    file_type = document_file_type(data, name)
    document = ApplicationDocument(
        application=app,
        doc_type=doc_type,
        file_type=file_type,
        original_name=PurePath(name).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save(f"{document.sha256}.{file_type}", ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=actor,
        action="application.document_add",
        obj=app,
        after={
            "document": document.pk,
            "doc_type": doc_type,
            "name": document.original_name,
            "sha256": document.sha256,
            "size": document.size,
        },
    )
    return document
