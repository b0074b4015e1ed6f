"""The KYB approval gate: an issuer's product is approved only for a vetted, unsanctioned issuer."""

from django.conf import settings
from django.utils import timezone

from compliance.kyc.models import KycStatus, Party, SanctionsState


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
    return blockers
