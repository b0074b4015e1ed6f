"""Writes for KYC/KYB: parties, investors, cases and their documents and decisions.

Case workflow: opened -> checks_running -> awaiting_review -> approved | rejected, and
approved -> expired when the review date passes. An officer may send a case under review back
to checks (after new documents), which runs the automatic checks again.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from stdnum import lei as stdnum_lei

from compliance.audit.services import audit_record
from compliance.kyc import documents, risk
from compliance.kyc.models import (
    CASE_IN_PROGRESS,
    AppropriatenessAssessment,
    CaseDecision,
    CaseState,
    DecisionKind,
    Document,
    Investor,
    KycCase,
    KycStatus,
    Party,
    PartyKind,
    PartyRelation,
    Position,
    RelationRole,
    RiskRating,
    SanctionsState,
)
from config.errors import Conflict, IllegalTransition, NotPermitted
from config.text import required_text

IN_PROGRESS = CASE_IN_PROGRESS
APPROVALS_FOR_HIGH_RISK = 2


def _is_system(actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system")


def _require_officer(actor) -> None:
    if not (_is_system(actor) or getattr(actor, "is_officer", False)):
        raise NotPermitted("Only a compliance officer may do that.")


def _require_rationale(rationale: str) -> str:
    return required_text(rationale, field="rationale", message="A rationale is required for this decision.")


def _user(actor):
    return None if _is_system(actor) else actor


def party_snapshot(party: Party) -> dict:
    return {
        "kind": party.kind,
        "name": party.name,
        "aliases": party.aliases,
        "birth_date": party.birth_date,
        "nationalities": party.nationalities,
        "residence_country": party.residence_country,
        "tax_residences": party.tax_residences,
        "lei": party.lei,
        "registration_number": party.registration_number,
        "country": party.country,
        "issuer": party.issuer_id,
    }


def _queue_screen(party_ids: list[int]) -> None:
    from compliance.sanctions.tasks import sanctions_screen_parties

    transaction.on_commit(lambda: sanctions_screen_parties.delay(party_ids))


# --- parties and investors ---------------------------------------------------------------------


@transaction.atomic
def party_create(*, actor, kind: str, name: str, screen: bool = True, **fields) -> Party:
    """Register a person or entity. ``screen`` queues a first screening against the lists."""
    _require_officer(actor)
    if kind not in PartyKind.values:
        raise ValidationError({"kind": [f"Choose one of {', '.join(PartyKind.values)}."]})
    party = Party(kind=kind, name=(name or "").strip(), created_by=_user(actor), **fields)
    party.full_clean()
    already = {"issuer": ["This issuer already has a KYB party."]}
    if party.issuer_id and Party.objects.filter(issuer_id=party.issuer_id).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError:
        # Another officer registered the issuer's party since the check (the only unique field).
        raise ValidationError(already)
    audit_record(actor=actor, action="party.create", obj=party, after=party_snapshot(party))
    if screen:
        _queue_screen([party.pk])
    return party


@transaction.atomic
def party_add_relation(
    *, actor, entity: Party, related: Party, role: str, ownership_pct: Decimal | None = None
) -> PartyRelation:
    """Declare a beneficial owner (25% or more) or a director of an entity."""
    _require_officer(actor)
    if entity.kind != PartyKind.ENTITY:
        raise ValidationError({"entity": ["Only a legal entity has beneficial owners and directors."]})
    relation = PartyRelation(entity=entity, related=related, role=role, ownership_pct=ownership_pct)
    if entity.pk == related.pk:
        raise ValidationError({"related": ["An entity cannot own or direct itself."]})
    relation.full_clean(validate_constraints=False)
    # Locked, so two owners declared at once cannot together pass 100 %, and so a relation is
    # declared either before or after an approval of the entity's case (case_decide locks the
    # case with its party), never while the decision reads whether the checks are still current.
    Party.objects.select_for_update().filter(pk=entity.pk).first()
    if role == RelationRole.UBO:
        held = entity.relations.filter(role=RelationRole.UBO).aggregate(total=Sum("ownership_pct"))["total"] or 0
        if held + ownership_pct > 100:
            raise ValidationError(
                {"ownership_pct": [f"The declared owners already hold {held}% of {entity.name}; at most 100% in all."]}
            )
    try:
        with transaction.atomic():
            relation.save()
    except IntegrityError:
        raise ValidationError({"related": ["This party already has this role in the entity."]})
    audit_record(
        actor=actor,
        action="party.add_relation",
        obj=entity,
        after={"related": related.pk, "role": role, "ownership_pct": ownership_pct},
    )
    return relation


def _person_create(*, actor, name: str, residence_country: str, birth_date, nationalities) -> Party:
    """A natural person registered from a web form, screened after commit."""
    return party_create(
        actor=actor,
        kind=PartyKind.PERSON,
        name=name,
        birth_date=birth_date,
        nationalities=list(nationalities or []),
        residence_country=residence_country,
    )


def issuer_party_create(*, actor, issuer) -> Party:
    """The issuer's KYB party, registered from the issuer's own record. Not screened here: the
    checks of its KYB case screen it with its owners and directors."""
    return party_create(
        actor=actor,
        kind=PartyKind.ENTITY,
        name=issuer.legal_name,
        lei=issuer.lei,
        registration_number=issuer.registration_number,
        country=issuer.country,
        issuer=issuer,
        screen=False,
    )


@transaction.atomic
def party_add_person(
    *,
    actor,
    entity: Party,
    name: str,
    role: str,
    residence_country: str,
    birth_date: date | None = None,
    nationalities: list[str] | None = None,
    ownership_pct: Decimal | None = None,
) -> PartyRelation:
    """Declare a natural person as a beneficial owner or director of an entity, registering the
    person (screened after commit). Either both are written or neither."""
    person = _person_create(
        actor=actor, name=name, residence_country=residence_country, birth_date=birth_date, nationalities=nationalities
    )
    return party_add_relation(actor=actor, entity=entity, related=person, role=role, ownership_pct=ownership_pct)


@transaction.atomic
def investor_register(
    *,
    actor,
    name: str,
    residence_country: str,
    reference: str,
    category: str,
    birth_date: date | None = None,
    nationalities: list[str] | None = None,
    category_evidence: str = "",
    category_assessed_on: date | None = None,
    order_notional_limit: Decimal | None = None,
    order_limit_currency: str = "USD",
) -> Investor:
    """Register a natural person as an investor in one step: the party (screened after commit)
    and its investor record. Either both are written or neither."""
    party = _person_create(
        actor=actor, name=name, residence_country=residence_country, birth_date=birth_date, nationalities=nationalities
    )
    return investor_create(
        actor=actor,
        party=party,
        reference=reference,
        category=category,
        residence_jurisdiction=residence_country,
        category_evidence=category_evidence,
        category_assessed_on=category_assessed_on,
        order_notional_limit=order_notional_limit,
        order_limit_currency=order_limit_currency,
    )


@transaction.atomic
def investor_create(
    *,
    actor,
    party: Party,
    reference: str,
    category: str,
    residence_jurisdiction: str = "",
    category_evidence: str = "",
    category_assessed_on: date | None = None,
    order_notional_limit: Decimal | None = None,
    order_limit_currency: str = "USD",
) -> Investor:
    _require_officer(actor)
    investor = Investor(
        party=party,
        reference=(reference or "").strip(),
        category=category,
        residence_jurisdiction=residence_jurisdiction or party.jurisdiction,
        category_evidence=category_evidence,
        category_assessed_on=category_assessed_on,
        order_notional_limit=order_notional_limit,
        order_limit_currency=order_limit_currency,
    )
    investor.full_clean(validate_unique=False)
    taken = {
        "reference": "An investor with this reference already exists.",
        "party": "This party is already an investor.",
    }
    if Investor.objects.filter(reference=investor.reference).exists():
        raise ValidationError({"reference": [taken["reference"]]})
    if Investor.objects.filter(party=party).exists():
        raise ValidationError({"party": [taken["party"]]})
    try:
        with transaction.atomic():
            investor.save()
    except IntegrityError:
        # Registered by someone else since the checks above: the unique index is the referee.
        field = "reference" if Investor.objects.filter(reference=investor.reference).exists() else "party"
        raise ValidationError({field: [taken[field]]})
    audit_record(
        actor=actor,
        action="investor.create",
        obj=investor,
        after={
            "party": party.pk,
            "reference": investor.reference,
            "category": category,
            "residence_jurisdiction": investor.residence_jurisdiction,
            "order_notional_limit": order_notional_limit,
        },
    )
    return investor


@transaction.atomic
def appropriateness_record(
    *, actor, investor: Investor, passed: bool, product=None, notes: str = "", assessed_at=None
) -> AppropriatenessAssessment:
    _require_officer(actor)
    assessment = AppropriatenessAssessment.objects.create(
        investor=investor, product=product, passed=passed, notes=notes, assessed_at=assessed_at or timezone.now()
    )
    audit_record(
        actor=actor,
        action="investor.appropriateness",
        obj=investor,
        after={"product": product.symbol if product else None, "passed": passed},
    )
    return assessment


@transaction.atomic
def position_set(*, actor, investor: Investor, product, contracts: int) -> Position:
    _require_officer(actor)
    position, _ = Position.objects.select_for_update().get_or_create(investor=investor, product=product)
    before = position.contracts
    position.contracts = contracts
    position.save(update_fields=["contracts", "updated_at"])
    audit_record(
        actor=actor,
        action="investor.position",
        obj=investor,
        before={"product": product.symbol, "contracts": before},
        after={"product": product.symbol, "contracts": contracts},
    )
    return position


# --- cases ---------------------------------------------------------------------------------


def kyc_summary(party: Party) -> tuple[str, date | None]:
    """The party's KYC status and expiry from its cases.

    The latest case's state, except that a renewal in progress keeps the approval of the case
    directly before it while that approval is unexpired. Only that predecessor counts: if it was
    rejected (or has expired), opening a new case does not revive an older approval; the party
    is not approved until the new case is.
    """
    cases = list(party.cases.order_by("-opened_at", "-id")[:2])
    if not cases:
        return KycStatus.NONE, None
    latest = cases[0]
    if latest.state in IN_PROGRESS and len(cases) > 1:
        previous = cases[1]
        if (
            previous.state == CaseState.APPROVED
            and previous.expires_on is not None
            and previous.expires_on >= timezone.localdate()  # valid through its expiry date
        ):
            return KycStatus.APPROVED, previous.expires_on
    expires = latest.expires_on if latest.state in (CaseState.APPROVED, CaseState.EXPIRED) else None
    return latest.state, expires


def _refresh_summary(party: Party) -> None:
    party.kyc_status, party.kyc_expires_on = kyc_summary(party)
    party.save(update_fields=["kyc_status", "kyc_expires_on", "updated_at"])


def _move(case: KycCase, target: str, *, actor, action: str, rationale: str = "", extra: dict | None = None):
    before = {"state": case.state}
    case.state = target
    case.state_changed_at = timezone.now()
    case.save()
    _refresh_summary(case.party)
    audit_record(
        actor=actor,
        action=f"kyc_case.{action}",
        obj=case,
        before=before,
        after={"state": target, **(extra or {})},
        rationale=rationale,
    )
    return case


def _lock(case_id: int) -> KycCase:
    return KycCase.objects.select_for_update().select_related("party").get(pk=case_id)


def _queue_checks(case_id: int) -> None:
    from compliance.kyc.tasks import kyc_case_run_checks

    transaction.on_commit(lambda: kyc_case_run_checks.delay(case_id))


@transaction.atomic
def case_open(*, actor, party: Party, run_checks: bool = True) -> KycCase:
    _require_officer(actor)
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.cases.filter(state__in=IN_PROGRESS).exists():
        raise Conflict(f"{party.name} already has a case in progress.")
    case = KycCase.objects.create(party=party, opened_by=_user(actor))
    _refresh_summary(party)
    audit_record(actor=actor, action="kyc_case.open", obj=case, after={"party": party.pk, "state": case.state})
    if run_checks:
        _queue_checks(case.pk)
    return case


@transaction.atomic
def issuer_kyb_open(*, actor, issuer) -> KycCase:
    """Open a KYB case on an issuer, registering its entity party from the issuer's own record
    (legal name, LEI, registration number, country) when it has none yet. Owners and directors
    are added to the party afterwards; re-running the case's checks screens them too."""
    from products.models import Issuer

    _require_officer(actor)
    # The issuer's row lock makes two officers starting KYB at once register one party.
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    party = Party.objects.filter(issuer=issuer).first() or issuer_party_create(actor=actor, issuer=issuer)
    return case_open(actor=actor, party=party)


@transaction.atomic
def case_start_checks(*, case_id: int) -> KycCase | None:
    """Called by the worker; None when there is nothing to do (a redelivered task)."""
    case = _lock(case_id)
    if case.state not in (CaseState.OPENED, CaseState.CHECKS_RUNNING):
        return None
    if case.state == CaseState.CHECKS_RUNNING:
        return case
    return _move(case, CaseState.CHECKS_RUNNING, actor="system:kyc_checks", action="start_checks")


def _screened_parties(party: Party) -> list[Party]:
    related = [r.related for r in party.relations.select_related("related")] if party.kind == PartyKind.ENTITY else []
    return [party, *dict.fromkeys(related)]


def collect_checks(case: KycCase) -> dict:
    """The automatic checks' results, as stored on the case."""
    party = case.party
    parties = _screened_parties(party)
    screening = [
        {
            "party": p.pk,
            "name": p.name,
            "role": "subject" if p.pk == party.pk else "related",
            "sanctions_state": p.sanctions_state,
            "open_hits": p.hits.filter(state="open").count(),
        }
        for p in parties
    ]
    present = set(case.documents.values_list("doc_type", flat=True))
    missing = documents.missing_documents(party.kind, present)
    checks = {
        "sanctions": {
            "passed": all(s["sanctions_state"] == SanctionsState.CLEAR for s in screening),
            "parties": screening,
        },
        "documents": {"passed": not missing, "missing": missing, "present": sorted(present)},
    }
    if party.kind == PartyKind.ENTITY:
        valid = bool(party.lei) and stdnum_lei.is_valid(party.lei)
        checks["lei"] = {
            "passed": valid,
            "lei": party.lei,
            "detail": "ISO 17442 check digits valid" if valid else "missing or invalid LEI (ISO 17442 check digits)",
        }
    return checks


@transaction.atomic
def case_complete_checks(*, case_id: int) -> KycCase | None:
    case = _lock(case_id)
    if case.state != CaseState.CHECKS_RUNNING:
        return None
    case.checks = collect_checks(case)
    case.risk_rating, case.risk_factors = risk.assess(case.party)
    return _move(
        case,
        CaseState.AWAITING_REVIEW,
        actor="system:kyc_checks",
        action="complete_checks",
        extra={"risk_rating": case.risk_rating, "checks": {k: v["passed"] for k, v in case.checks.items()}},
    )


def case_run_checks(*, case_id: int, index=None) -> KycCase | None:
    """The automatic checks of one case: screen the party (and an entity's UBOs and directors),
    check LEI digits and documents, rate the risk. Each step is its own transaction and
    idempotent, so a redelivered task finishes what a lost one started."""
    from compliance.sanctions.services import party_screen

    case = case_start_checks(case_id=case_id)
    if case is None:
        return None
    for party in _screened_parties(case.party):
        party_screen(party_id=party.pk, actor="system:kyc_checks", index=index)
    return case_complete_checks(case_id=case_id)


@transaction.atomic
def case_rerun_checks(*, case: KycCase, actor) -> KycCase:
    _require_officer(actor)
    case = _lock(case.pk)
    if case.state != CaseState.AWAITING_REVIEW:
        raise IllegalTransition(f"Checks can be run again only on a case awaiting review, not {case.state}.")
    case.decisions.all().delete()  # an approval given on the old results no longer stands
    _move(case, CaseState.OPENED, actor=actor, action="rerun_checks")
    _queue_checks(case.pk)
    return case


CHECKS_STALE = "The owners, directors or documents changed after the checks ran: run the checks again."
SCREENING_STALE = "The screening results or risk factors changed after the checks ran: run the checks again."


def stale_checks_reason(case: KycCase) -> str | None:
    """Why the case's stored checks and risk rating no longer reflect its current inputs, or None.

    The checks are taken again from what they read now (the party, its owners and directors and
    their screening state, the case's documents, the FATF lists), without screening, and compared
    with what is stored: any difference means a decision would rest on stale results (an owner or
    director declared since was neither screened nor rated). Running the checks again clears it.
    """
    stored = case.checks or {}
    fresh = collect_checks(case)

    def inputs(checks: dict) -> tuple:
        parties = [
            (p.get("party"), p.get("role"), p.get("name")) for p in checks.get("sanctions", {}).get("parties", [])
        ]
        return parties, checks.get("documents"), checks.get("lei")

    if inputs(stored) != inputs(fresh):
        return CHECKS_STALE
    if stored != fresh or (case.risk_rating, case.risk_factors) != risk.assess(case.party):
        return SCREENING_STALE
    return None


def _check_blockers(case: KycCase) -> list[str]:
    blockers = []
    checks = case.checks or {}
    for name, label in (("documents", "required documents"), ("lei", "LEI check")):
        if name in checks and not checks[name]["passed"]:
            blockers.append(f"{label} not satisfied")
    for party in _screened_parties(case.party):
        if party.sanctions_state == SanctionsState.CONFIRMED:
            blockers.append(f"{party.name} is a confirmed sanctions match")
        elif party.sanctions_state == SanctionsState.OPEN_HIT:
            blockers.append(f"{party.name} has a sanctions hit awaiting review")
    return blockers


def approval_blockers(case: KycCase) -> list[str]:
    """Why this case cannot be approved on its current check results (stale results first)."""
    stale = stale_checks_reason(case)
    return [stale, *_check_blockers(case)] if stale else _check_blockers(case)


@transaction.atomic
def case_decide(*, case: KycCase, actor, decision: str, rationale: str) -> KycCase:
    """Record an officer's decision. Rejection is final at once; approval of a high-risk case
    needs a second, different officer (four-eyes), and any approval needs checks that reflect
    the case's current inputs (``stale_checks_reason``)."""
    rationale = _require_rationale(rationale)
    if not getattr(actor, "is_officer", False):
        raise NotPermitted("Only a compliance officer may decide a KYC case.")
    if decision not in DecisionKind.values:
        raise ValidationError({"decision": [f"Choose one of {', '.join(DecisionKind.values)}."]})
    case = _lock(case.pk)
    if case.state != CaseState.AWAITING_REVIEW:
        raise IllegalTransition(f"Case #{case.pk} is {case.get_state_display().lower()}, not awaiting review.")
    if decision == DecisionKind.REJECT:
        CaseDecision.objects.filter(case=case, officer=actor).delete()
        CaseDecision.objects.create(case=case, officer=actor, decision=decision, rationale=rationale)
        case.decided_at = timezone.now()
        return _move(case, CaseState.REJECTED, actor=actor, action="reject", rationale=rationale)
    stale = stale_checks_reason(case)
    if stale:
        raise IllegalTransition(stale, code="checks_stale")
    blockers = _check_blockers(case)
    if blockers:
        raise IllegalTransition("Cannot approve yet: " + "; ".join(blockers), code="approval_blocked")
    approvals = list(case.decisions.filter(decision=DecisionKind.APPROVE))
    if any(a.officer_id == actor.pk for a in approvals):
        raise Conflict("You already approved this case; a second, different officer must approve it.")
    CaseDecision.objects.create(case=case, officer=actor, decision=decision, rationale=rationale)
    required = APPROVALS_FOR_HIGH_RISK if case.risk_rating == RiskRating.HIGH else 1
    if len(approvals) + 1 < required:
        audit_record(
            actor=actor,
            action="kyc_case.approve_first",
            obj=case,
            after={"state": case.state, "risk_rating": case.risk_rating},
            rationale=rationale,
        )
        return case
    today = timezone.localdate()
    case.decided_at = timezone.now()
    case.expires_on = risk.expiry_for(case.risk_rating or RiskRating.HIGH, today)
    return _move(
        case,
        CaseState.APPROVED,
        actor=actor,
        action="approve",
        rationale=rationale,
        extra={"risk_rating": case.risk_rating, "expires_on": case.expires_on},
    )


@transaction.atomic
def cases_expire(*, today: date | None = None) -> int:
    """Expire approved cases whose review date has passed (idempotent; run daily by beat)."""
    today = today or timezone.localdate()
    expired = 0
    for case in (
        KycCase.objects.select_for_update()
        .select_related("party")
        .filter(state=CaseState.APPROVED, expires_on__lt=today)
    ):
        _move(case, CaseState.EXPIRED, actor="system:kyc_expiry", action="expire", extra={"expired_on": today})
        expired += 1
    return expired


@transaction.atomic
def document_add(*, actor, case: KycCase, doc_type: str, file_type: str, data: bytes, name: str) -> Document:
    """Attach evidence to a case after checking its content is the declared type and size."""
    _require_officer(actor)
    case = _lock(case.pk)
    if case.state not in IN_PROGRESS:
        raise IllegalTransition(f"Case #{case.pk} is {case.get_state_display().lower()}; documents are closed.")
    from compliance.kyc.models import DocumentType

    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": [f"Choose one of {', '.join(DocumentType.values)}."]})
    digest = documents.validate_document(data=data, file_type=file_type)
    if case.documents.filter(sha256=digest).exists():
        raise ValidationError({"file": ["This file is already attached to the case."]})
    document = Document(
        case=case,
        doc_type=doc_type,
        file_type=file_type,
        original_name=(name or "document")[:255],
        sha256=digest,
        size=len(data),
        uploaded_by=actor,
    )
    document.file.save(f"{digest}.{file_type}", ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=actor,
        action="kyc_case.add_document",
        obj=case,
        after={"doc_type": doc_type, "file_type": file_type, "sha256": digest, "size": len(data)},
    )
    return document
