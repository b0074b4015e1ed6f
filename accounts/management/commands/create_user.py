import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import user_create
from products.models import Issuer


class Command(BaseCommand):
    help = "Create a user with a role. Asks for the password unless --password is given."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--issuer", metavar="LEI", help="LEI of the issuer an issuer user acts for")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Prefer the prompt: a password here lands in shell history.")

    def handle(self, *args, username, role, issuer, email, password, **options):
        issuer_obj = None
        if issuer:
            issuer_obj = Issuer.objects.filter(lei=issuer.upper()).first()
            if issuer_obj is None:
                raise CommandError(f"No issuer with LEI {issuer}.")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user = user_create(
                actor="system:create_user",
                username=username,
                role=role,
                password=password,
                issuer=issuer_obj,
                email=email,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})."))
