"""Domain errors shared by every app's services.

Services raise these; views render them as messages and the API turns them into JSON 4xx
(see config.api_errors). They are never allowed to surface as a 500.
"""


class DomainError(Exception):
    """A request that the domain refuses. `code` is machine-readable and stable."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class NotPermitted(DomainError):
    code = "not_permitted"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
