"""Free text people write (rationales, notes), checked alike by every service that stores it."""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

_no_nul = ProhibitNullCharactersValidator()


def required_text(value: str | None, *, field: str, message: str) -> str:
    """The text without surrounding whitespace. A field error with ``message`` when nothing is
    left, or when it holds a NUL character: PostgreSQL text cannot store one, and a view that
    passes a raw POST value on would otherwise end in a 500."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    try:
        _no_nul(text)  # the check (and message) of Django's form fields
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return text
