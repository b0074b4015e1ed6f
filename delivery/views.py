"""Web views of the delivery app: overview, incidents, CSV upload, notifications. Thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from compliance.audit.selectors import events_for
from config.errors import DomainError
from config.forms import add_service_errors
from delivery import selectors, services
from delivery.charts import availability_chart
from delivery.forms import AssignForm, AttestationForm, CsvUploadForm, NoteForm, PolicyForm, RationaleForm
from delivery.models import DeliveryPolicy, DeliveryStatus, SlaPeriod, SlaPeriodKind
from products.selectors import products_visible_to


@login_required
def overview(request):
    if not request.user.sees_all_issuers:
        raise Http404
    product_ids = services.products_to_evaluate()
    statuses = {s.product_id: s for s in DeliveryStatus.objects.filter(product_id__in=product_ids)}
    open_incidents = list(selectors.open_incidents(request.user).order_by("product__symbol", "kind"))
    by_product: dict[int, list] = {}
    for incident in open_incidents:
        by_product.setdefault(incident.product_id, []).append(incident)
    rows = []
    for product in products_visible_to(request.user).filter(pk__in=product_ids).order_by("symbol"):
        days = list(
            SlaPeriod.objects.filter(product=product, kind=SlaPeriodKind.DAY)
            .order_by("-period_start")
            .values_list("period_start", "availability_pct")[:90]
        )[::-1]
        status = statuses.get(product.pk)
        rows.append(
            {
                "product": product,
                "state": product.applications.order_by("-state_changed_at").first(),
                "result": status.result if status else None,
                "evaluated_at": status.evaluated_at if status else None,
                "incidents": by_product.get(product.pk, []),
                "chart": availability_chart(
                    [d for d, _ in days], [v for _, v in days], float(product.sla_availability_pct)
                )
                if days
                else None,
            }
        )
    return render(request, "delivery/overview.html", {"rows": rows, "open_incidents": open_incidents})


def _incident_for(request, pk):
    return get_object_or_404(selectors.incidents_visible_to(request.user), pk=pk)


@login_required
def incident_detail(request, pk):
    incident = _incident_for(request, pk)
    return render(
        request,
        "delivery/incident_detail.html",
        {
            "incident": incident,
            "notes": incident.notes.select_related("author"),
            "events": events_for(incident),
            "assign_form": AssignForm(initial={"assignee": incident.assigned_to}),
            "note_form": NoteForm(),
            "resolve_form": RationaleForm(),
        },
    )


INCIDENT_ACTIONS = {
    "assign": (AssignForm, lambda i, u, d: services.incident_assign(incident=i, actor=u, assignee=d["assignee"])),
    "annotate": (NoteForm, lambda i, u, d: services.incident_annotate(incident=i, actor=u, text=d["text"])),
    "resolve": (
        RationaleForm,
        lambda i, u, d: services.incident_resolve(incident=i, actor=u, rationale=d["rationale"]),
    ),
    "disclosure": (
        RationaleForm,
        lambda i, u, d: services.incident_acknowledge_disclosure(incident=i, actor=u, rationale=d["rationale"]),
    ),
}


@login_required
@require_POST
def incident_action(request, pk, action):
    incident = _incident_for(request, pk)
    if action not in INCIDENT_ACTIONS:
        raise Http404
    form_class, service = INCIDENT_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(m for errors in form.errors.values() for m in errors))
        return redirect("delivery:incident_detail", pk=incident.pk)
    try:
        service(incident, request.user, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Incident #{incident.pk}: {action} recorded.")
    return redirect("delivery:incident_detail", pk=incident.pk)


@login_required
def upload_csv(request, symbol):
    product = get_object_or_404(products_visible_to(request.user), symbol=symbol)
    if not selectors.user_may_report_delivery(request.user):
        # The issuer is the party being measured: its users read the figures, never file them.
        raise Http404("Only compliance officers upload delivery reports; providers report through the API.")
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    line_errors = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.delivery_reports_upload_csv(
                actor=request.user, product=product, text=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            line_errors = sorted(
                exc.message_dict.items(), key=lambda item: int(item[0].split()[-1]) if item[0].startswith("line") else 0
            )
            messages.error(request, "Nothing was imported: correct the lines below and upload the file again.")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            c = result.counts
            messages.success(
                request,
                f"Imported: {c['created']} new, {c['corrected']} corrected, {c['unchanged']} unchanged reports.",
            )
            return redirect("products:product_detail", symbol=product.symbol)
    return render(request, "delivery/upload.html", {"product": product, "form": form, "line_errors": line_errors})


@login_required
def attestation_new(request, symbol):
    product = get_object_or_404(products_visible_to(request.user), symbol=symbol)
    if not request.user.is_officer:
        raise Http404
    form = AttestationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attestation = services.attestation_record(
                actor=request.user,
                product=product,
                attested_on=data["attested_on"],
                attesting_party=data["attesting_party"],
                attesting_role=data["attesting_role"],
                sites=data["sites"],
                evidence=[(upload.name, upload.read()) for upload in data["evidence"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Attestation of {attestation.accelerator_count} accelerators on {attestation.attested_on:%Y-%m-%d} "
                f"recorded for {product.symbol}.",
            )
            return redirect("products:product_detail", symbol=product.symbol)
    return render(request, "delivery/attestation_new.html", {"product": product, "form": form})


@login_required
@require_POST
def policy_edit(request, symbol):
    product = get_object_or_404(products_visible_to(request.user), symbol=symbol)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.policy_set(actor=request.user, product=product, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Delivery policy of {product.symbol} saved.")
    else:
        messages.error(request, "; ".join(m for errors in form.errors.values() for m in errors))
    return redirect("products:product_detail", symbol=product.symbol)


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(
            actor=request.user, issuer_ids=request.user.issuers.values_list("pk", flat=True)
        )
        return redirect("delivery:notifications")
    return render(
        request, "delivery/notifications.html", {"notifications": selectors.notifications_for(request.user)[:200]}
    )


def policy_form_for(product) -> PolicyForm:
    policy = DeliveryPolicy.objects.filter(product=product).first()
    if policy is None:
        return PolicyForm()
    return PolicyForm(
        initial={
            "auto_suspend_on_critical": policy.auto_suspend_on_critical,
            "declared_obligation_gpu_hours": policy.declared_obligation_gpu_hours,
            "reference_price": policy.reference_price,
        }
    )
