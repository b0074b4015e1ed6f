"""The KYB approval gate: an issuer's product is approved only for a vetted, unsanctioned issuer.

Unsanctioned means the issuer's KYB party and its beneficial owners and directors: an open hit
or a confirmed match on any of them blocks, as it blocks the approval of the KYB case itself.
The reasons name no one: the party under review must not learn who was hit (the KYB party's
page shows officers which owner or director it is).
"""

from django.conf import settings
from django.utils import timezone

from compliance.kyc.models import KycStatus, Party, SanctionsState
from compliance.kyc.selectors import related_sanctions_state


def issuer_kyb_blockers(application) -> list[str]:
    # ATTEST_REQUIRE_ISSUER_KYB off: deployments (and tests) that onboard issuers outside Attest.
    if not getattr(settings, "ATTEST_REQUIRE_ISSUER_KYB", True):
        return []
    party = Party.objects.filter(issuer_id=application.issuer_id).first()
    if party is None:
        return ["the issuer has no KYB party"]
    blockers = []
    if party.kyc_status != KycStatus.APPROVED:
        blockers.append(f"the issuer's KYB case is {party.get_kyc_status_display().lower()}, not approved")
    elif party.kyc_expires_on is None or party.kyc_expires_on < timezone.localdate():
        blockers.append("the issuer's KYB approval has expired")
    if party.sanctions_state != SanctionsState.CLEAR:
        blockers.append("the issuer has an open or confirmed sanctions hit")
    if related_sanctions_state(party) != SanctionsState.CLEAR:
        blockers.append("an owner or director of the issuer has an open or confirmed sanctions hit")
    return blockers
