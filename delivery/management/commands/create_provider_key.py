from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from delivery.services import provider_key_create


class Command(BaseCommand):
    help = "Create a delivery provider's API key for one provider LEI and print it (shown once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("--lei", required=True, help="The provider's LEI (ComputeProduct.provider_lei).")
        parser.add_argument("--label", default="", help="A note on who holds the key.")

    def handle(self, *args, lei, label, **options):
        try:
            key, clear = provider_key_create(actor="system:create_provider_key", provider_lei=lei, label=label)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        self.stdout.write(clear)
        self.stderr.write(
            f"Key {key.prefix} for provider {lei}. Send it as 'Authorization: Provider-Key <key>'; "
            "it is not shown again."
        )
