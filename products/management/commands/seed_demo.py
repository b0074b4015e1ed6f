from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from products import demo

# Each feature adds its demo records with a module exposing seed() -> bool (True if it created
# anything). They run in this order, after the products seed, in one transaction.
FEATURE_SEEDERS: list[str] = [
    "compliance.rules.demo",
    "compliance.kyc.demo",
    "compliance.disclosures.demo",
    "delivery.demo",
    "compliance.eligibility.demo",
]


class Command(BaseCommand):
    help = "Load demo issuers, venues, users, products, applications and feature data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            result = demo.seed()
            created = [result.created]
            for path in FEATURE_SEEDERS:
                created.append(import_module(path).seed())
        if any(created):
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, _ in result.users:
            self.stdout.write(f"  {username:<10} {role.label}")
