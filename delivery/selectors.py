"""Reads of the delivery app, scoped by what a user may see."""

from django.db.models import QuerySet

from delivery.models import DeliveryReport, Incident, IncidentStatus, Notification, SlaPeriod
from products.selectors import products_visible_to


def incidents_visible_to(user) -> QuerySet[Incident]:
    return Incident.objects.filter(product__in=products_visible_to(user)).select_related(
        "product", "assigned_to", "resolved_by"
    )


def open_incidents(user) -> QuerySet[Incident]:
    return incidents_visible_to(user).filter(status=IncidentStatus.OPEN)


def user_may_report_delivery(user) -> bool:
    """Whether `user` may file or correct delivery figures (the CSV upload). Providers report
    through their keys (`services.provider_scope`); of the users, only compliance officers may,
    to record figures received outside the API or correct them. The issuer is the party being
    measured: its users read the figures, they never file them (they would clear their own SLA
    breaches, remedy credits and automatic suspension)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_officer)


def reports_visible_to(user) -> QuerySet[DeliveryReport]:
    return DeliveryReport.objects.filter(product__in=products_visible_to(user)).select_related("product")


def sla_periods_visible_to(user) -> QuerySet[SlaPeriod]:
    return SlaPeriod.objects.filter(product__in=products_visible_to(user)).select_related("product")


def notifications_for(user) -> QuerySet[Notification]:
    if not user.is_authenticated or not user.is_issuer_user:
        return Notification.objects.none()
    return Notification.objects.filter(issuer__members=user).select_related("product")


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
