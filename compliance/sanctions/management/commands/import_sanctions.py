from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.sanctions import services
from compliance.sanctions.models import SourceCode


class Command(BaseCommand):
    help = (
        "Import a sanctions list publication as a new list version (atomic switch; same checksum is a no-op). "
        "For ofac-sdn, PATH is sdn.csv; alt.csv and add.csv are read from the same folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", required=True, choices=SourceCode.values)

    def handle(self, *args, path, source, **options):
        if not Path(path).is_file():
            raise CommandError(f"{path} is not a file.")
        outcome = services.list_import(source=source, path=path, actor="system:import_sanctions")
        version = outcome.version
        for row in version.malformed if outcome.created else ():
            self.stderr.write(f"skipped {row['file']}:{row['line']}: {row['reason']}")
        if not outcome.created:
            self.stdout.write(f"{source}: checksum {version.checksum[:12]} is already current (v{version.number}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{source} v{version.number}: {version.counts.get('entries', 0)} entries, "
                f"{len(version.added)} added, {len(version.removed)} removed, {len(version.changed)} changed, "
                f"{len(version.malformed)} malformed rows skipped."
            )
        )
