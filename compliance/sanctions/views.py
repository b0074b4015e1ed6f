"""Officer review of screening hits: the party and the listed entry side by side."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from compliance.sanctions import selectors, services
from compliance.sanctions.explanation import hit_explanation
from compliance.sanctions.models import HitState, ListSource
from config.errors import DomainError


def _staff(request):
    if not request.user.sees_all_issuers:
        raise Http404("Screening records are for compliance staff.")


@login_required
def hit_list(request):
    _staff(request)
    state = request.GET.get("state", HitState.OPEN)
    hits = selectors.hits_visible_to(request.user).filter(state=state).order_by("-score", "-created_at")
    sources = ListSource.objects.select_related("current").order_by("code")
    return render(
        request,
        "sanctions/hit_list.html",
        {"hits": hits[:500], "state": state, "states": HitState.choices, "sources": sources},
    )


@login_required
def hit_detail(request, pk):
    _staff(request)
    hit = get_object_or_404(selectors.hits_visible_to(request.user), pk=pk)
    return render(
        request,
        "sanctions/hit_detail.html",
        {
            "hit": hit,
            "explanation": hit_explanation(hit.factors, hit.score),
            "party": hit.party,
            "entry": hit.entry,
            "can_decide": request.user.is_officer and hit.state == HitState.OPEN,
        },
    )


@login_required
@require_POST
def hit_action(request, pk, action):
    _staff(request)
    hit = get_object_or_404(selectors.hits_visible_to(request.user), pk=pk)
    service = {"clear": services.hit_clear, "confirm": services.hit_confirm}.get(action)
    if service is None:
        raise Http404("Unknown action.")
    try:
        service(hit=hit, actor=request.user, rationale=request.POST.get("rationale", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Hit #{hit.pk} {'cleared' if action == 'clear' else 'confirmed'}.")
    return redirect("sanctions:hit_detail", pk=hit.pk)
