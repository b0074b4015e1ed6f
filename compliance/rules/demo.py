"""Demo data of the rules app: the shipped packs, and real rule runs for the seeded
applications that are at or past review (the products seed moves them there without checks).

Runs after products.demo.seed (FEATURE_SEEDERS in seed_demo). Idempotent: packs load only
once, and an application that already has a run of its current version is left alone.
"""

from django.db import transaction

from accounts.models import Role, User
from compliance.rules import selectors, services
from compliance.rules.models import RunReason
from compliance.rules.pack import PACKS_DIR
from products.models import ApplicationState, ProductApplication

SYSTEM = "system:seed_demo"
S = ApplicationState
REVIEWED = (S.IN_REVIEW, S.CHANGES_REQUESTED, S.REJECTED, S.APPROVED, S.LISTED, S.SUSPENDED, S.DELISTED)
DECIDED = (S.APPROVED, S.LISTED, S.SUSPENDED, S.DELISTED)
OVERRIDE_RATIONALE = (
    "Demo record: this application was approved before the rule run shown here was recorded; "
    "the senior approver accepts the finding on the evidence filed with the application."
)


@transaction.atomic
def seed() -> bool:
    report = services.packs_load(paths=sorted(PACKS_DIR.glob("*.yaml")), actor=SYSTEM)
    created = bool(report.loaded or report.period_closed)
    senior = User.objects.filter(role=Role.SENIOR, is_active=True).order_by("pk").first()
    for application in ProductApplication.objects.filter(state__in=REVIEWED, version__gte=1).order_by("pk"):
        if selectors.latest_run(application) is not None:
            continue
        # The same service the jurisdiction tasks call, here in-process.
        run = services.run_create_for_review(application=application, actor=SYSTEM, reason=RunReason.DEMO)
        services.run_execute(run)
        created = True
        if application.state in DECIDED and senior is not None:
            for finding in selectors.blocking_findings(run):
                services.finding_override(finding=finding, actor=senior, rationale=OVERRIDE_RATIONALE)
    return created
