from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ISSUER = "issuer", "Issuer user"
    OFFICER = "officer", "Compliance officer"
    SENIOR = "senior", "Senior approver"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


# Roles that review and decide: both count as "officers" for four-eyes approval.
OFFICER_ROLES = frozenset({Role.OFFICER, Role.SENIOR})
# Roles that may read every issuer's records.
STAFF_ROLES = frozenset({Role.OFFICER, Role.SENIOR, Role.AUDITOR, Role.ADMIN})


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ISSUER)

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_senior(self) -> bool:
        return self.role == Role.SENIOR

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_issuer_user(self) -> bool:
        return self.role == Role.ISSUER

    @property
    def sees_all_issuers(self) -> bool:
        return self.role in STAFF_ROLES
