"""Reads for KYC: what a user may see, and the per-investor facts the eligibility snapshot needs."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from compliance.kyc.models import AppropriatenessAssessment, Investor, KycCase, Party, Position


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
            sanctions_state=inv.party.sanctions_state,
            order_notional_limit=inv.order_notional_limit,
            order_limit_currency=inv.order_limit_currency,
            appropriateness=appropriateness.get(inv.pk, {}),
            positions=positions.get(inv.pk, {}),
        )
        for inv in Investor.objects.select_related("party").order_by("reference")
    ]
