"""{% delivery_panel product user %} for the product page and {% delivery_badge user %} for the
top bar."""

from django import template

from delivery import selectors
from delivery.charts import availability_chart, delivery_chart
from delivery.models import CapacityAttestation, DeliveryStatus, Incident, IncidentStatus, SlaPeriod, SlaPeriodKind

register = template.Library()

CHART_DAYS = 120


@register.inclusion_tag("delivery/panel.html")
def delivery_panel(product, user):
    from delivery.views import policy_form_for

    days = list(
        SlaPeriod.objects.filter(product=product, kind=SlaPeriodKind.DAY).order_by("-period_start")[:CHART_DAYS]
    )[::-1]
    months = list(SlaPeriod.objects.filter(product=product, kind=SlaPeriodKind.MONTH).order_by("period_start"))
    status = DeliveryStatus.objects.filter(product=product).first()
    incidents = list(Incident.objects.filter(product=product).select_related("assigned_to")[:20])
    dates = [d.period_start for d in days]
    return {
        "product": product,
        "user": user,
        "status": status,
        "rolling": status.result.get("rolling") if status else None,
        "attestation": status.result.get("attestation") if status else None,
        "months": months,
        "incidents": incidents,
        "open_incidents": [i for i in incidents if i.status == IncidentStatus.OPEN],
        "disclosure_prompts": [i for i in incidents if i.disclosure_update_required],
        "availability_svg": availability_chart(
            dates, [d.availability_pct for d in days], float(product.sla_availability_pct)
        )
        if days
        else None,
        "delivery_svg": delivery_chart(
            dates, [d.scheduled_gpu_hours for d in days], [d.delivered_gpu_hours for d in days]
        )
        if days
        else None,
        "notifications": selectors.notifications_for(user).filter(product=product, read_at__isnull=True)[:5],
        "policy_form": policy_form_for(product) if user.is_officer else None,
        "can_upload": selectors.user_may_report_delivery(user),
        "attestations": CapacityAttestation.objects.filter(product=product).prefetch_related("evidence")[:5],
        "can_attest": user.is_officer,
    }


@register.inclusion_tag("delivery/badge.html")
def delivery_badge(user):
    return {"count": selectors.unread_count(user) if user.is_authenticated else 0, "user": user}
