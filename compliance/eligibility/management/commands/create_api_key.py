from django.core.management.base import BaseCommand, CommandError

from compliance.eligibility import services
from products.models import Venue


class Command(BaseCommand):
    help = "Create a screening API key for a venue and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--venue", required=True, help="The venue's ISO 10383 MIC, e.g. XEUR.")
        parser.add_argument("--name", default="", help="Who holds the key.")

    def handle(self, *args, venue, name, **options):
        try:
            venue_row = Venue.objects.get(mic=venue.upper())
        except Venue.DoesNotExist:
            raise CommandError(f"No venue with MIC {venue!r}.")
        api_key, key = services.api_key_create(actor="system:create_api_key", venue=venue_row, name=name)
        self.stdout.write(f"API key {api_key.prefix}… for {venue_row.mic} ({api_key.name}).")
        self.stdout.write("Store it now; it is not shown again and cannot be recovered:")
        self.stdout.write(key)
