from django import template

from compliance.audit.changes import change_rows

register = template.Library()

# Rows shown before the rest fold away: a product's creation stores some forty terms.
ROWS_SHOWN = 6


@register.inclusion_tag("audit/change.html")
def audit_change(event):
    rows = change_rows(event.before, event.after)
    return {"rows": rows[:ROWS_SHOWN], "more": rows[ROWS_SHOWN:], "creation": not event.before}
