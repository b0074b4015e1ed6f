from django.core.management.base import BaseCommand, CommandError

from compliance.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Walk the audit hash chain and report the first broken event and how many are broken."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at event #{report.broken_event_id}: {report.reason} "
                f"({report.broken_count} of {report.checked} events broken)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
