"""Validators for the identifiers that compute-backed products are described with."""

import re

import pycountry
from django.core.exceptions import ValidationError
from stdnum import lei as stdnum_lei
from stdnum.exceptions import ValidationError as StdnumError

# Regional jurisdiction codes accepted beside ISO 3166 alpha-2 countries.
REGIONAL_JURISDICTIONS = {"EU": "European Union"}
_MIC = re.compile(r"^[A-Z0-9]{4}$")


def validate_lei(value: str) -> None:
    try:
        stdnum_lei.validate(value)
    except StdnumError:
        raise ValidationError(
            "%(value)s is not a valid LEI (20 characters with ISO 17442 check digits).",
            params={"value": value},
            code="invalid_lei",
        )


def validate_country(value: str) -> None:
    if not isinstance(value, str) or len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 3166 alpha-2 country code.",
            params={"value": value},
            code="invalid_country",
        )


def validate_jurisdiction(value: str) -> None:
    if value in REGIONAL_JURISDICTIONS:
        return
    try:
        validate_country(value)
    except ValidationError:
        raise ValidationError(
            "%(value)s is not a jurisdiction (ISO 3166 alpha-2 or EU).",
            params={"value": value},
            code="invalid_jurisdiction",
        )


def validate_currency(value: str) -> None:
    if not isinstance(value, str) or len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code.",
            params={"value": value},
            code="invalid_currency",
        )


def validate_mic(value: str) -> None:
    if not isinstance(value, str) or not _MIC.match(value):
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
