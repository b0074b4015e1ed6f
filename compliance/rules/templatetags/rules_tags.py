"""`{% rule_findings application user %}`: the rule findings card of an application page."""

from django import template

from compliance.rules import selectors

register = template.Library()


@register.inclusion_tag("rules/_findings.html", takes_context=True)
def rule_findings(context, application, user):
    run = selectors.latest_run(application)
    completed = selectors.latest_completed_run(application)
    shown = run if run is not None and run.status == "completed" else completed
    return {
        "application": application,
        "run": run,
        "shown": shown,
        "jurisdictions": selectors.findings_by_jurisdiction(shown) if shown else [],
        "diff": shown.diff if shown else None,
        "can_override": bool(getattr(user, "is_senior", False)),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def evidence_value(value):
    """An attribute value as an officer reads it: lists joined, empty values marked."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) if not isinstance(v, dict) else "/".join(map(str, v.values())) for v in value)
    return value


@register.filter
def words(value):
    """`now_fires` -> `now fires`."""
    return str(value).replace("_", " ")
