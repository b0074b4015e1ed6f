"""`{% load labels %}`: the human label of a stored code, for pages officers and issuers read.

The codes stay what rule packs, the API and exchanges speak; pages show the label and keep the
code at hand (a `title`, or small monospace) where an officer needs it to read a condition.
The labels come from the tables that already own them: the disclosure renderer's investor
categories and section titles, the rules vocabulary's artifacts and venue types, the model
choices, and the eligibility reason catalogue. Only the quantity unit has no table yet.

The library lives in the dashboard app because templatetags are found in installed apps only.
"""

from django import template
from django.utils.html import format_html, format_html_join

from compliance.disclosures.rendering import INVESTOR_CATEGORY_LABELS, SECTION_TITLES
from compliance.eligibility.engine.reasons import ReasonCode
from compliance.rules.models import FindingOutcome
from compliance.rules.pack.vocabulary import ARTIFACTS, VENUE_TYPES
from compliance.rules.templatetags.rules_tags import evidence_value
from products.templatetags.terms import term_shown

register = template.Library()

# products.ComputeProduct.quantity_unit has no choices: "gpu_hour" is its only value (docs/terms.md).
QUANTITY_UNIT_LABELS = {"gpu_hour": "GPU-hour"}

# Badge colours of an outcome, as on the application page's findings card.
_OUTCOME_STATE = {"block": "state-rejected", "warn": "state-changes_requested"}


def _text(value) -> str:
    return "" if value is None else str(value)


@register.filter
def term_display(value, key):
    """A product term's value as the terms table shows it: choice labels, yes/no, ISO dates."""
    if key == "quantity_unit" and value in QUANTITY_UNIT_LABELS:
        return QUANTITY_UNIT_LABELS[value]
    return term_shown(value, key)


@register.filter
def investor_category(code):
    return INVESTOR_CATEGORY_LABELS.get(code, _text(code).replace("_", " "))


@register.filter
def section_title(code):
    return SECTION_TITLES.get(code, _text(code).replace("_", " "))


@register.filter
def artifact_label(code):
    return ARTIFACTS.get(code, _text(code).replace("_", " "))


def _labelled(codes, label) -> str:
    """`<span title="code">label</span>, ...`: labels to read, codes on hover."""
    return format_html_join(", ", '<span title="{}">{}</span>', ((code, label(code)) for code in codes or ()))


@register.filter
def investor_categories(codes):
    return _labelled(codes, investor_category)


@register.filter
def section_titles(codes):
    return _labelled(codes, section_title)


def _outcome_parts(outcome) -> tuple[str, str]:
    kind, _, artifact = _text(outcome).partition(":")
    return kind, artifact


@register.filter
def outcome_label(outcome):
    """`warn` -> "Warning", `require:kid` -> "Requires": the findings card's labels."""
    kind, _ = _outcome_parts(outcome)
    try:
        return FindingOutcome(kind).label
    except ValueError:
        return _text(outcome)


@register.filter
def outcome_artifact(outcome):
    """The artifact of a `require:<artifact>` outcome, or ""."""
    return _outcome_parts(outcome)[1]


@register.filter
def outcome_text(outcome):
    """The outcome in words, artifact included: `require:kid` -> "Requires a key information document ..."."""
    artifact = outcome_artifact(outcome)
    label = outcome_label(outcome)
    return f"{label} {artifact_label(artifact)}" if artifact else label


@register.filter
def outcome_state(outcome):
    """The badge class of a rule's outcome (the findings card uses the same colours)."""
    return _OUTCOME_STATE.get(_outcome_parts(outcome)[0], "state-in_review")


@register.filter
def distribution_summary(distribution):
    """What a rule imposes when it fires, in words; "" when it imposes nothing."""
    distribution = distribution or {}
    parts = []
    categories = distribution.get("allowed_investor_categories")
    if categories is not None:
        parts.append(format_html("only {}", investor_categories(categories)) if categories else "no investor at all")
    if distribution.get("appropriateness_required"):
        parts.append("appropriateness test required")
    if distribution.get("acknowledgement_required"):
        parts.append("disclosure acknowledgement required")
    if distribution.get("jurisdiction_blocked"):
        parts.append("jurisdiction blocked")
    return format_html_join("; ", "{}", ((part,) for part in parts))


def _attribute(attr) -> tuple[str, str]:
    root, _, name = _text(attr).partition(".")
    return root, name


@register.filter
def evidence_label(value, attr):
    """An attribute value a rule read (`product.product_type`), as an officer reads it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    root, name = _attribute(attr)
    if root == "product":
        return term_display(value, name)
    if root == "application" and name == "venue_types" and isinstance(value, list):
        return "; ".join(VENUE_TYPES.get(v, str(v)) for v in value) or "—"
    return evidence_value(value)


@register.filter
def evidence_code(value, attr):
    """The stored code(s) behind `evidence_label` when they differ from it, else ""."""
    if isinstance(value, bool):
        return ""
    codes = value if isinstance(value, list) else [value]
    if not codes or not all(isinstance(code, str) and code for code in codes):
        return ""
    raw = ", ".join(codes)
    return raw if str(evidence_label(value, attr)) != raw else ""


@register.filter
def reason_message(code):
    """An eligibility reason code's message from the catalogue; an unknown code as it is."""
    try:
        return ReasonCode(code).message
    except ValueError:
        return _text(code)
