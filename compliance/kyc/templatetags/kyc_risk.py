from django import template

from compliance.kyc.risk import FACTOR_LABELS

register = template.Library()


@register.filter
def risk_factor_label(code: str) -> str:
    return FACTOR_LABELS.get(code, code)
