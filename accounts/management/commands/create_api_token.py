from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_api_token_create


class Command(BaseCommand):
    help = "Issue a personal API token for a user and print it once (only its digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, help="Lifetime in days (default: ATTEST_API_TOKEN_DAYS, 90).")

    def handle(self, *args, username, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            instance, token = user_api_token_create(actor="system:create_api_token", user=user, days=days)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        until = f"until {instance.expiry:%Y-%m-%d %H:%M} UTC" if instance.expiry else "without expiry"
        self.stderr.write(f"Token for {user.username}, valid {until}. It is shown once; store it now:")
        self.stdout.write(token)
