"""Web views for issuers and officers: thin — parse, authorize via selectors, call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from compliance.audit.selectors import events_for
from config.errors import DomainError
from config.navigation import redirect_back
from dashboard.selectors import issuer_kyb_status
from products import selectors, services
from products.forms import (
    DATA_STEPS,
    STEP_BY_SLUG,
    STEPS,
    DocumentUploadForm,
    NoteForm,
    ProductForm,
    QueueFilterForm,
    RationaleForm,
    TermsStepForm,
    step_of_field,
)
from products.models import ApplicationDocument, ApplicationState, ListingStatus, ProductDraft

PAGE_SIZE = 25


@login_required
def home(request):
    if request.user.is_issuer_user:
        return redirect("products:product_list")
    return redirect("dashboard:home")


def _is_htmx(request) -> bool:
    # A boosted or history-restore request wants the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


# --- products and the issuer's overview ---------------------------------------------------------


@login_required
def product_list(request):
    products = selectors.products_visible_to(request.user).prefetch_related("applications", "listings__venue")
    rows = []
    for product in products:
        applications = sorted(product.applications.all(), key=lambda a: a.pk, reverse=True)
        rows.append({"product": product, "application": applications[0] if applications else None})
    drafts = list(selectors.open_drafts_of(request.user)) if request.user.is_issuer_user else []
    for draft in drafts:
        draft.resume = next((s.slug for s in DATA_STEPS if s.slug not in draft.steps_done), DATA_STEPS[-1].slug)
    return render(request, "products/product_list.html", {"rows": rows, "drafts": drafts})


def _issuer_for(user):
    issuer = user.issuers.first() if user.is_issuer_user else None
    if issuer is None:
        raise Http404("Only issuer users file products.")
    return issuer


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                step = step_of_field(field)
                label = ProductForm.base_fields[field].label if field in ProductForm.base_fields else field
                prefix = f"{label} ({step.title}): " if step else ""
                for error in errors:
                    form.add_error(None, prefix + " ".join(error.messages))
    else:
        form.add_error(None, exc)


@login_required
def product_create(request):
    """All terms on one page: for issuers who have them at hand (the filing steps are the default)."""
    issuer = _issuer_for(request.user)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, issuer=issuer, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Draft {product.symbol} saved.")
            return redirect("products:product_detail", symbol=product.symbol)
    return render(request, "products/product_form.html", {"form": form, "issuer": issuer})


@login_required
def product_edit(request, symbol):
    product = get_object_or_404(selectors.products_visible_to(request.user), symbol=symbol)
    _issuer_for(request.user)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            product = services.product_update(actor=request.user, product=product, **changes)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("products:product_detail", symbol=product.symbol)
        else:
            messages.success(request, f"{product.symbol} saved (terms version {product.terms_version}).")
            return redirect("products:product_detail", symbol=product.symbol)
    application = selectors.editable_application(product)
    return render(
        request,
        "products/product_form.html",
        {
            "form": form,
            "product": product,
            "issuer": product.issuer,
            "change_request": selectors.latest_change_request(application) if application else None,
        },
    )


@login_required
def product_detail(request, symbol):
    product = get_object_or_404(selectors.products_visible_to(request.user), symbol=symbol)
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "terms": selectors.product_terms(product),
            "applications": product.applications.all(),
            "listings": product.listings.select_related("venue"),
            "events": events_for(product),
            "can_edit": request.user.is_issuer_user and selectors.product_is_editable(product),
            "can_apply": request.user.is_issuer_user
            and not product.applications.filter(
                state__in=[s for s in ApplicationState.values if s not in ("withdrawn", "rejected", "delisted")]
            ).exists(),
        },
    )


# --- the step-by-step filing ---------------------------------------------------------------------


def _draft_for(request, pk) -> ProductDraft:
    return get_object_or_404(selectors.drafts_visible_to(request.user), pk=pk)


def _step_context(draft: ProductDraft | None, step) -> dict:
    index = [s.slug for s in STEPS].index(step.slug)
    previous = STEPS[index - 1].slug if index and draft else None
    return {
        "step": step,
        "step_number": index + 1,
        "steps": _steps_nav(draft, step.slug),
        "previous_url": reverse("products:filing_step", args=[draft.pk, previous]) if previous else "",
    }


def _steps_nav(draft: ProductDraft | None, current: str):
    done = set(draft.steps_done) if draft else set()
    reachable = draft is not None
    return [
        {
            "step": step,
            "number": index,
            "done": step.slug in done,
            "current": step.slug == current,
            "url": reverse("products:filing_step", args=[draft.pk, step.slug]) if reachable else "",
        }
        for index, step in enumerate(STEPS, start=1)
    ]


def _validate_with_earlier_steps(draft: ProductDraft | None, form: TermsStepForm) -> dict[str, str]:
    """Check this step together with the steps before it, as the product will be checked.

    The whole-product checks (a window that ends after it starts, a minimum order that is a
    multiple of the lot, settlement that fits the product type...) are attached to this step's
    fields; messages about later steps, not filled in yet, are left for those steps.
    """
    raw = {**(draft.data if draft else {}), **form.raw_data()}
    whole = ProductForm(raw)
    whole.is_valid()
    position = DATA_STEPS.index(form.step)
    earlier = {name for step in DATA_STEPS[:position] for name in step.fields}
    for field, errors in whole.errors.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, errors)
        elif field in earlier:
            step = step_of_field(field)
            for error in errors:
                form.add_error(None, f"{whole.fields[field].label} ({step.title}): {error}")
    return raw


def _next_url(draft: ProductDraft, step) -> str:
    index = [s.slug for s in STEPS].index(step.slug)
    return reverse("products:filing_step", args=[draft.pk, STEPS[index + 1].slug])


@login_required
def filing_start(request):
    """Step 1 of a new filing; the draft is made when this step is first saved."""
    issuer = _issuer_for(request.user)
    step = STEPS[0]
    form = TermsStepForm(request.POST or None, step=step)
    if request.method == "POST" and form.is_valid():
        raw = _validate_with_earlier_steps(None, form)
        if form.is_valid():
            draft = services.product_draft_start(actor=request.user, issuer=issuer)
            services.product_draft_save(actor=request.user, draft=draft, step=step.slug, data=raw)
            messages.success(request, "Draft saved. You can leave and continue later from Products.")
            return redirect(_next_url(draft, step))
    return render(
        request,
        "products/filing_step.html",
        {"form": form, **_step_context(None, step), "issuer": issuer, "draft": None},
    )


@login_required
@require_POST
def filing_for_product(request, symbol):
    """Open the filing steps on an existing product, to change its terms."""
    product = get_object_or_404(selectors.products_visible_to(request.user), symbol=symbol)
    try:
        draft = services.product_draft_start(actor=request.user, issuer=product.issuer, product=product)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("products:product_detail", symbol=symbol)
    return redirect("products:filing_step", pk=draft.pk, step=STEPS[0].slug)


@login_required
def filing_step(request, pk, step):
    draft = _draft_for(request, pk)
    if not (request.user.is_issuer_user and selectors.user_acts_for_issuer(request.user, draft.issuer)):
        raise Http404
    if step not in STEP_BY_SLUG:
        raise Http404
    step = STEP_BY_SLUG[step]
    if not step.fields:
        return _filing_review(request, draft, step)
    product = draft.product
    if product is not None:
        initial = {name: value for name, value in ProductForm(instance=product).initial.items() if name in step.fields}
    else:
        initial = {name: draft.data[name] for name in step.fields if name in draft.data}
    form = TermsStepForm(request.POST or None, step=step, initial=initial)
    if request.method == "POST" and form.is_valid():
        if product is not None:
            done = _save_step_on_product(request, draft, form)
        else:
            done = _save_step_on_draft(request, draft, form)
        if done:
            return redirect(_next_url(draft, step))
    application = selectors.editable_application(product) if product else None
    return render(
        request,
        "products/filing_step.html",
        {
            "form": form,
            **_step_context(draft, step),
            "issuer": draft.issuer,
            "draft": draft,
            "product": product,
            "editable": product is None or selectors.product_is_editable(product),
            "change_request": selectors.latest_change_request(application) if application else None,
        },
    )


def _save_step_on_product(request, draft, form) -> bool:
    changes = {name: form.cleaned_data[name] for name in form.changed_data}
    try:
        product = services.product_update(actor=request.user, product=draft.product, **changes)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    services.product_draft_mark_step(actor=request.user, draft=draft, step=form.step.slug)
    if changes:
        messages.success(request, f"{form.step.title} saved (terms version {product.terms_version}).")
    return True


def _save_step_on_draft(request, draft, form) -> bool:
    raw = _validate_with_earlier_steps(draft, form)
    if not form.is_valid():
        return False
    is_last = form.step == DATA_STEPS[-1]
    missing = [s.title for s in DATA_STEPS if s is not form.step and s.slug not in draft.steps_done]
    if not is_last or missing:
        services.product_draft_save(actor=request.user, draft=draft, step=form.step.slug, data=raw)
        if is_last:
            messages.error(request, "Saved. Complete these steps before the review: " + ", ".join(missing) + ".")
            return False
        return True
    # The last data step completes the terms: the product (and its draft application) is made now.
    whole = ProductForm(raw)
    if not whole.is_valid():
        _apply_errors(form, ValidationError(whole.errors.as_data()))
        return False
    try:
        product = services.product_create(actor=request.user, issuer=draft.issuer, **whole.cleaned_data)
        services.application_create(actor=request.user, product=product)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    services.product_draft_attach(actor=request.user, draft=draft, product=product, step=form.step.slug)
    messages.success(request, f"{product.symbol} saved as a draft application. Review it and submit.")
    return True


def _filing_review(request, draft, step):
    product = draft.product
    missing = [s.title for s in DATA_STEPS if s.slug not in draft.steps_done]
    application = selectors.editable_application(product) if product else None
    return render(
        request,
        "products/filing_review.html",
        {
            **_step_context(draft, step),
            "draft": draft,
            "product": product,
            "issuer": draft.issuer,
            "missing": missing if product is None else [],
            "terms": selectors.product_terms(product) if product else None,
            "application": application,
            "documents": application.documents.select_related("uploaded_by") if application else [],
            "upload_form": DocumentUploadForm(),
            "change_request": selectors.latest_change_request(application) if application else None,
            "can_apply": product is not None
            and application is None
            and not product.applications.exclude(state__in=["withdrawn", "rejected", "delisted"]).exists(),
        },
    )


# --- applications ----------------------------------------------------------------------------


@login_required
@require_POST
def application_create(request, symbol):
    product = get_object_or_404(selectors.products_visible_to(request.user), symbol=symbol)
    try:
        application = services.application_create(actor=request.user, product=product)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("products:product_detail", symbol=symbol)
    messages.success(request, f"Application #{application.pk} opened as a draft. Submit it when ready.")
    return redirect("products:application_detail", pk=application.pk)


def _queue(request, *, review: bool):
    visible = selectors.applications_visible_to(request.user)
    states = selectors.ApplicationState.choices
    if review:
        visible = visible.filter(state__in=selectors.REVIEW_STATES)
        states = [(v, label) for v, label in states if v in selectors.REVIEW_STATES]
    form = QueueFilterForm(request.GET or None, issuers=selectors.issuers_visible_to(request.user), states=states)
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.applications_filtered(
        visible,
        q=filters.get("q", ""),
        state=filters.get("state", ""),
        jurisdiction=filters.get("jurisdiction", ""),
        issuer=filters.get("issuer"),
        product_type=filters.get("product_type", ""),
        min_age_days=int(filters["age"]) if filters.get("age") else None,
        sort=filters.get("sort", "") or ("oldest" if review else "newest"),
    ).prefetch_related("approvals")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    for app in page:
        app.current_approvals = [a for a in app.approvals.all() if a.version_number == app.version]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "review": review,
        "query": query.urlencode(),
        "approvals_required": services.APPROVALS_REQUIRED,
        "title": "Review queue" if review else "Applications",
        "url": reverse("products:review_queue" if review else "products:application_list"),
    }
    template = "products/_queue_results.html" if _is_htmx(request) else "products/application_list.html"
    return render(request, template, context)


@login_required
def application_list(request):
    return _queue(request, review=False)


@login_required
def review_queue(request):
    if not request.user.sees_all_issuers:
        raise Http404
    return _queue(request, review=True)


@login_required
def application_detail(request, pk):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    versions = list(application.versions.select_related("submitted_by"))
    diff = None
    if len(versions) >= 2:
        diff = selectors.version_diff(application, versions[-2].number, versions[-1].number)
    terms = selectors.terms_in_reading_order(
        versions[-1].terms if versions else selectors.product_terms(application.product)
    )
    actions = services.legal_actions(application, request.user)
    approvals = selectors.current_approvals(application)
    is_member = request.user.is_issuer_user and selectors.user_acts_for_issuer(request.user, application.issuer)
    draft = ProductDraft.objects.filter(product=application.product).first()
    return render(
        request,
        "products/application_detail.html",
        {
            "application": application,
            "versions": versions,
            "terms": terms,
            "diff": diff,
            "approvals": approvals,
            "approved_by_me": any(a.officer_id == request.user.pk for a in approvals),
            "approvals_required": services.APPROVALS_REQUIRED,
            "actions": [(name, name.replace("_", " ").capitalize()) for name in actions],
            "rationale_form": RationaleForm(),
            "note_form": NoteForm(),
            "events": events_for(application),
            "listings": application.listings.select_related("venue"),
            "change_request": selectors.latest_change_request(application),
            "documents": application.documents.select_related("uploaded_by"),
            "can_upload": is_member and application.is_editable,
            "can_edit_terms": is_member and application.is_editable,
            "draft": draft,
            "upload_form": DocumentUploadForm(),
            # Compliance staff only: the issuer under review must not learn of a sanctions hit
            # on itself (tipping-off), so the KYB card, with its screening state, is not theirs.
            "kyb": issuer_kyb_status(application.issuer) if request.user.sees_all_issuers else None,
            "can_rerun_checks": services.may_rerun_checks(application, request.user),
        },
    )


@login_required
@require_POST
def application_action(request, pk, action):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    if action not in services.ACTION_SERVICES and action != "submit":
        raise Http404
    # Actions are taken from the application page or the listings page; only those are returned to.
    target = request.POST.get("next", "")
    if target not in (reverse("products:listing_list"),):
        target = reverse("products:application_detail", args=[pk])
    form = (NoteForm if action == "submit" else RationaleForm)(request.POST)
    if not form.is_valid():
        messages.error(request, "A rationale is required for this action.")
        return redirect(target)
    rationale = form.cleaned_data["rationale"]
    try:
        if action == "submit":
            services.application_submit(application=application, actor=request.user, note=rationale)
        else:
            services.ACTION_SERVICES[action](application=application, actor=request.user, rationale=rationale)
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Done: {action.replace('_', ' ')} application #{pk}.")
    return redirect(target)


@login_required
@require_POST
def application_rerun_checks(request, pk):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    try:
        services.application_rerun_checks(application=application, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Checks queued again for application #{pk}.")
    return redirect(reverse("products:application_detail", args=[pk]))


# --- documents ---------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    fallback = reverse("products:application_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, "Choose a document type and a file to upload.")
        return redirect_back(request, fallback)
    upload = form.cleaned_data["file"]
    if upload.size > services.DOCUMENT_MAX_BYTES:
        messages.error(request, f"The file is larger than {services.DOCUMENT_MAX_BYTES // (1024 * 1024)} MB.")
        return redirect_back(request, fallback)
    try:
        document = services.application_document_add(
            actor=request.user,
            application=application,
            doc_type=form.cleaned_data["doc_type"],
            name=upload.name,
            data=upload.read(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{document.original_name} attached (SHA-256 {document.sha256[:12]}…).")
    return redirect_back(request, fallback)


@login_required
def document_download(request, pk):
    visible = selectors.applications_visible_to(request.user)
    document = get_object_or_404(ApplicationDocument.objects.filter(application__in=visible), pk=pk)
    content_type = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}[document.file_type]
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name, content_type=content_type
    )


# --- listings ----------------------------------------------------------------------------------


@login_required
def listing_list(request):
    listings = selectors.listings_visible_to(request.user).select_related("application", "product__issuer")
    status = request.GET.get("status", "")
    if status in ListingStatus.values:
        listings = listings.filter(status=status)
    rows = []
    for listing in listings:
        actions = services.legal_actions(listing.application, request.user)
        rows.append({"listing": listing, "actions": [a for a in actions if a in ("suspend", "reinstate", "delist")]})
    return render(
        request,
        "products/listing_list.html",
        {"rows": rows, "status": status, "statuses": ListingStatus.choices},
    )
