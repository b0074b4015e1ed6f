from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from compliance.audit.models import AuditEvent
from compliance.audit.selectors import audit_chain_status

FILTER_KEYS = ("object_type", "object_id", "actor", "action", "since", "until")


def _day(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


@login_required
def event_list(request):
    if not request.user.sees_all_issuers:
        raise Http404
    events = AuditEvent.objects.order_by("-id")
    filters = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    errors = []
    if filters["object_type"]:
        events = events.filter(object_type=filters["object_type"])
    if filters["object_id"]:
        events = events.filter(object_id=filters["object_id"])
    if filters["actor"]:
        events = events.filter(actor_label=filters["actor"])
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    # Days are UTC calendar days, inclusive at both ends, as the times on the page are shown.
    for key in ("since", "until"):
        if filters[key]:
            day = _day(filters[key])
            if day is None:
                errors.append(f"“{filters[key]}” is not a date (YYYY-MM-DD).")
                continue
            start = datetime.combine(day, time.min, tzinfo=UTC)
            if key == "since":
                events = events.filter(created_at__gte=start)
            elif day < date.max:  # the day after the last a date can name would overflow; no bound then
                events = events.filter(created_at__lt=start + timedelta(days=1))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": errors,
            "query": query.urlencode(),
            "object_types": AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct(),
            "chain": audit_chain_status(),
        },
    )
