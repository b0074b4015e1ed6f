"""Show product terms as an officer reads them, not as Python reprs."""

from datetime import datetime

from django import template

register = template.Library()


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
