from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.rules import services
from compliance.rules.pack import PACKS_DIR


class Command(BaseCommand):
    help = (
        "Load rule packs into the database: every shipped pack without arguments, else the given "
        "files. Idempotent; refuses changed content without a new version, overlapping periods and a "
        "period ending on or before a day a rule run was checked under it."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Pack files (default: compliance/rules/packs/*.yaml)")

    def handle(self, *args, paths, **options):
        paths = paths or sorted(PACKS_DIR.glob("*.yaml"))
        try:
            report = services.packs_load(paths=paths, actor="system:load_rule_packs")
        except services.PacksRefused as exc:
            for message in exc.messages:
                self.stderr.write(f"refused: {message}")
            raise CommandError(f"{len(exc.messages)} refusal(s); nothing was loaded.") from exc
        if options["verbosity"] < 1:
            return
        for label in report.loaded:
            self.stdout.write(self.style.SUCCESS(f"loaded {label}"))
        for label in report.period_closed:
            self.stdout.write(f"updated effective_to of {label}")
        for label in report.unchanged:
            self.stdout.write(f"unchanged {label}")
        if report.reruns:
            self.stdout.write(f"re-running checks: rule runs {', '.join(map(str, report.reruns))}")
