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
