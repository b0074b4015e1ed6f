"""Provider API keys for DRF: `Authorization: Provider-Key <key>`. Kept inside the delivery app:
exchange API keys (compliance.eligibility) are a different principal with different scope."""

from rest_framework import authentication, exceptions, permissions

from delivery.services import provider_key_authenticate

KEYWORD = "Provider-Key"


class Provider:
    """The principal a provider key authenticates: a provider LEI, not a user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_officer = is_senior = is_auditor = is_issuer_user = sees_all_issuers = False
    pk = None

    def __init__(self, key):
        self.key = key
        self.provider_lei = key.provider_lei

    def get_username(self) -> str:
        return f"provider-key:{self.key.prefix}"

    def __str__(self):
        return self.get_username()


class ProviderKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, value = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = provider_key_authenticate(value.strip())
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked provider key.")
        return Provider(key), key

    def authenticate_header(self, request):
        return KEYWORD


class IsProvider(permissions.BasePermission):
    message = "Only a delivery provider's key may do this."

    def has_permission(self, request, view):
        return isinstance(request.user, Provider)


class IsStaffOrIssuerUser(permissions.BasePermission):
    """Reads of delivery data: staff see every product, issuer users their own (scoped by the
    selectors); a provider key reads nothing."""

    message = "Provider keys may only submit reports and attestations."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not isinstance(user, Provider))
