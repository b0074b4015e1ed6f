"""Free text people write (rationales, notes), checked alike by every service that stores it."""

from django.core.exceptions import ValidationError


def required_text(value: str | None, *, field: str, message: str) -> str:
    """The text without surrounding whitespace. A field error with ``message`` when nothing is
    left, or when it holds a NUL character: PostgreSQL text cannot store one, and a view that
    passes a raw POST value on would otherwise end in a 500."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    if "\x00" in text:
        raise ValidationError({field: ["Null characters are not allowed."]})
    return text
