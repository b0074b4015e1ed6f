"""Free text people write (rationales, notes), checked alike by every service that stores it."""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

_no_nul = ProhibitNullCharactersValidator()

# A regex that finds a character other than whitespace: what "not blank" means in the OpenAPI
# schema. Spelled out as the characters Python's str.isspace() (and so str.strip(), which DRF
# trims with) calls whitespace, because `\S` differs between Python's re, which the server
# uses, and the ECMAScript regex of the schema, which clients and the fuzzer use (there
# U+FEFF is whitespace and U+001C-U+001F and U+0085 are not). An explicit class means the
# same in both.
NON_BLANK_PATTERN = r"[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


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
