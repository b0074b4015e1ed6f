from django.core.management.base import BaseCommand

from compliance.rules import services


class Command(BaseCommand):
    help = (
        "Re-run (pack_update) the rule checks of every application in review whose latest run used "
        "pack versions that are no longer in force today. Idempotent; run it daily."
    )

    def handle(self, *args, **options):
        run_ids = services.applications_rerun_stale(actor="system:rerun_stale_rule_checks")
        if options["verbosity"] >= 1:
            self.stdout.write(f"re-running checks: rule runs {', '.join(map(str, run_ids)) or 'none'}")
