"""Validators for the identifiers that compute-backed products are described with."""

import re

import pycountry
from django.core.exceptions import ValidationError
from stdnum import lei as stdnum_lei
from stdnum.exceptions import ValidationError as StdnumError

# Regional jurisdiction codes accepted beside ISO 3166 alpha-2 countries.
REGIONAL_JURISDICTIONS = {"EU": "European Union"}
_MIC = re.compile(r"[A-Z0-9]{4}")


def validate_lei(value: str) -> None:
    try:
        stdnum_lei.validate(value)
    except StdnumError:
        raise ValidationError(
            "%(value)s is not a valid LEI (20 characters with ISO 17442 check digits).",
            params={"value": value},
            code="invalid_lei",
        )


def _ascii_text(value) -> bool:
    return isinstance(value, str) and value.isascii()


def _wrong_case(value: str, standard: str, code: str) -> ValidationError:
    """A known code written in the wrong case: stored codes are upper case, and the engine, the
    rule packs and the screening snapshot compare them exactly ("fr" is not "FR" there)."""
    return ValidationError(
        'Use the upper-case %(standard)s code, e.g. "%(upper)s" (not "%(value)s").',
        params={"standard": standard, "upper": value.upper(), "value": value},
        code=code,
    )


def _is_country(code: str) -> bool:
    # pycountry's look-up ignores case (and folds some non-ASCII letters), so callers pass only
    # two ASCII characters and check the case themselves.
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def validate_country(value: str) -> None:
    if _ascii_text(value) and _is_country(value):
        if value.isupper():
            return
        raise _wrong_case(value, "ISO 3166 alpha-2", "invalid_country")
    raise ValidationError(
        "%(value)s is not an ISO 3166 alpha-2 country code.",
        params={"value": value},
        code="invalid_country",
    )


def validate_jurisdiction(value: str) -> None:
    if _ascii_text(value) and (value.upper() in REGIONAL_JURISDICTIONS or _is_country(value)):
        if value.isupper():
            return
        raise _wrong_case(value, "ISO 3166 alpha-2 (or EU)", "invalid_jurisdiction")
    raise ValidationError(
        "%(value)s is not a jurisdiction (ISO 3166 alpha-2 or EU).",
        params={"value": value},
        code="invalid_jurisdiction",
    )


def validate_currency(value: str) -> None:
    if _ascii_text(value) and len(value) == 3 and pycountry.currencies.get(alpha_3=value) is not None:
        if value.isupper():
            return
        raise _wrong_case(value, "ISO 4217", "invalid_currency")
    raise ValidationError(
        "%(value)s is not an ISO 4217 currency code.",
        params={"value": value},
        code="invalid_currency",
    )


def validate_mic(value: str) -> None:
    # fullmatch: with match(), "$" also matched before a trailing newline ("XCME\n").
    if _ascii_text(value) and _MIC.fullmatch(value.upper()):
        if _MIC.fullmatch(value):
            return
        raise _wrong_case(value, "ISO 10383 market identifier", "invalid_mic")
    raise ValidationError(
        "%(value)s is not an ISO 10383 market identifier code (4 letters or digits).",
        params={"value": value},
        code="invalid_mic",
    )


def jurisdiction_name(code: str) -> str:
    if code in REGIONAL_JURISDICTIONS:
        return REGIONAL_JURISDICTIONS[code]
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
