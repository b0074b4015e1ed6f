"""Reads for the officer dashboard.

The dashboard shows work from apps that are built alongside it (KYC, sanctions, disclosures,
eligibility). It reads them through `feature_model`, so a section appears once its app's model
exists and the dashboard never imports a module that is not there.
"""

from collections import Counter
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html

from compliance.audit.models import AuditEvent
from dashboard.charts import Chart, Series
from products.models import ApplicationState, ProductApplication
from products.services import APPROVALS_REQUIRED

S = ApplicationState

# Applications over time: the eleven workflow states folded into the eight groups an officer
# tells apart at a glance (and that the chart palette can colour distinctly).
STATE_GROUPS = (
    ("Draft", {S.DRAFT}),
    ("In checks", {S.SUBMITTED, S.CHECKS_RUNNING}),
    ("In review", {S.IN_REVIEW}),
    ("Changes requested", {S.CHANGES_REQUESTED}),
    ("Approved", {S.APPROVED}),
    ("Listed", {S.LISTED}),
    ("Suspended", {S.SUSPENDED}),
    ("Closed", {S.DELISTED, S.REJECTED, S.WITHDRAWN}),
)
HIT_AGE_BUCKETS = (("under 1 day", 0, 1), ("1–7 days", 1, 8), ("8–30 days", 8, 31), ("over 30 days", 31, None))


class ReasonLabel(str):
    """A chart series label for a reason code: its message as text, the code on hover in HTML.

    The chart draws the plain text (SVG tooltips); the legend and the table render the label
    through `conditional_escape`, which uses `__html__`, so the code stays one hover away.
    """

    code: str

    def __new__(cls, code: str):
        from compliance.eligibility.engine.reasons import ReasonCode

        label = super().__new__(cls, ReasonCode(code).message.rstrip("."))
        label.code = str(code)
        return label

    def __html__(self) -> str:
        return format_html('<span title="{}">{}</span>', self.code, str(self))


def feature_model(app_label: str, model_name: str):
    """The model when its app is installed and has defined it, otherwise None."""
    if not any(config.label == app_label for config in apps.get_app_configs()):
        return None
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def applications_awaiting(user) -> list[ProductApplication]:
    """Applications in review, oldest first, each marked with this officer's part in four-eyes."""
    queue = list(
        ProductApplication.objects.filter(state=S.IN_REVIEW)
        .select_related("product", "issuer")
        .order_by("state_changed_at")
    )
    for app in queue:
        approvers = [a.officer for a in app.approvals.all() if a.version_number == app.version]
        app.approver_names = [a.get_username() for a in approvers]
        app.approved_by_me = any(a.pk == user.pk for a in approvers)
        app.approvals_missing = APPROVALS_REQUIRED - len(approvers)
    return queue


def application_counts() -> dict[str, int]:
    counts = dict(ProductApplication.objects.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in S.values}


def kyc_cases_awaiting_review(limit: int = 10):
    model = feature_model("kyc", "KycCase")
    if model is None:
        return None
    qs = model.objects.filter(state="awaiting_review").select_related("party").order_by("state_changed_at")
    return {"count": qs.count(), "items": list(qs[:limit])}


def open_sanctions_hits(limit: int = 10):
    model = feature_model("sanctions", "ScreeningHit")
    if model is None:
        return None
    qs = model.objects.filter(state="open").select_related("party").order_by("created_at")
    return {"count": qs.count(), "items": list(qs[:limit])}


def disclosures_to_publish(limit: int = 10):
    model = feature_model("disclosures", "DisclosureDocument")
    if model is None:
        return None
    qs = model.objects.filter(status="draft").select_related("product").order_by("rendered_at")
    return {"count": qs.count(), "items": list(qs[:limit])}


def _group_of(state: str) -> str | None:
    return next((label for label, states in STATE_GROUPS if state in states), None)


def application_states_chart(days: int = 14, today: date | None = None) -> Chart:
    """How many applications stood in each state at the end of each of the last `days` days.

    Replayed from the audit trail: every application event records the state it left behind.
    """
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    events = (
        AuditEvent.objects.filter(object_type="products.productapplication", action__startswith="application.")
        .order_by("id")
        .values_list("object_id", "created_at", "after")
    )
    state_of: dict[str, str] = {}
    per_day: list[Counter] = []
    day = first
    for object_id, created_at, after in events.iterator(chunk_size=2000):
        while created_at.date() > day and day <= today:
            per_day.append(Counter(_group_of(s) for s in state_of.values()))
            day += timedelta(days=1)
        if isinstance(after, dict) and after.get("state"):
            state_of[object_id] = after["state"]
    while day <= today:
        per_day.append(Counter(_group_of(s) for s in state_of.values()))
        day += timedelta(days=1)
    categories = [(first + timedelta(days=i)).strftime("%m-%d") for i in range(days)]
    series = [Series(label, [c.get(label, 0) for c in per_day]) for label, _ in STATE_GROUPS]
    return Chart(
        title="Applications by state, end of each day",
        categories=categories,
        series=[s for s in series if any(s.values)],
        kind="stacked",
        x_label="Day (UTC)",
        y_label="Applications",
        description=f"The last {days} days, replayed from the audit trail.",
    )


def open_hits_age_chart(now=None) -> Chart | None:
    model = feature_model("sanctions", "ScreeningHit")
    if model is None:
        return None
    now = now or timezone.now()
    buckets = {}
    for label, low, high in HIT_AGE_BUCKETS:
        window = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            window &= Q(created_at__gt=now - timedelta(days=high))
        buckets[label] = window
    counts = model.objects.filter(state="open").aggregate(
        **{f"b{i}": Count("id", filter=q) for i, q in enumerate(buckets.values())}
    )
    return Chart(
        title="Open sanctions hits by age",
        categories=list(buckets),
        series=[Series("Open hits", [counts[f"b{i}"] for i in range(len(buckets))])],
        kind="bar",
        x_label="Waiting for a decision",
        y_label="Open hits",
        description="Hits no officer has cleared or confirmed yet, by time since they were raised.",
    )


def issuer_kyb_status(issuer):
    """The issuer's KYB party as the KYC app keeps it (status, expiry, sanctions), or None.

    None means the KYC app has no KYB model here; a party of None inside means no KYB case yet.
    """
    party_model = feature_model("kyc", "Party")
    if party_model is None:
        return None
    party = party_model.objects.filter(issuer=issuer).first()
    case = party.cases.order_by("-id").first() if party is not None else None
    return {"party": party, "case": case}


def recent_screening_decisions(limit: int = 10):
    model = feature_model("eligibility", "ScreeningDecision")
    if model is None:
        return None
    return list(model.objects.order_by("-evaluated_at")[:limit])


def screening_decisions_chart(days: int = 14, today: date | None = None) -> Chart | None:
    """Screening decisions per day: eligible, and rejected by reason (the six most frequent).

    Counted per (day, reason mask) in the database, so a busy day of decisions costs one grouped
    query; the mask's bits name the reasons in catalogue order.
    """
    model = feature_model("eligibility", "ScreeningDecision")
    if model is None:
        return None
    from django.db.models.functions import TruncDate

    from compliance.eligibility.engine.reasons import CATALOGUE

    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    rows = (
        model.objects.filter(evaluated_at__date__gte=first)
        .annotate(day=TruncDate("evaluated_at"))
        .values_list("day", "eligible", "reason_mask")
        .annotate(n=Count("pk"))
        .order_by()
    )
    eligible: Counter = Counter()
    by_reason: dict[str, Counter] = {}
    for day, is_eligible, mask, n in rows:
        if is_eligible:
            eligible[day] += n
            continue
        for position, code in enumerate(CATALOGUE):
            if mask & (1 << position):
                by_reason.setdefault(str(code), Counter())[day] += n
    ranked = sorted(by_reason, key=lambda code: -sum(by_reason[code].values()))
    shown, rest = ranked[:6], ranked[6:]
    dates = [first + timedelta(days=i) for i in range(days)]
    series = [Series("Eligible", [eligible.get(d, 0) for d in dates])]
    series += [Series(ReasonLabel(code), [by_reason[code].get(d, 0) for d in dates]) for code in shown]
    if rest:
        series.append(Series("Other reasons", [sum(by_reason[c].get(d, 0) for c in rest) for d in dates]))
    return Chart(
        title="Screening decisions per day, by reason",
        categories=[d.strftime("%m-%d") for d in dates],
        series=[s for s in series if any(s.values)] or series[:1],
        kind="stacked",
        x_label="Day (UTC)",
        y_label="Decisions",
        description="An order rejected for several reasons counts once under each of them.",
    )
