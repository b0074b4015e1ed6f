"""Writes of the rules app: loading packs, running checks, overriding findings.

Checks run as one RuleRun per application version: `run_begin_for_submission` (the products
task) creates the run and one pending JurisdictionResult per jurisdiction of offer;
`run_check_jurisdiction` evaluates one jurisdiction under the run's row lock, replaces that
jurisdiction's findings, and the last jurisdiction to finish completes the run (and moves a
submitted application to in_review). Everything is idempotent, so redelivered tasks are safe.

An application in review is re-checked (`pack_update`) whenever its latest run used pack
versions other than those in force today: when packs load (`packs_load`), when a run completes
(`_run_finish`: a submission is judged as of its submission day, and a run may have been in
flight during a load) and daily (`applications_rerun_stale`).

Lock order, shared with the products services: run row, pack rows, application rows, and the
audit chain (an advisory lock held until commit) last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from compliance.audit.services import audit_record
from compliance.rules import selectors
from compliance.rules.models import (
    BLOCKING_OUTCOMES,
    Finding,
    FindingOutcome,
    JurisdictionResult,
    PartStatus,
    Rule,
    RulePack,
    RuleRun,
    RunReason,
    RunStatus,
)
from compliance.rules.pack import (
    DistributionConstraints,
    Pack,
    PackError,
    RuleEvaluationError,
    build_context,
    diff_packs,
    evaluate_rule,
    load_pack,
    load_pack_text,
    periods_overlap,
)
from config.errors import Conflict, IllegalTransition, NotPermitted
from config.text import required_text
from products import services as product_services
from products.models import ApplicationState, ProductApplication

SYSTEM = "system:rules"

# --- packs ---------------------------------------------------------------------------------


class PacksRefused(Exception):
    """One or more packs may not be loaded; `messages` name pack, rule and position."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    period_closed: list[str] = field(default_factory=list)
    reruns: list[int] = field(default_factory=list)


def _pack_label(pack: Pack | RulePack) -> str:
    return f"{pack.jurisdiction} {pack.version}"


_compiled: dict[tuple[int, str], Pack] = {}


def compiled_pack(row: RulePack) -> Pack:
    """The compiled pack of a stored row, compiled once per process from the stored text."""
    key = (row.pk, row.content_hash)
    pack = _compiled.get(key)
    if pack is None:
        pack = load_pack_text(row.source_text, name=row.source_name, verify_examples=False)
        _compiled[key] = pack
    return pack


NEW, UNCHANGED, PERIOD = "new", "unchanged", "period"


@dataclass
class _Step:
    """What loading one pack file does: create a `new` version, leave it `unchanged`, or change
    the `period` (effective_to) of the stored version `row`."""

    path: Path
    pack: Pack
    row: RulePack | None
    kind: str


def _content_refusal(row: RulePack, pack: Pack) -> str | None:
    """Why `pack` may not be loaded over the stored `row` of the same version (None: only its
    effective_to differs, if anything)."""
    if row.content_hash == pack.content_hash:
        return None
    change = diff_packs(compiled_pack(row), pack)
    if change.pack_fields == ("effective_to",) and not (change.added or change.removed or change.changed):
        return None  # compared with the period as first loaded; the stored period is checked next
    what = [f"rule {c.rule_id} ({', '.join(c.fields)})" for c in change.changed]
    what += [f"rule {r} added" for r in change.added] + [f"rule {r} removed" for r in change.removed]
    what += [f"pack field {f}" for f in change.pack_fields]
    return (
        f"{Path(pack.source).name}: {_pack_label(pack)} is already loaded with different content "
        f"(stored hash {row.content_hash[:12]}, file hash {pack.content_hash[:12]}; changed: "
        f"{'; '.join(what) or 'formatting-independent content'}). Give the change a new version."
    )


def _period_refusal(row: RulePack, pack: Pack) -> str | None:
    """Why the stored version's period may not end on `pack.effective_to` (None: it may).

    A run records the packs in force on its `as_of`; a period that ended on or before that day
    would make the record false (and a replay decide otherwise). Later ends, or an open end,
    take no day from any run (overlaps with other versions are refused separately)."""
    if pack.effective_to is None:
        return None
    run = selectors.last_run_using(row)
    if run is None or run.as_of < pack.effective_to:
        return None
    earliest = run.as_of + timedelta(days=1)
    return (
        f"{Path(pack.source).name}: {_pack_label(pack)} cannot end on {pack.effective_to.isoformat()}: rule run "
        f"#{run.pk} (application #{run.application_id}) checked {pack.jurisdiction} under it as of "
        f"{run.as_of.isoformat()}, so its period may end no earlier than {earliest.isoformat()}; start the "
        f"successor on that day or later."
    )


def _plan(paths: list[Path], packs: list[Pack]) -> tuple[list[_Step], list[str]]:
    """What loading these packs does, and why they may not be loaded (empty: all fine)."""
    messages = []
    seen: dict[tuple[str, str], Pack] = {}
    for pack in packs:
        key = (pack.jurisdiction, pack.version)
        if key in seen:
            messages.append(
                f"{Path(pack.source).name}: {_pack_label(pack)} is also given in {Path(seen[key].source).name}"
            )
        seen[key] = pack
    incoming = {(p.jurisdiction, p.version): p for p in packs}
    stored = {
        (r.jurisdiction, r.version): r
        for r in RulePack.objects.filter(jurisdiction__in={p.jurisdiction for p in packs})
    }
    steps = []
    for path, pack in zip(paths, packs, strict=True):
        row = stored.get((pack.jurisdiction, pack.version))
        if row is None:
            steps.append(_Step(path, pack, None, NEW))
            continue
        message = _content_refusal(row, pack)
        if message is None and pack.effective_to != row.effective_to:
            message = _period_refusal(row, pack)
        if message:
            messages.append(message)
            continue
        steps.append(_Step(path, pack, row, UNCHANGED if pack.effective_to == row.effective_to else PERIOD))
    # The periods as they will be after this load: stored rows, replaced by incoming versions.
    after: dict[tuple[str, str], Pack | RulePack] = {**stored, **incoming}
    by_jurisdiction: dict[str, list] = {}
    for item in after.values():
        by_jurisdiction.setdefault(item.jurisdiction, []).append(item)
    reported = set()
    for pack in packs:
        for other in by_jurisdiction[pack.jurisdiction]:
            if other.version == pack.version or not periods_overlap(pack, other):
                continue
            pair = frozenset({(pack.jurisdiction, pack.version), (other.jurisdiction, other.version)})
            if pair in reported:
                continue
            reported.add(pair)
            to = other.effective_to.isoformat() if other.effective_to else "open end"
            messages.append(
                f"{Path(pack.source).name}: {_pack_label(pack)} "
                f"[{pack.effective_from.isoformat()}, {pack.effective_to or 'open end'}) overlaps "
                f"{_pack_label(other)} [{other.effective_from.isoformat()}, {to}); close the earlier "
                f"version's effective_to on the later one's effective_from"
            )
    return steps, messages


def _store_rules(row: RulePack, pack: Pack) -> None:
    Rule.objects.bulk_create(
        [
            Rule(
                pack=row,
                rule_id=rule.id,
                position=position,
                title=rule.title,
                citation=rule.citation,
                condition=rule.condition,
                rationale=rule.rationale,
                outcome=str(rule.outcome),
                disclosure_sections=list(rule.disclosure_sections),
                distribution=rule.distribution.as_dict(),
                attributes=list(rule.attributes),
            )
            for position, rule in enumerate(pack.rules, start=1)
        ]
    )


def _pack_create(step: _Step) -> dict:
    """Store a new version and its rules; returns its audit event (written by the caller)."""
    pack = step.pack
    row = RulePack.objects.create(
        jurisdiction=pack.jurisdiction,
        version=pack.version,
        title=pack.title,
        effective_from=pack.effective_from,
        effective_to=pack.effective_to,
        content_hash=pack.content_hash,
        source_name=Path(step.path).name,
        source_text=Path(step.path).read_text(encoding="utf-8"),
        regulators=[{"code": r.code, "name": r.name} for r in pack.regulators],
    )
    _store_rules(row, pack)
    return dict(
        action="rule_pack.load",
        obj=row,
        after={
            "jurisdiction": row.jurisdiction,
            "version": row.version,
            "effective_from": row.effective_from,
            "effective_to": row.effective_to,
            "content_hash": row.content_hash,
            "rules": len(pack.rules),
        },
    )


def _pack_change_period(step: _Step) -> dict:
    """Move the end of a stored version's period; returns its audit event.

    Only the `effective_to` column changes: the stored text and its hash stay those first
    loaded, which the runs that used the version compiled (the audit event records the hash of
    the file that moved the period)."""
    row = step.row
    before = {"effective_to": row.effective_to}
    row.effective_to = step.pack.effective_to
    row.save(update_fields=["effective_to"])
    return dict(
        action="rule_pack.close_period",
        obj=row,
        before=before,
        after={
            "effective_to": row.effective_to,
            "content_hash": row.content_hash,
            "file": Path(step.path).name,
            "file_hash": step.pack.content_hash,
        },
    )


# Applications whose checks a change of the packs in force can concern: waiting for their
# checks, checks in flight, in review.
_UNDER_REVIEW = (ApplicationState.SUBMITTED, ApplicationState.CHECKS_RUNNING, ApplicationState.IN_REVIEW)


@transaction.atomic
def packs_load(*, paths: list[Path], actor=SYSTEM) -> LoadReport:
    """Load pack files into the database, all or nothing.

    Idempotent: a pack whose jurisdiction, version, content and period are stored is left
    alone. Refused (PacksRefused, nothing loaded): a file that does not validate, a stored
    version whose content changed (only `effective_to` may change, to close its period for a
    successor), a period that would end on or before a day a run was checked under it, and
    overlapping effective periods within a jurisdiction. When anything changed, every
    application in review whose latest run used pack versions no longer in force today is
    re-run (`pack_update`); those with checks waiting or in flight are compared when their run
    completes (`_run_finish`).

    Locks are taken in the order the run checks and the products services take them: the pack
    rows of the jurisdictions concerned, then the application rows; every row is written
    before the first audit event, whose advisory lock on the chain is held until commit.
    """
    packs, messages = [], []
    for path in paths:
        try:
            packs.append(load_pack(path))
        except PackError as exc:
            messages.append(str(exc))
    if messages:
        raise PacksRefused(messages)
    list(
        RulePack.objects.select_for_update()
        .filter(jurisdiction__in={p.jurisdiction for p in packs})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    steps, messages = _plan(paths, packs)
    if messages:
        raise PacksRefused(messages)
    report = LoadReport()
    if all(step.kind == UNCHANGED for step in steps):
        report.unchanged = [_pack_label(step.pack) for step in steps]
        return report
    applications = product_services.lock_applications(states=_UNDER_REVIEW)
    events = []
    for step in steps:
        if step.kind == UNCHANGED:
            report.unchanged.append(_pack_label(step.pack))
        elif step.kind == PERIOD:
            events.append(_pack_change_period(step))
            report.period_closed.append(_pack_label(step.pack))
        else:
            events.append(_pack_create(step))
            report.loaded.append(_pack_label(step.pack))
    reruns = _reruns_insert(applications)
    for event in events:
        audit_record(actor=actor, **event)
    report.reruns = _reruns_record(reruns, actor=SYSTEM)
    return report


@transaction.atomic
def applications_rerun_stale(*, actor=SYSTEM) -> list[int]:
    """Re-run (`pack_update`) every application in review whose latest run used pack versions
    that are no longer those in force today: the day a successor loaded in advance takes
    effect, no pack is loaded, so this runs daily (task `rules_rerun_stale`, command
    `rerun_stale_rule_checks`). Returns the ids of the runs started."""
    in_review = product_services.lock_applications(states=[ApplicationState.IN_REVIEW])
    return _reruns_record(_reruns_insert(in_review), actor=actor)


def _is_stale(application: ProductApplication, in_force: dict[str, str]) -> bool:
    """Whether an application in review was last checked under pack versions other than
    `in_force` (selectors.pack_versions_in_force).

    An application waiting for its checks or with a run in flight is not: its run is compared
    the same way when it completes (`_run_finish`, under the application's row lock, which a
    pack load holds too, so a run completing while packs load is compared by one side or the
    other)."""
    if application.state != ApplicationState.IN_REVIEW:
        return False
    latest = selectors.latest_run(application)
    if latest is None or latest.status != RunStatus.COMPLETED:
        return False  # never checked (nothing to compare), or compared when it completes
    return not selectors.run_uses_packs_in_force(latest, in_force)


def _reruns_insert(applications: list[ProductApplication]) -> list[RuleRun]:
    """Insert a `pack_update` run for each of these (locked) applications that is stale under
    the packs in force today. The runs are audited and queued by `_reruns_record`, so callers
    can write every row before the first audit event."""
    in_force = selectors.pack_versions_in_force(timezone.now().date())
    return [_run_insert(a, reason=RunReason.PACK_UPDATE) for a in applications if _is_stale(a, in_force)]


def _reruns_record(runs: list[RuleRun], *, actor) -> list[int]:
    for run in runs:
        _run_record_start(run, actor=actor)
        # An approval given on the findings this run replaces no longer counts for four-eyes.
        product_services.application_approvals_withdraw(
            application=run.application,
            actor=actor,
            reason=f"Rule checks re-run (run #{run.pk}) under the rule pack versions in force today.",
        )
        _enqueue(run)
    return [run.pk for run in runs]


# --- runs ----------------------------------------------------------------------------------


def _enqueue(run: RuleRun) -> None:
    from compliance.rules.tasks import fan_out

    run_id = run.pk
    transaction.on_commit(lambda: fan_out(run_id))


def _run_insert(application: ProductApplication, *, reason: str) -> RuleRun:
    version = application.versions.get(number=application.version)
    previous = application.rule_runs.filter(status=RunStatus.COMPLETED).order_by("-finished_at", "-id").first()
    jurisdictions = list(dict.fromkeys(version.terms.get("jurisdictions") or []))
    today = timezone.now().date()
    run = RuleRun.objects.create(
        application=application,
        version_number=version.number,
        reason=reason,
        # A submission is judged under the packs in force on its submission day (replays
        # decide the same); a re-run for a new pack version under those in force today.
        as_of=version.submitted_at.date() if reason == RunReason.SUBMISSION else today,
        jurisdictions=jurisdictions,
        application_attributes=selectors.application_attributes(application, version),
        previous_run=previous,
        started_at=timezone.now(),
    )
    JurisdictionResult.objects.bulk_create([JurisdictionResult(run=run, jurisdiction=j) for j in jurisdictions])
    return run


def _run_record_start(run: RuleRun, *, actor) -> None:
    audit_record(
        actor=actor,
        action="rule_run.start",
        obj=run,
        after={
            "application": run.application_id,
            "version": run.version_number,
            "reason": run.reason,
            "as_of": run.as_of,
            "jurisdictions": run.jurisdictions,
        },
    )


def _run_create(application: ProductApplication, *, reason: str, actor) -> RuleRun:
    run = _run_insert(application, reason=reason)
    _run_record_start(run, actor=actor)
    return run


@transaction.atomic
def run_begin_for_submission(*, application_id: int) -> RuleRun | None:
    """Start the checks of a submitted application: move it to checks_running and create the
    run. A redelivered message for an application already in checks_running returns its run
    (so the fan-out happens even if the first attempt died right after committing); for any
    other state there is nothing to do and it returns None."""
    app = ProductApplication.objects.select_for_update().get(pk=application_id)
    if app.state == ApplicationState.SUBMITTED:
        product_services.application_start_checks(application_id=application_id)
        app.refresh_from_db()
    elif app.state != ApplicationState.CHECKS_RUNNING:
        return None
    run = (
        app.rule_runs.filter(version_number=app.version, reason=RunReason.SUBMISSION)
        .order_by("-started_at", "-id")
        .first()
    )
    if run is None:
        run = _run_create(app, reason=RunReason.SUBMISSION, actor=SYSTEM)
    elif run.status == RunStatus.COMPLETED:
        # The run finished but the move to in_review did not commit with it (cannot happen
        # in one transaction; kept total for safety): finish the transition now.
        product_services.application_complete_checks(application_id=app.pk, summary=_summary(run))
        app.refresh_from_db()
        _reruns_record(_reruns_insert([app]), actor=SYSTEM)
    return run


def pending_jurisdictions(run_id: int) -> list[str]:
    return list(
        JurisdictionResult.objects.filter(run_id=run_id, status=PartStatus.PENDING).values_list(
            "jurisdiction", flat=True
        )
    )


def _constraints(findings: list[Finding]) -> tuple[DistributionConstraints, list[str], list[str]]:
    """Merged constraints, disclosure sections and required artifacts of fired findings.

    A fired, not overridden `block` (or a missing pack, or an evaluation error) blocks the
    jurisdiction; an override lifts that block but keeps the rule's other constraints.
    """
    fired = [f for f in findings if f.fired]
    merged = DistributionConstraints(jurisdiction_blocked=any(f.is_blocking for f in fired))
    sections, artifacts = [], []
    for finding in fired:
        if finding.rule is None:
            continue
        d = finding.rule.distribution
        categories = d.get("allowed_investor_categories")
        merged = merged.merge(
            DistributionConstraints(
                allowed_investor_categories=None if categories is None else frozenset(categories),
                appropriateness_required=d.get("appropriateness_required", False),
                acknowledgement_required=d.get("acknowledgement_required", False),
                jurisdiction_blocked=d.get("jurisdiction_blocked", False),
            )
        )
        sections.extend(finding.rule.disclosure_sections)
        if finding.artifact:
            artifacts.append(finding.artifact)
    return merged, list(dict.fromkeys(sections)), list(dict.fromkeys(artifacts))


def _store_constraints(result: JurisdictionResult, findings: list[Finding]) -> None:
    merged, sections, artifacts = _constraints(findings)
    constraints = merged.as_dict()
    for key, value in constraints.items():
        setattr(result, key, value)
    result.disclosure_sections = sections
    result.required_artifacts = artifacts


def _evaluate(run: RuleRun, jurisdiction: str, row: RulePack | None) -> list[Finding]:
    if row is None:
        return [
            Finding(
                run=run,
                jurisdiction=jurisdiction,
                rule_code=f"{jurisdiction}-NO-PACK",
                outcome=FindingOutcome.NO_PACK,
                fired=True,
                evidence={
                    "application.jurisdiction": jurisdiction,
                    "run.as_of": run.as_of.isoformat(),
                },
            )
        ]
    version = run.application.versions.get(number=run.version_number)
    context = build_context(
        product=version.terms,
        issuer=version.issuer_snapshot,
        application={**run.application_attributes, "jurisdiction": jurisdiction},
    )
    rules = {r.rule_id: r for r in row.rules.all()}
    findings = []
    for rule in compiled_pack(row).rules:
        outcome, artifact = rule.outcome.kind, rule.outcome.artifact or ""
        try:
            result = evaluate_rule(rule, context)
        except RuleEvaluationError as exc:
            findings.append(
                Finding(
                    run=run,
                    jurisdiction=jurisdiction,
                    rule=rules[rule.id],
                    rule_code=rule.id,
                    outcome=FindingOutcome.ERROR,
                    artifact=artifact,
                    fired=True,
                    evidence={ref.dotted: None for ref in rule.references},
                    error=exc.reason,
                )
            )
            continue
        findings.append(
            Finding(
                run=run,
                jurisdiction=jurisdiction,
                rule=rules[rule.id],
                rule_code=rule.id,
                outcome=outcome,
                artifact=artifact,
                fired=result.fired,
                evidence=dict(result.evidence),
            )
        )
    return findings


_KEY_SHARE_PACK = f"SELECT 1 FROM {RulePack._meta.db_table} WHERE id = %s FOR KEY SHARE"  # noqa: S608 - fixed name


def _pack_in_force_locked(jurisdiction: str, day) -> RulePack | None:
    """The pack in force on `day`, its row share-locked (FOR KEY SHARE) until commit.

    `packs_load` locks the pack rows it may change FOR UPDATE before it checks which runs used
    them, so a period cannot change between this read and the commit of the result that
    records the pack: the lock waits for a load in progress, and the period is read again."""
    row = selectors.pack_in_force(jurisdiction, day)
    while row is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_KEY_SHARE_PACK, [row.pk])
        again = selectors.pack_in_force(jurisdiction, day)
        if again is None or again.pk == row.pk:
            return again
        row = again
    return row


@transaction.atomic
def run_check_jurisdiction(*, run_id: int, jurisdiction: str) -> str:
    """Evaluate one jurisdiction of a run; the last one to finish completes the run.

    Runs under the run's row lock: the parts of one run serialize here, so exactly one of them
    sees no pending part left. A redelivery replaces this jurisdiction's findings (delete and
    insert in the same transaction; one finding per run and rule) instead of adding more.
    """
    run = RuleRun.objects.select_for_update().select_related("application").filter(pk=run_id).first()
    if run is None or run.status == RunStatus.COMPLETED:
        return "skipped"
    result = JurisdictionResult.objects.get(run=run, jurisdiction=jurisdiction)
    row = _pack_in_force_locked(jurisdiction, run.as_of)
    findings = _evaluate(run, jurisdiction, row)
    Finding.objects.filter(run=run, jurisdiction=jurisdiction).delete()
    Finding.objects.bulk_create(findings)
    now = timezone.now()
    result.pack = row
    result.status = PartStatus.DONE if row is not None else PartStatus.NO_PACK
    result.started_at = result.started_at or now
    result.finished_at = now
    _store_constraints(result, findings)
    result.save()
    run.pack_versions = {**run.pack_versions, jurisdiction: row.version if row else None}
    run.save(update_fields=["pack_versions"])
    if JurisdictionResult.objects.filter(run=run, status=PartStatus.PENDING).exists():
        return "checked"
    _run_finish(run)
    return "completed"


def _summary(run: RuleRun) -> dict:
    findings = list(run.findings.all())
    return {
        "rule_run": run.pk,
        "pack_versions": run.pack_versions,
        "fired": sum(f.fired for f in findings),
        "blocking": sum(f.is_blocking for f in findings),
    }


def _finding_state(finding: Finding) -> dict:
    return {"fired": finding.fired, "outcome": finding.outcome, "evidence": finding.evidence}


def findings_diff(old: RuleRun, new: RuleRun) -> dict:
    """What changed from one run to the next: pack versions and, per rule, its outcome.

    `changes` lists rules that now fire, no longer fire, changed outcome, were added or
    removed (by stable rule id), each with the before/after state and evidence.
    """
    before = {f.rule_code: f for f in old.findings.all()}
    after = {f.rule_code: f for f in new.findings.all()}
    changes = []
    for code in sorted(before.keys() | after.keys()):
        a, b = before.get(code), after.get(code)
        if a is None:
            kind = "new_rule"
        elif b is None:
            kind = "rule_removed"
        elif a.fired != b.fired:
            kind = "now_fires" if b.fired else "no_longer_fires"
        elif a.outcome != b.outcome:
            kind = "outcome_changed"
        elif a.fired and a.evidence != b.evidence:
            kind = "evidence_changed"
        else:
            continue
        changes.append(
            {
                "jurisdiction": (b or a).jurisdiction,
                "rule": code,
                "change": kind,
                "before": _finding_state(a) if a else None,
                "after": _finding_state(b) if b else None,
            }
        )
    packs = {
        j: {"before": old.pack_versions.get(j), "after": new.pack_versions.get(j)}
        for j in sorted(set(old.pack_versions) | set(new.pack_versions))
        if old.pack_versions.get(j) != new.pack_versions.get(j)
    }
    return {"previous_run": old.pk, "packs": packs, "changes": changes}


def _run_finish(run: RuleRun) -> None:
    """Complete a run (its row locked by the caller); a submission moves to in_review.

    The run then is compared with the packs in force today: a submission is judged as of its
    submission day and a run may have been in flight while a new version loaded, so when it
    used versions no longer in force, a `pack_update` run follows at once (`_is_stale`).
    """
    # The application row first, before the audit chain: the order every products service
    # (and packs_load) takes them in. It also orders this comparison with a pack load.
    application = product_services.lock_application(run.application_id)
    run.status = RunStatus.COMPLETED
    run.finished_at = timezone.now()
    if run.previous_run_id:
        run.diff = json.loads(json.dumps(findings_diff(run.previous_run, run), default=str))
    run.save(update_fields=["status", "finished_at", "diff"])
    summary = _summary(run)
    if run.reason == RunReason.SUBMISSION:
        product_services.application_complete_checks(application_id=run.application_id, summary=summary)
    audit_record(actor=SYSTEM, action="rule_run.complete", obj=run, after=summary)
    application.refresh_from_db()
    _reruns_record(_reruns_insert([application]), actor=SYSTEM)


@transaction.atomic
def run_finish_if_done(*, run_id: int) -> bool:
    """Complete a run none of whose parts is pending (e.g. one with no jurisdiction at all)."""
    run = RuleRun.objects.select_for_update().get(pk=run_id)
    if run.status == RunStatus.COMPLETED or run.results.filter(status=PartStatus.PENDING).exists():
        return False
    _run_finish(run)
    return True


def run_execute(run: RuleRun) -> RuleRun:
    """Evaluate every pending jurisdiction of a run in this process (demo seed, tests, CLI)."""
    for jurisdiction in pending_jurisdictions(run.pk):
        run_check_jurisdiction(run_id=run.pk, jurisdiction=jurisdiction)
    run_finish_if_done(run_id=run.pk)
    run.refresh_from_db()
    return run


@transaction.atomic
def run_create_for_review(*, application: ProductApplication, actor=SYSTEM, reason=RunReason.DEMO) -> RuleRun:
    """A run of an application's current version outside the submission flow (demo seed)."""
    if application.version < 1:
        raise IllegalTransition("The application has no submitted version to check.")
    return _run_create(application, reason=reason, actor=actor)


# --- overrides -----------------------------------------------------------------------------


@transaction.atomic
def finding_override(*, finding: Finding, actor, rationale: str) -> Finding:
    """A senior approver lifts a blocking finding, with a written rationale (audited)."""
    if not getattr(actor, "is_senior", False):
        raise NotPermitted("Only a senior approver may override a blocking finding.")
    rationale = required_text(
        rationale, field="rationale", message="Explain in writing why this finding does not block approval."
    )
    # The run, then the application, then the finding: the lock order in this module's docstring.
    run = RuleRun.objects.select_for_update().get(pk=finding.run_id)
    application = product_services.lock_application(run.application_id)
    if application.state != ApplicationState.IN_REVIEW:
        raise IllegalTransition(
            f"Application #{application.pk} is {application.get_state_display().lower()}: only the findings of "
            "an application in review decide anything, so only those can be overridden."
        )
    latest = selectors.latest_run(application)
    if latest is None or latest.pk != run.pk or run.status != RunStatus.COMPLETED:
        raise IllegalTransition(
            f"Rule run #{run.pk} is not the latest of version {application.version}"
            + (f" (run #{latest.pk} is)" if latest else "")
            + ": override the findings of the latest run once it has completed."
        )
    finding = Finding.objects.select_for_update(of=("self",)).select_related("rule", "overridden_by").get(pk=finding.pk)
    if not (finding.fired and finding.outcome in BLOCKING_OUTCOMES):
        raise IllegalTransition(f"{finding.rule_code} does not block approval; there is nothing to override.")
    if finding.is_overridden:
        raise Conflict(f"{finding.rule_code} was already overridden by {finding.overridden_by.get_username()}.")
    finding.overridden_by = actor
    finding.override_rationale = rationale
    finding.overridden_at = timezone.now()
    finding.save(update_fields=["overridden_by", "override_rationale", "overridden_at"])
    result = JurisdictionResult.objects.select_for_update().get(run=run, jurisdiction=finding.jurisdiction)
    before = {"jurisdiction_blocked": result.jurisdiction_blocked}
    _store_constraints(
        result, list(Finding.objects.filter(run=run, jurisdiction=finding.jurisdiction).select_related("rule"))
    )
    result.save()
    audit_record(
        actor=actor,
        action="finding.override",
        obj=finding,
        before={**before, "rule": finding.rule_code, "outcome": finding.outcome, "evidence": finding.evidence},
        after={"jurisdiction_blocked": result.jurisdiction_blocked, "application": run.application_id},
        rationale=rationale,
    )
    return finding
