from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.models import Role
from config.errors import DomainError
from dashboard import selectors
from dashboard.forms import ApiKeyChangeForm, ApiKeyCreateForm
from products.models import Venue


@login_required
def dashboard(request):
    if not request.user.sees_all_issuers:
        raise Http404
    awaiting = selectors.applications_awaiting(request.user)
    charts = [
        chart
        for chart in (
            selectors.application_states_chart(),
            selectors.screening_decisions_chart(),
            selectors.open_hits_age_chart(),
        )
        if chart is not None
    ]
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "awaiting": awaiting,
            "my_turn": [a for a in awaiting if not a.approved_by_me],
            "counts": selectors.application_counts(),
            "kyc": selectors.kyc_cases_awaiting_review(),
            "hits": selectors.open_sanctions_hits(),
            "disclosures": selectors.disclosures_to_publish(),
            "decisions": selectors.recent_screening_decisions(),
            "charts": charts,
        },
    )


def _eligibility_services():
    """The eligibility app's key services, or None while its API key model is not here."""
    if selectors.feature_model("eligibility", "ApiKey") is None:
        return None
    from compliance.eligibility import services

    return services


@login_required
def api_keys(request):
    """Exchange API keys per venue, for administrators. A new key is shown once, in this response."""
    if request.user.role != Role.ADMIN:
        raise Http404
    services = _eligibility_services()
    if services is None:
        raise Http404("Screening API keys are not available in this installation.")
    api_key_model = selectors.feature_model("eligibility", "ApiKey")
    shown_key = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            form = ApiKeyCreateForm(request.POST, api_key_model=api_key_model)
        elif action in ("rotate", "revoke"):
            form = ApiKeyChangeForm(request.POST, api_key_model=api_key_model)
        else:
            raise Http404
        if not form.is_valid():
            messages.error(request, form.error_text())
            return redirect("dashboard:api_keys")
        try:
            if action == "create":
                api_key, shown_key = services.api_key_create(
                    actor=request.user, venue=form.cleaned_data["venue"], name=form.cleaned_data["name"]
                )
            elif action == "rotate":
                api_key, shown_key = services.api_key_rotate(
                    actor=request.user, api_key=form.cleaned_data["key"], rationale=form.cleaned_data["rationale"]
                )
            else:
                api_key = form.cleaned_data["key"]
                services.api_key_revoke(actor=request.user, api_key=api_key, rationale=form.cleaned_data["rationale"])
                messages.success(request, f"Key {api_key.prefix}… revoked; it stops working now.")
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if shown_key is None:
            return redirect("dashboard:api_keys")
    keys = api_key_model.objects.select_related("venue", "created_by", "replaced_by").order_by(
        "venue__mic", "-created_at"
    )
    response = render(
        request,
        "dashboard/api_keys.html",
        {
            "keys": keys,
            "venues": Venue.objects.filter(active=True).order_by("mic"),
            "shown_key": shown_key,
            "shown_for": api_key if shown_key else None,
        },
    )
    # The page may carry a key in clear: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response
