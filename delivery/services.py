"""Writes of the delivery app: provider keys, report ingestion, attestations, SLA evaluation,
incidents and notifications. Each service is one transaction with its own audit event."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import FloatField, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from compliance.audit.services import audit_record
from config.errors import IllegalTransition, NotPermitted
from config.text import required_text
from delivery import selectors, sla, thresholds
from delivery.ingest import GRANULARITY_HOURS, ParsedReport, parse_report, window_errors
from delivery.models import (
    SEVERITY_RANK,
    AttestationEvidence,
    AttestingRole,
    CapacityAttestation,
    DeliveryPolicy,
    DeliveryReport,
    DeliveryReportRevision,
    DeliveryStatus,
    Incident,
    IncidentKind,
    IncidentNote,
    IncidentStatus,
    Notification,
    ProviderKey,
    SlaPeriod,
    SlaPeriodKind,
)
from products.models import ApplicationState, ComputeProduct
from products.services import application_suspend_automatically, lock_applications
from products.validators import validate_country, validate_lei

SYSTEM = "system:delivery"
KEY_PREFIX = "dk_"
# Any constant works; with the product id it names the advisory lock that serializes ingestion
# and evaluation of one product, so a report batch never interleaves with a recomputation.
_PRODUCT_LOCK_CLASS = 31_337


def _lock_products(product_ids: Iterable[int]) -> None:
    # Sorted, so two batches touching the same products always lock in the same order. On
    # SQLite the IMMEDIATE transaction mode already serializes writers.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for product_id in sorted(set(product_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PRODUCT_LOCK_CLASS, product_id])


def _require_officer(actor) -> None:
    if not getattr(actor, "is_officer", False):
        raise NotPermitted("Only a compliance officer may do that.")


def _text(value: str, field_name: str) -> str:
    return required_text(value, field=field_name, message="This field is required.")


# --- provider keys -------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def provider_key_create(*, actor, provider_lei: str, label: str = "") -> tuple[ProviderKey, str]:
    """Create a key for one provider LEI. The clear key is returned once and never stored."""
    if not (isinstance(actor, str) and actor.startswith("system")) and getattr(actor, "role", "") != "admin":
        raise NotPermitted("Only an administrator may issue provider keys.")
    try:
        validate_lei(provider_lei)
    except ValidationError as exc:
        raise ValidationError({"provider_lei": exc.messages})
    prefix = KEY_PREFIX + secrets.token_hex(4)
    clear = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ProviderKey.objects.create(
        provider_lei=provider_lei, label=label.strip(), prefix=prefix, key_hash=_hash_key(clear)
    )
    audit_record(
        actor=actor, action="provider_key.create", obj=key, after={"provider_lei": provider_lei, "prefix": prefix}
    )
    return key, clear


@transaction.atomic
def provider_key_revoke(*, actor, key: ProviderKey) -> ProviderKey:
    if not (isinstance(actor, str) and actor.startswith("system")) and getattr(actor, "role", "") != "admin":
        raise NotPermitted("Only an administrator may revoke provider keys.")
    key = ProviderKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="provider_key.revoke", obj=key, after={"prefix": key.prefix})
    return key


def provider_key_authenticate(clear: str) -> ProviderKey | None:
    """The active key this clear text is, or None. Looked up by its clear prefix, then compared
    by hash in constant time."""
    prefix, _, _ = (clear or "").partition(".")
    if not prefix.startswith(KEY_PREFIX):
        return None
    key = ProviderKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.key_hash, _hash_key(clear)):
        return None
    return key


# --- delivery reports ----------------------------------------------------------------------


@dataclass
class ItemResult:
    index: int
    status: int  # 201 created, 200 corrected or unchanged, 400 invalid, 403 not yours, 404 unknown
    outcome: str  # created, corrected, unchanged, refused
    product: str = ""
    granularity: str = ""
    period_start: datetime | None = None
    revision: int | None = None
    errors: dict = field(default_factory=dict)


@dataclass
class IngestResult:
    items: list[ItemResult]
    counts: dict[str, int]
    product_ids: set[int]

    @property
    def refused(self) -> list[ItemResult]:
        return [item for item in self.items if item.outcome == "refused"]


# scope(product) -> None when the caller may report for it, else (status, message).
Scope = Callable[[ComputeProduct], tuple[int, str] | None]


def provider_scope(key: ProviderKey) -> Scope:
    def scope(product):
        if product.provider_lei != key.provider_lei:
            return 403, "This product is delivered by another provider."
        return None

    return scope


REPORT_REFUSED = "Only a compliance officer or the product's provider may report delivery."


def user_scope(user) -> Scope:
    """A user's right to report: compliance officers only (`selectors.user_may_report_delivery`).
    The issuer is the party being measured, so its users may not file or correct the figures."""
    allowed = selectors.user_may_report_delivery(user)

    def scope(product):
        return None if allowed else (403, REPORT_REFUSED)

    return scope


_WINDOW_FIELDS = ("id", "symbol", "provider_lei", "issuer_id", "delivery_start", "delivery_end")


def _validate(items, *, product, scope, now) -> tuple[list[ItemResult], list[tuple[int, ParsedReport]], dict]:
    results: list[ItemResult | None] = []
    parsed: list[tuple[int, ParsedReport]] = []
    for index, raw in enumerate(items):
        report, errors = parse_report(raw, product=product)
        if errors:
            results.append(ItemResult(index, 400, "refused", errors=errors))
        else:
            results.append(None)
            parsed.append((index, report))
    symbols = {report.product for _, report in parsed}
    products = {
        p.symbol: p
        for p in ComputeProduct.objects.filter(symbol__in=symbols)
        .select_related("issuer")
        .only(*_WINDOW_FIELDS, "issuer__id")
    }
    # One scope check per product, not per report: a user's check is a query, and an upload
    # holds thousands of reports for one product.
    denials = {symbol: scope(target) for symbol, target in products.items()}
    valid = []
    for index, report in parsed:
        target = products.get(report.product)
        if target is None:
            results[index] = ItemResult(
                index, 404, "refused", product=report.product, errors={"product": ["Not found."]}
            )
            continue
        denied = denials[report.product]
        if denied:
            # A provider learns nothing about other providers' products: unknown and foreign look alike
            # except for the status, which the issue asks for (403 for a product that is not its own).
            results[index] = ItemResult(
                index, denied[0], "refused", product=report.product, errors={"product": [denied[1]]}
            )
            continue
        errors = window_errors(report, delivery_start=target.delivery_start, delivery_end=target.delivery_end, now=now)
        if errors:
            results[index] = ItemResult(index, 400, "refused", product=report.product, errors=errors)
            continue
        valid.append((index, report))
    return results, valid, products


_COPY_COLUMNS = (
    "product_id",
    "granularity",
    "period_start",
    "scheduled_gpu_hours",
    "delivered_gpu_hours",
    "availability_pct",
    "benchmark_pct",
    "revision",
    "source",
    "received_at",
)


class _NewRow:
    """A report not yet in the database. Building a Django model instance per row would cost
    more than validating it; COPY needs only the values."""

    __slots__ = _COPY_COLUMNS

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def _copy_rows(rows: list[_NewRow]) -> None:
    """Insert new reports with COPY on PostgreSQL (an order of magnitude faster than INSERT for
    large batches); bulk_create elsewhere."""
    if connection.vendor != "postgresql" or len(rows) < 500:
        DeliveryReport.objects.bulk_create(
            [DeliveryReport(**{name: getattr(r, name) for name in _COPY_COLUMNS}) for r in rows], batch_size=2000
        )
        return
    table = DeliveryReport._meta.db_table
    sql = f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"  # noqa: S608 - fixed names, no input
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row([getattr(r, name) for name in _COPY_COLUMNS])


@transaction.atomic
def delivery_reports_ingest(
    *,
    items: list,
    actor,
    scope: Scope,
    source: str,
    product: str | None = None,
    all_or_nothing: bool = False,
    now: datetime | None = None,
    evaluate: bool = True,
) -> IngestResult:
    """Store a batch of reports: new periods are created, a changed report for a known period
    replaces it (revision + 1, the old values kept as a DeliveryReportRevision), an identical
    one changes nothing. Invalid or out-of-scope items are refused one by one, or, with
    `all_or_nothing` (CSV uploads), the whole batch is refused with every error by line.
    Evaluation of the affected products is queued after commit."""
    now = now or timezone.now()
    results, valid, products = _validate(items, product=product, scope=scope, now=now)
    if all_or_nothing and any(r is not None for r in results):
        raise ValidationError(
            {f"line {r.index}": [f"{k}: {m}" for k, ms in r.errors.items() for m in ms] for r in results if r}
        )
    ids = {products[report.product].pk for _, report in valid}
    _lock_products(ids)
    existing = {}
    if valid:
        starts = [report.period_start for _, report in valid]
        for row in DeliveryReport.objects.filter(
            product_id__in=ids, period_start__gte=min(starts), period_start__lte=max(starts)
        ):
            existing[(row.product_id, row.granularity, row.period_start)] = row
    new: dict[tuple, _NewRow] = {}
    corrected: dict[tuple, DeliveryReport] = {}
    history: list[DeliveryReportRevision] = []
    corrections_log = []
    for index, report in valid:
        target = products[report.product]
        key = (target.pk, report.granularity, report.period_start)
        row = existing.get(key) or new.get(key)
        if row is None:
            row = _NewRow(
                product_id=target.pk,
                granularity=report.granularity,
                period_start=report.period_start,
                scheduled_gpu_hours=report.scheduled,
                delivered_gpu_hours=report.delivered,
                availability_pct=report.availability,
                benchmark_pct=report.benchmark,
                revision=1,
                source=source,
                received_at=now,
            )
            new[key] = row
            outcome, status = "created", 201
        elif (row.scheduled_gpu_hours, row.delivered_gpu_hours, row.availability_pct, row.benchmark_pct) == (
            report.values()
        ):
            outcome, status = "unchanged", 200
        else:
            if key not in new:
                history.append(
                    DeliveryReportRevision(
                        report=row,
                        revision=row.revision,
                        scheduled_gpu_hours=row.scheduled_gpu_hours,
                        delivered_gpu_hours=row.delivered_gpu_hours,
                        availability_pct=row.availability_pct,
                        benchmark_pct=row.benchmark_pct,
                        source=row.source,
                        received_at=row.received_at,
                        replaced_at=now,
                    )
                )
                row.revision += 1
                corrected[key] = row
                corrections_log.append(
                    {
                        "product": report.product,
                        "granularity": report.granularity,
                        "period_start": report.period_start.isoformat(),
                        "revision": row.revision,
                    }
                )
            (row.scheduled_gpu_hours, row.delivered_gpu_hours, row.availability_pct, row.benchmark_pct) = (
                report.values()
            )
            row.source, row.received_at = source, now
            outcome, status = "corrected", 200
        results[index] = ItemResult(
            index,
            status,
            outcome,
            product=report.product,
            granularity=report.granularity,
            period_start=report.period_start,
            revision=row.revision,
        )
    _copy_rows(list(new.values()))
    if corrected:
        DeliveryReport.objects.bulk_update(
            list(corrected.values()),
            [
                "scheduled_gpu_hours",
                "delivered_gpu_hours",
                "availability_pct",
                "benchmark_pct",
                "revision",
                "source",
                "received_at",
            ],
            batch_size=2000,
        )
        DeliveryReportRevision.objects.bulk_create(history, batch_size=2000)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("created", "corrected", "unchanged", "refused")}
    changed_ids = {key[0] for key in new} | {key[0] for key in corrected}
    if new or corrected:
        # One event per batch: a million hourly reports must not mean a million chain links. The
        # corrections are listed one by one; the reports themselves carry revision and source.
        audit_record(
            actor=actor,
            action="delivery_report.ingest",
            object_type="delivery.deliveryreport",
            after={
                "source": source,
                "counts": counts,
                "products": sorted(p.symbol for p in products.values() if p.pk in changed_ids),
                "corrections": corrections_log,
            },
        )
    if evaluate and changed_ids:
        from delivery.tasks import evaluate_product

        for product_id in sorted(changed_ids):
            transaction.on_commit(lambda pid=product_id: evaluate_product.delay(pid))
    return IngestResult(items=results, counts=counts, product_ids=changed_ids)


def parse_csv(text: str) -> list[dict]:
    """Rows of a CSV upload as dicts, numbered from line 2 (line 1 is the header)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    try:
        if not reader.fieldnames:
            raise ValidationError({"file": ["The file is empty."]})
        repeated = sorted({name for name in reader.fieldnames if reader.fieldnames.count(name) > 1})
        if repeated:
            raise ValidationError({"file": [f"The header names {', '.join(repeated)} more than once."]})
        rows = []
        for row in reader:
            # DictReader keeps the values beyond the header's columns in a list under None.
            if None in row:
                raise ValidationError(
                    {"file": [f"Line {reader.line_num} has more values than the header has columns."]}
                )
            rows.append(row)
        return rows
    except csv.Error as exc:
        # A field beyond the reader's limit (131,072 characters), say: no report is that long.
        # The inner reader's line_num: DictReader copies it only after a row was read.
        raise ValidationError({"file": [f"Line {reader.reader.line_num} is not readable CSV ({exc})."]})


@transaction.atomic
def delivery_reports_upload_csv(*, actor, product: ComputeProduct, text: str) -> IngestResult:
    """A CSV upload in the UI: the whole file or nothing, errors reported by line number. Only a
    compliance officer may upload (see `user_scope`)."""
    # Refused before the file is read: a refused user learns nothing from the validation.
    scope = user_scope(actor)
    denied = scope(product)
    if denied:
        raise NotPermitted(denied[1])
    rows = parse_csv(text)
    if not rows:
        raise ValidationError({"file": ["The file has a header but no reports."]})
    try:
        return delivery_reports_ingest(
            items=rows, actor=actor, scope=scope, source="csv", product=product.symbol, all_or_nothing=True
        )
    except ValidationError as exc:
        # Batch indexes count from 0; in the file the first report is on line 2.
        errors = {}
        for key, messages in exc.message_dict.items():
            line = int(key.split()[-1]) + 2
            errors[f"line {line}"] = messages
        raise ValidationError(errors)


# --- capacity attestations -----------------------------------------------------------------


# Accelerators at one site: far above any data center. The API's serializer and the officer's
# form cap each site at it too; 215 such sites would still overflow the total's column.
MAX_SITE_ACCELERATORS = 10_000_000
# CapacityAttestation.accelerator_count is a PositiveIntegerField: a 32-bit integer column.
MAX_TOTAL_ACCELERATORS = 2_147_483_647


def _clean_sites(sites) -> tuple[list[dict], int]:
    if not isinstance(sites, list) or not sites:
        raise ValidationError({"sites": ["Give at least one site."]})
    cleaned, total = [], 0
    for number, site in enumerate(sites, start=1):
        if not isinstance(site, dict):
            raise ValidationError({"sites": [f"Site {number}: give an object."]})
        count = site.get("accelerator_count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValidationError({"sites": [f"Site {number}: accelerator_count must be a whole number above 0."]})
        if count > MAX_SITE_ACCELERATORS:
            raise ValidationError({"sites": [f"Site {number}: at most {MAX_SITE_ACCELERATORS} accelerators per site."]})
        site_id = str(site.get("site_id") or "").strip()
        model = str(site.get("accelerator_model") or "").strip()
        if not site_id or not model:
            raise ValidationError({"sites": [f"Site {number}: give site_id and accelerator_model."]})
        try:
            validate_country(site.get("country"))
        except ValidationError as exc:
            raise ValidationError({"sites": [f"Site {number}: {exc.messages[0]}"]})
        cleaned.append(
            {"site_id": site_id, "country": site["country"], "accelerator_model": model, "accelerator_count": count}
        )
        total += count
    if total > MAX_TOTAL_ACCELERATORS:
        raise ValidationError(
            {"sites": [f"At most {MAX_TOTAL_ACCELERATORS} accelerators in all; these sites add up to {total}."]}
        )
    return cleaned, total


# Evidence documents of one attestation, in all (scans of audit letters, capacity reports).
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@transaction.atomic
def attestation_file(
    *,
    product: ComputeProduct,
    filed_by: str,
    attested_on,
    attesting_party: str,
    attesting_role: str,
    sites: list,
    evidence: list[tuple[str, bytes]],
    actor,
) -> CapacityAttestation:
    """Record a capacity attestation with its evidence documents (each stored with its SHA-256)."""
    attesting_party = _text(attesting_party, "attesting_party")
    if attesting_role not in AttestingRole.values:
        raise ValidationError({"attesting_role": [f"Use one of: {', '.join(AttestingRole.values)}."]})
    if attested_on > timezone.now().date():
        raise ValidationError({"attested_on": ["An attestation cannot be dated in the future."]})
    if not evidence:
        raise ValidationError({"evidence": ["Attach at least one evidence document."]})
    if sum(len(content) for _, content in evidence) > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": [f"At most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB of evidence in all."]})
    if any(not content for _, content in evidence):
        raise ValidationError({"evidence": ["An evidence document is empty."]})
    cleaned, total = _clean_sites(sites)
    attestation = CapacityAttestation.objects.create(
        product=product,
        attested_on=attested_on,
        attesting_party=attesting_party,
        attesting_role=attesting_role,
        sites=cleaned,
        accelerator_count=total,
        filed_by=filed_by,
    )
    documents = []
    for filename, content in evidence:
        digest = hashlib.sha256(content).hexdigest()
        document = AttestationEvidence(
            attestation=attestation, filename=filename[:200], sha256=digest, size=len(content)
        )
        document.file.save(f"{digest[:16]}-{filename[-80:]}", ContentFile(content), save=False)
        document.save()
        documents.append({"filename": document.filename, "sha256": digest, "size": len(content)})
    audit_record(
        actor=actor,
        action="attestation.file",
        obj=attestation,
        after={
            "product": product.symbol,
            "attested_on": attested_on.isoformat(),
            "attesting_party": attesting_party,
            "attesting_role": attesting_role,
            "sites": cleaned,
            "accelerator_count": total,
            "evidence": documents,
        },
    )
    transaction.on_commit(lambda: _queue_evaluation(product.pk))
    return attestation


def attestation_record(
    *, actor, product: ComputeProduct, attested_on, attesting_party: str, attesting_role: str, sites, evidence
) -> CapacityAttestation:
    """An officer records an attestation received outside the API (an auditor's letter, say)."""
    _require_officer(actor)
    return attestation_file(
        product=product,
        filed_by=actor.get_username(),
        attested_on=attested_on,
        attesting_party=attesting_party,
        attesting_role=attesting_role,
        sites=sites,
        evidence=evidence,
        actor=actor,
    )


def _queue_evaluation(product_id: int) -> None:
    from delivery.tasks import evaluate_product

    evaluate_product.delay(product_id)


# --- policy --------------------------------------------------------------------------------


@transaction.atomic
def policy_set(
    *,
    actor,
    product: ComputeProduct,
    auto_suspend_on_critical: bool,
    declared_obligation_gpu_hours: Decimal | None = None,
    reference_price: Decimal | None = None,
) -> DeliveryPolicy:
    if not (isinstance(actor, str) and actor.startswith("system")):
        _require_officer(actor)
    policy, _ = DeliveryPolicy.objects.select_for_update().get_or_create(product=product)
    before = _policy_dict(policy)
    policy.auto_suspend_on_critical = auto_suspend_on_critical
    policy.declared_obligation_gpu_hours = declared_obligation_gpu_hours
    policy.reference_price = reference_price
    policy.full_clean()
    policy.save()
    audit_record(actor=actor, action="delivery_policy.set", obj=policy, before=before, after=_policy_dict(policy))
    return policy


def _policy_dict(policy: DeliveryPolicy) -> dict:
    return {
        "auto_suspend_on_critical": policy.auto_suspend_on_critical,
        "declared_obligation_gpu_hours": policy.declared_obligation_gpu_hours,
        "reference_price": policy.reference_price,
    }


# --- SLA evaluation ------------------------------------------------------------------------

EVALUATED_STATES = (ApplicationState.APPROVED, ApplicationState.LISTED, ApplicationState.SUSPENDED)


def _float(value) -> float | None:
    return None if value is None else float(value)


def terms_for(product: ComputeProduct, policy: DeliveryPolicy | None) -> sla.Terms:
    return sla.Terms(
        sla_availability_pct=float(product.sla_availability_pct),
        sla_performance_floor_pct=float(product.sla_performance_floor_pct),
        remedy_credit_pct=float(product.remedy_credit_pct),
        remedy_make_whole=product.remedy_make_whole,
        delivery_start=product.delivery_start,
        delivery_end=product.delivery_end,
        reference_price=_float(policy.reference_price) if policy else None,
    )


def reports_for(product_id: int) -> list[sla.Report]:
    rows = DeliveryReport.objects.filter(product_id=product_id).values_list(
        "period_start",
        "granularity",
        Cast("scheduled_gpu_hours", FloatField()),
        Cast("delivered_gpu_hours", FloatField()),
        Cast("availability_pct", FloatField()),
        Cast("benchmark_pct", FloatField()),
        "revision",
    )
    return [sla.Report(start, GRANULARITY_HOURS[g], s, d, a, b, rev) for start, g, s, d, a, b, rev in rows]


def obligation_gpu_hours(product: ComputeProduct, policy: DeliveryPolicy | None) -> float:
    """GPU-hours the provider owes over the whole window: open long positions x contract size
    (compliance.kyc Position), or the policy's declared obligation when that is larger."""
    from compliance.kyc.models import Position

    contracts = Position.objects.filter(product=product, contracts__gt=0).aggregate(n=Sum("contracts"))["n"] or 0
    from_positions = contracts * float(product.contract_size)
    declared = _float(policy.declared_obligation_gpu_hours) if policy else None
    return max(from_positions, declared or 0.0)


def _period_rows(product_id: int, kind: str, results: list[sla.PeriodResult]) -> list[SlaPeriod]:
    return [
        SlaPeriod(
            product_id=product_id,
            kind=kind,
            period_start=r.period_start,
            expected_hours=r.expected_hours,
            reported_hours=r.reported_hours,
            availability_pct=r.availability_pct,
            scheduled_gpu_hours=r.scheduled_gpu_hours,
            delivered_gpu_hours=r.delivered_gpu_hours,
            delivery_ratio_pct=r.delivery_ratio_pct,
            performance_pct=r.performance_pct,
            shortfall_gpu_hours=r.shortfall_gpu_hours,
            credit_gpu_hours=r.credit_gpu_hours,
            credit_value=r.credit_value,
            make_whole_gpu_hours=r.make_whole_gpu_hours,
            availability_met=r.availability_met,
            performance_met=r.performance_met,
        )
        for r in results
    ]


def _jsonable(result) -> dict | None:
    if result is None:
        return None
    data = {name: getattr(result, name) for name in result.__slots__}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


@dataclass
class Evaluation:
    product_id: int
    changed: bool
    breaches: list[thresholds.Breach]
    opened: list[int]
    suspended: bool


@transaction.atomic
def product_evaluate(*, product_id: int, now: datetime | None = None) -> Evaluation:
    """Recompute a product's SLA periods from its reports, check its attestation, and open,
    update or clear its incidents. Idempotent: a second run with the same reports and day
    changes nothing and writes no audit event."""
    now = now or timezone.now()
    # The rows an automatic suspension takes (application, product, issuer) first, before any
    # audit event: the order the products services lock in (products.services.lock_applications).
    lock_applications(states=[ApplicationState.LISTED], product_id=product_id)
    _lock_products([product_id])
    product = ComputeProduct.objects.select_related("issuer").get(pk=product_id)
    policy = DeliveryPolicy.objects.filter(product=product).first()
    terms = terms_for(product, policy)
    reports = reports_for(product_id)
    days, months, rolling = sla.evaluate_with_rolling(reports, terms)
    latest = CapacityAttestation.objects.filter(product=product).order_by("-attested_on", "-id").first()
    # A date in the future attests nothing yet; counting it would silence the age check.
    candidates = (latest.attested_on if latest else None, product.last_attestation_date)
    dates = [d for d in candidates if d and d <= now.date()]
    check = sla.attestation_check(
        as_of=now,
        last_attested_on=max(dates) if dates else None,
        max_age_days=product.attestation_max_age_days,
        accelerator_count=latest.accelerator_count if latest else None,
        delivery_start=product.delivery_start,
        delivery_end=product.delivery_end,
        obligation_gpu_hours=obligation_gpu_hours(product, policy),
        delivered_gpu_hours=sum(m.delivered_gpu_hours for m in months),
    )
    found = thresholds.breaches(
        rolling=rolling,
        attestation=check,
        sla_availability_pct=terms.sla_availability_pct,
        sla_performance_floor_pct=terms.sla_performance_floor_pct,
        max_age_days=product.attestation_max_age_days,
    )
    result = {
        "rolling": _jsonable(rolling),
        "attestation": _jsonable(check),
        "breaches": [_jsonable(b) for b in found],
        "days": len(days),
        "months": [_jsonable(m) for m in months],
    }
    digest = hashlib.sha256(
        json.dumps([result, [_jsonable(d) for d in days]], sort_keys=True, default=str).encode()
    ).hexdigest()
    status = DeliveryStatus.objects.filter(product=product).first()
    changed = status is None or status.result_hash != digest
    if changed:
        SlaPeriod.objects.filter(product=product).delete()
        SlaPeriod.objects.bulk_create(
            _period_rows(product_id, SlaPeriodKind.DAY, days) + _period_rows(product_id, SlaPeriodKind.MONTH, months),
            batch_size=2000,
        )
        DeliveryStatus.objects.update_or_create(
            product=product, defaults={"evaluated_at": now, "result": result, "result_hash": digest}
        )
        audit_record(
            actor=SYSTEM,
            action="delivery.evaluate",
            obj=product,
            before={"result_hash": status.result_hash} if status else None,
            after={
                "result_hash": digest,
                "rolling": result["rolling"],
                "attestation": result["attestation"],
                "breaches": [(b.kind, b.severity) for b in found],
            },
        )
    opened, suspended = _sync_incidents(product, policy, found, now)
    return Evaluation(product_id, changed, found, opened, suspended)


def _notify(product: ComputeProduct, message: str, incident: Incident | None = None) -> None:
    Notification.objects.create(issuer=product.issuer, product=product, incident=incident, message=message)


def _incident_dict(incident: Incident) -> dict:
    return {
        "kind": incident.kind,
        "severity": incident.severity,
        "status": incident.status,
        "measured": incident.measured,
        "threshold": incident.threshold,
        "disclosure_update_required": incident.disclosure_update_required,
    }


def _sync_incidents(product, policy, found, now) -> tuple[list[int], bool]:
    held = {i.kind: i for i in Incident.objects.select_for_update().filter(product=product, status=IncidentStatus.OPEN)}
    opened = []
    for breach in found:
        incident = held.get(breach.kind)
        label = IncidentKind(breach.kind).label
        if incident is None:
            incident = Incident.objects.create(
                product=product,
                kind=breach.kind,
                severity=breach.severity,
                peak_severity=breach.severity,
                measured=breach.measured,
                threshold=breach.threshold,
                detail=breach.detail,
                opened_at=now,
                updated_at=now,
                disclosure_update_required=breach.severity in thresholds.DISCLOSURE_SEVERITIES,
            )
            audit_record(
                actor=SYSTEM,
                action="incident.open",
                obj=incident,
                after=_incident_dict(incident),
                rationale=breach.detail,
            )
            _notify(
                product,
                f"{product.symbol}: {breach.severity} delivery incident opened — {label}. {breach.detail}",
                incident,
            )
            opened.append(incident.pk)
            held[breach.kind] = incident
            continue
        before = _incident_dict(incident)
        old_figures = (incident.measured, incident.threshold, incident.detail)
        escalated = SEVERITY_RANK[breach.severity] > SEVERITY_RANK[incident.severity]
        severity_changed = breach.severity != incident.severity
        recurred = incident.condition_cleared_at is not None
        incident.severity = breach.severity
        if SEVERITY_RANK[breach.severity] > SEVERITY_RANK[incident.peak_severity]:
            incident.peak_severity = breach.severity
        incident.measured, incident.threshold, incident.detail = breach.measured, breach.threshold, breach.detail
        incident.condition_cleared_at = None
        # Only a rise into a disclosure-relevant severity prompts again: once the officer has
        # handled the prompt, the same ongoing breach does not raise it anew.
        if escalated and breach.severity in thresholds.DISCLOSURE_SEVERITIES:
            incident.disclosure_update_required = True
        figures = (incident.measured, incident.threshold, incident.detail)
        if figures != old_figures or severity_changed or recurred:
            incident.updated_at = now
            incident.save()
        if severity_changed or recurred:
            action = (
                "incident.recur"
                if recurred and not severity_changed
                else ("incident.escalate" if escalated else "incident.deescalate")
            )
            audit_record(
                actor=SYSTEM,
                action=action,
                obj=incident,
                before=before,
                after=_incident_dict(incident),
                rationale=breach.detail,
            )
            if escalated:
                _notify(
                    product, f"{product.symbol}: delivery incident escalated to {breach.severity} — {label}.", incident
                )
    found_kinds = {b.kind for b in found}
    for kind, incident in held.items():
        if kind not in found_kinds and incident.condition_cleared_at is None:
            incident.condition_cleared_at = now
            incident.updated_at = now
            incident.save(update_fields=["condition_cleared_at", "updated_at"])
            audit_record(
                actor=SYSTEM, action="incident.condition_cleared", obj=incident, after=_incident_dict(incident)
            )
    suspended = _auto_suspend(product, policy, held, found)
    return opened, suspended


def _auto_suspend(product, policy, held, found) -> bool:
    """Suspend the listings once per critical incident when the product's policy says so. An
    officer who reinstates the product is not overruled by the same incident."""
    if not (policy and policy.auto_suspend_on_critical):
        return False
    critical = [held[b.kind] for b in found if b.severity == "critical" and not held[b.kind].auto_suspended]
    if not critical:
        return False
    application = product.applications.filter(state=ApplicationState.LISTED).first()
    if application is None:
        return False
    reason = "Automatic suspension on a critical delivery incident: " + "; ".join(
        f"#{i.pk} {IncidentKind(i.kind).label}: {i.detail}" for i in critical
    )
    if application_suspend_automatically(application=application, reason=reason, source="delivery") is None:
        return False
    for incident in critical:
        incident.auto_suspended = True
        incident.save(update_fields=["auto_suspended"])
        audit_record(actor=SYSTEM, action="incident.auto_suspend", obj=incident, after={"application": application.pk})
    _notify(
        product, f"{product.symbol} was suspended automatically: a critical delivery incident is open.", critical[0]
    )
    return True


def products_to_evaluate() -> list[int]:
    return list(
        ComputeProduct.objects.filter(applications__state__in=EVALUATED_STATES).values_list("pk", flat=True).distinct()
    )


# --- incidents: the officer's side ---------------------------------------------------------


def _lock_incident(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("product").get(pk=incident.pk)


@transaction.atomic
def incident_assign(*, incident: Incident, actor, assignee) -> Incident:
    _require_officer(actor)
    if assignee is not None and not assignee.is_officer:
        raise ValidationError({"assignee": ["Assign the incident to a compliance officer."]})
    incident = _lock_incident(incident)
    if incident.status != IncidentStatus.OPEN:
        raise IllegalTransition(f"Incident #{incident.pk} is resolved.")
    before = {"assigned_to": incident.assigned_to.get_username() if incident.assigned_to else None}
    incident.assigned_to = assignee
    incident.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        action="incident.assign",
        obj=incident,
        before=before,
        after={"assigned_to": assignee.get_username() if assignee else None},
    )
    return incident


@transaction.atomic
def incident_annotate(*, incident: Incident, actor, text: str) -> IncidentNote:
    _require_officer(actor)
    text = _text(text, "text")
    incident = _lock_incident(incident)
    note = IncidentNote.objects.create(incident=incident, author=actor, text=text)
    audit_record(actor=actor, action="incident.annotate", obj=incident, rationale=text)
    return note


@transaction.atomic
def incident_resolve(*, incident: Incident, actor, rationale: str) -> Incident:
    _require_officer(actor)
    rationale = _text(rationale, "rationale")
    incident = _lock_incident(incident)
    if incident.status != IncidentStatus.OPEN:
        raise IllegalTransition(f"Incident #{incident.pk} is already resolved.")
    before = _incident_dict(incident)
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = timezone.now()
    incident.resolved_by = actor
    incident.resolution = rationale
    incident.save()
    audit_record(
        actor=actor,
        action="incident.resolve",
        obj=incident,
        before=before,
        after=_incident_dict(incident),
        rationale=rationale,
    )
    _notify(incident.product, f"{incident.product.symbol}: delivery incident #{incident.pk} resolved.", incident)
    return incident


@transaction.atomic
def incident_acknowledge_disclosure(*, incident: Incident, actor, rationale: str) -> Incident:
    """The officer records that the disclosure update this incident prompted has been handled."""
    _require_officer(actor)
    rationale = _text(rationale, "rationale")
    incident = _lock_incident(incident)
    if not incident.disclosure_update_required:
        raise IllegalTransition("This incident does not ask for a disclosure update.")
    incident.disclosure_update_required = False
    incident.save(update_fields=["disclosure_update_required"])
    audit_record(
        actor=actor,
        action="incident.disclosure_handled",
        obj=incident,
        before={"disclosure_update_required": True},
        after={"disclosure_update_required": False},
        rationale=rationale,
    )
    return incident


@transaction.atomic
def notifications_mark_read(*, actor, issuer_ids: Iterable[int]) -> int:
    """Mark the actor's issuers' unread notifications read (no audit event: reading is not a decision)."""
    ids = [i for i in issuer_ids if actor.issuers.filter(pk=i).exists()]
    return Notification.objects.filter(issuer_id__in=ids, read_at__isnull=True).update(read_at=timezone.now())
