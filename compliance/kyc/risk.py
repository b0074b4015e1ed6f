"""Risk rating of a KYC/KYB case from documented factors, and the review period it implies.

Factors and points (a factor list is stored on the case, so every rating can be explained):

- ``jurisdiction_call_for_action`` (high outright): the party's, a UBO's or a director's
  country is on the FATF call-for-action list;
- ``jurisdiction_monitored`` (2): the party's country is under FATF increased monitoring;
- ``related_jurisdiction`` (1): a UBO or director is in a monitored jurisdiction;
- ``sanctions_confirmed`` (high outright): a confirmed match on the party or a related party;
- ``sanctions_open`` (3): an undecided hit on the party or a related party;
- ``sanctions_cleared`` (1): a hit cleared as a false positive (name proximity);
- ``layered_ownership`` (1): an entity owned (25%+) through another entity;
- ``no_beneficial_owner`` (1): an entity with no declared beneficial owner.

Rating: high at 3 points or an outright factor, medium at 1-2, low at 0.
Review period (expiry after approval): high 1 year, medium 2 years, low 3 years — the
periodic-review cadence of a risk-based approach (FATF Recommendation 10, EU AMLD art. 14(5)).
"""

import json
from datetime import date
from functools import cache
from pathlib import Path

from compliance.kyc.models import PartyKind, RelationRole, RiskRating, SanctionsState

RISK_DATA = Path(__file__).resolve().parent / "data" / "fatf-2025-06.json"
HIGH_AT = 3
REVIEW_YEARS = {RiskRating.HIGH: 1, RiskRating.MEDIUM: 2, RiskRating.LOW: 3}
# What an officer reads for each stored factor code.
FACTOR_LABELS = {
    "jurisdiction_call_for_action": "FATF call for action",
    "jurisdiction_monitored": "FATF increased monitoring",
    "related_jurisdiction": "Owner or director in a monitored jurisdiction",
    "sanctions_confirmed": "Confirmed sanctions match",
    "sanctions_open": "Sanctions hit awaiting review",
    "sanctions_cleared": "Sanctions hit cleared as a false positive",
    "layered_ownership": "Owned through another entity",
    "no_beneficial_owner": "No beneficial owner declared",
}


@cache
def fatf_lists() -> dict:
    return json.loads(RISK_DATA.read_text())


def _jurisdiction_factor(country: str, *, who: str, related: bool) -> dict | None:
    data = fatf_lists()
    if country in data["call_for_action"]:
        return {
            "factor": "jurisdiction_call_for_action",
            "detail": f"{who}: {country} is on the FATF call-for-action list ({data['as_of']})",
            "points": HIGH_AT,
            "outright": True,
        }
    if country in data["increased_monitoring"]:
        return {
            "factor": "related_jurisdiction" if related else "jurisdiction_monitored",
            "detail": f"{who}: {country} is under FATF increased monitoring ({data['as_of']})",
            "points": 1 if related else 2,
        }
    return None


def _countries(party) -> list[str]:
    return list(dict.fromkeys([c for c in [party.jurisdiction, *party.nationalities] if c]))


def _sanctions_factors(party, *, who: str) -> list[dict]:
    factors = []
    if party.sanctions_state == SanctionsState.CONFIRMED:
        factors.append(
            {"factor": "sanctions_confirmed", "detail": f"{who}: confirmed match", "points": 3, "outright": True}
        )
    elif party.sanctions_state == SanctionsState.OPEN_HIT:
        factors.append({"factor": "sanctions_open", "detail": f"{who}: hit awaiting review", "points": 3})
    elif party.hits.filter(state="cleared").exists():
        factors.append(
            {"factor": "sanctions_cleared", "detail": f"{who}: name close to a listed name (cleared)", "points": 1}
        )
    return factors


def assess(party) -> tuple[str, list[dict]]:
    """The rating and the factors that produced it."""
    factors: list[dict] = []
    for country in _countries(party):
        factor = _jurisdiction_factor(country, who=party.name, related=False)
        if factor:
            factors.append(factor)
    factors += _sanctions_factors(party, who=party.name)
    if party.kind == PartyKind.ENTITY:
        relations = list(party.relations.select_related("related"))
        owners = [r for r in relations if r.role == RelationRole.UBO]
        if not owners:
            factors.append(
                {"factor": "no_beneficial_owner", "detail": "no beneficial owner of 25% or more declared", "points": 1}
            )
        if any(r.related.kind == PartyKind.ENTITY for r in owners):
            factors.append({"factor": "layered_ownership", "detail": "owned through another legal entity", "points": 1})
        for relation in relations:
            related = relation.related
            who = f"{related.name} ({relation.get_role_display().split(' (')[0].lower()})"
            for country in _countries(related):
                factor = _jurisdiction_factor(country, who=who, related=True)
                if factor:
                    factors.append(factor)
            factors += _sanctions_factors(related, who=who)
    points = sum(f["points"] for f in factors)
    if any(f.get("outright") for f in factors) or points >= HIGH_AT:
        rating = RiskRating.HIGH
    elif points >= 1:
        rating = RiskRating.MEDIUM
    else:
        rating = RiskRating.LOW
    return rating, factors


def expiry_for(rating: str, approved_on: date) -> date:
    years = REVIEW_YEARS[rating]
    try:
        return approved_on.replace(year=approved_on.year + years)
    except ValueError:  # 29 February
        return approved_on.replace(year=approved_on.year + years, day=28)
