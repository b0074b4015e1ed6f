from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save

# Models whose rows can change an eligibility decision: listings and product terms, KYC and
# sanctions state (kept on the party), appropriateness, positions, rule results (distribution
# constraints), published disclosures and acknowledgements. A model of an app that does not
# define it (yet) is skipped.
DECISION_INPUTS = (
    "products.ComputeProduct",
    "products.Listing",
    "products.Venue",
    "products.ProductApplication",
    "kyc.Party",
    "kyc.PartyRelation",  # an owner's or director's sanctions state counts for the entity
    "kyc.Investor",
    "kyc.KycCase",
    "kyc.AppropriatenessAssessment",
    "kyc.Position",
    "sanctions.ScreeningHit",
    "rules.RuleRun",
    "rules.JurisdictionResult",
    "rules.Finding",
    "disclosures.DisclosureDocument",
    "disclosures.DisclosureAcknowledgement",
)


def _bump(sender, **kwargs):
    from compliance.eligibility.versioning import bump_on_commit

    bump_on_commit()


class EligibilityConfig(AppConfig):
    name = "compliance.eligibility"
    label = "eligibility"
    verbose_name = "Eligibility and screening API"

    def ready(self):
        from compliance.eligibility.decision_log import flush_on_sigterm

        flush_on_sigterm()
        for label in DECISION_INPUTS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            post_save.connect(_bump, sender=model, dispatch_uid=f"eligibility-bump-save-{label}")
            post_delete.connect(_bump, sender=model, dispatch_uid=f"eligibility-bump-delete-{label}")
