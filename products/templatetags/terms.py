"""Show product terms as an officer reads them, not as Python reprs."""

from datetime import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from products.models import ComputeProduct

register = template.Library()

_LABELS = {"is_tokenized": "Tokenized", "terms_version": "Terms version"}


@register.filter
def term_label(key):
    """The term's name as the filing form shows it; the key itself is what rule packs cite."""
    if key in _LABELS:
        return _LABELS[key]
    try:
        return capfirst(ComputeProduct._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


@register.filter
def term_shown(value, key):
    """:func:`term_value`, with a choice field's label instead of its stored code."""
    try:
        choices = dict(ComputeProduct._meta.get_field(key).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    if isinstance(value, str) and value in choices:
        return choices[value]
    return term_value(value)


@register.filter
def term_value(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(
            f"{item.get('country', '')} {item.get('site_id', '')}".strip() if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            return value
    return value
