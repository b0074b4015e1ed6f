"""Reads for KYC: what a user may see, and the per-investor facts the eligibility snapshot needs."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from compliance.kyc.models import (
    AppropriatenessAssessment,
    Investor,
    KycCase,
    Party,
    PartyRelation,
    Position,
    SanctionsState,
)


def parties_visible_to(user) -> QuerySet[Party]:
    """Parties, cases and screening are staff matters: issuers see none of them (not even their own)."""
    if not (user.is_authenticated and user.sees_all_issuers):
        return Party.objects.none()
    return Party.objects.select_related("issuer")


def cases_visible_to(user) -> QuerySet[KycCase]:
    if not (user.is_authenticated and user.sees_all_issuers):
        return KycCase.objects.none()
    return KycCase.objects.select_related("party")


def investors_visible_to(user) -> QuerySet[Investor]:
    if not (user.is_authenticated and user.sees_all_issuers):
        return Investor.objects.none()
    return Investor.objects.select_related("party")


def investor_trading_record(investor: Investor) -> dict:
    """What an officer checks when an exchange hears a rejection: the investor's appropriateness
    results, open positions and disclosure acknowledgements (newest first)."""
    acknowledgements = getattr(investor, "disclosure_acknowledgements", None)  # the disclosures app may be absent
    return {
        "assessments": list(investor.assessments.select_related("product").order_by("-assessed_at")[:50]),
        "positions": list(investor.positions.select_related("product").exclude(contracts=0)),
        "acknowledgements": list(acknowledgements.select_related("document__product")[:50])
        if acknowledgements is not None
        else None,
    }


# --- sanctions of a party together with its owners and directors -------------------------------

_SEVERITY = {SanctionsState.CLEAR: 0, SanctionsState.OPEN_HIT: 1, SanctionsState.CONFIRMED: 2}


def worst_sanctions_state(*states: str) -> str:
    """confirmed over open_hit over clear (an unknown state wins, so the engine refuses it loudly)."""
    return max(states, key=lambda s: _SEVERITY.get(s, 3), default=SanctionsState.CLEAR)


def related_sanctions_states() -> dict[int, str]:
    """{entity party id: worst sanctions state among its beneficial owners and directors}, for the
    entities with at least one related party that is not clear. One query, whatever the number of
    parties (only the few non-clear related parties come back). Direct relations only, the ones a
    KYC/KYB case screens: the owners of an owner that is itself an entity are not followed."""
    worst: dict[int, str] = {}
    rows = (
        PartyRelation.objects.exclude(related__sanctions_state=SanctionsState.CLEAR)
        .values_list("entity_id", "related__sanctions_state")
        .order_by()
    )
    for entity_id, state in rows:
        worst[entity_id] = worst_sanctions_state(worst.get(entity_id, SanctionsState.CLEAR), state)
    return worst


def related_sanctions_state(party: Party) -> str:
    """The worst sanctions state among the party's beneficial owners and directors (one query)."""
    states = (
        PartyRelation.objects.filter(entity_id=party.pk)
        .exclude(related__sanctions_state=SanctionsState.CLEAR)
        .values_list("related__sanctions_state", flat=True)
        .distinct()
        .order_by()
    )
    return worst_sanctions_state(SanctionsState.CLEAR, *states)


@dataclass(frozen=True)
class InvestorFacts:
    """What eligibility needs about one investor, read in a handful of queries for all of them."""

    reference: str
    category: str
    residence_jurisdiction: str
    kyc_status: str
    kyc_expires_on: date | None
    sanctions_state: str
    order_notional_limit: Decimal | None
    order_limit_currency: str
    # product symbol (None: every product) -> latest result
    appropriateness: dict[str | None, bool]
    # product symbol -> contracts
    positions: dict[str, int]


def investor_facts() -> list[InvestorFacts]:
    related = related_sanctions_states()
    appropriateness: dict[int, dict[str | None, bool]] = {}
    # Latest first, so the first result seen per (investor, product) is the one that counts.
    for investor_id, symbol, passed in AppropriatenessAssessment.objects.order_by(
        "investor_id", "-assessed_at", "-id"
    ).values_list("investor_id", "product__symbol", "passed"):
        appropriateness.setdefault(investor_id, {}).setdefault(symbol, passed)
    positions: dict[int, dict[str, int]] = {}
    for investor_id, symbol, contracts in Position.objects.values_list("investor_id", "product__symbol", "contracts"):
        positions.setdefault(investor_id, {})[symbol] = contracts
    return [
        InvestorFacts(
            reference=inv.reference,
            category=inv.category,
            residence_jurisdiction=inv.residence_jurisdiction,
            kyc_status=inv.party.kyc_status,
            kyc_expires_on=inv.party.kyc_expires_on,
            sanctions_state=worst_sanctions_state(
                inv.party.sanctions_state, related.get(inv.party_id, SanctionsState.CLEAR)
            ),
            order_notional_limit=inv.order_notional_limit,
            order_limit_currency=inv.order_limit_currency,
            appropriateness=appropriateness.get(inv.pk, {}),
            positions=positions.get(inv.pk, {}),
        )
        for inv in Investor.objects.select_related("party").order_by("reference")
    ]
