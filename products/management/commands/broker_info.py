from django.conf import settings
from django.core.management.base import BaseCommand

from config.broker import describe


class Command(BaseCommand):
    help = "Print which Celery broker this configuration uses (credentials stripped)."

    def handle(self, *args, **options):
        kind = "Redis" if settings.REDIS_AVAILABLE else "embedded filesystem broker (no Redis answered)"
        self.stdout.write(f"{kind}: {describe(settings.CELERY_BROKER_URL)}")
