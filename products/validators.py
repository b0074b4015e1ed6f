"""Validators for the identifiers that compute-backed products are described with."""

import re
import unicodedata

import pycountry
from django.core.exceptions import ValidationError
from stdnum import lei as stdnum_lei
from stdnum.exceptions import ValidationError as StdnumError

# Regional jurisdiction codes accepted beside ISO 3166 alpha-2 countries.
REGIONAL_JURISDICTIONS = {"EU": "European Union"}
_MIC = re.compile(r"[A-Z0-9]{4}")

# ISO 4217 lists codes that are not currencies a contract can settle in: precious metals (XAU,
# XAG, XPT, XPD), units of account and bond-market units (XDR, XSU, XUA, XAD, XBA-XBD), the
# testing and "no currency" codes (XTS, XXX), and fund codes that track a national currency
# (Mvdol, WIR, Unidad de Fomento, UDI, US dollar next day, indexed units). XAF, XOF, XPF and XCD
# are currencies and stay accepted.
NON_SETTLEMENT_CODES = frozenset(
    {
        "XAU",
        "XAG",
        "XPT",
        "XPD",
        "XDR",
        "XSU",
        "XUA",
        "XAD",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XTS",
        "XXX",
        "BOV",
        "CHE",
        "CHW",
        "CLF",
        "COU",
        "MXV",
        "USN",
        "UYI",
        "UYW",
    }
)


def code_as_stored(code: str) -> str:
    """An ISO code as the records keep it, read leniently by the web form and the API alike: ASCII
    letters upper-cased ("fr" is "FR"), anything else left as typed for the validators to refuse
    ("ß".upper() would be "SS", South Sudan)."""
    return code.upper() if code.isascii() else code


# A delivery site id as the terms, the web form and the API take it.
SITE_ID_MAX_LENGTH = 64


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


def _check_code(value, *, known, upper, standard: str, code: str, unknown: str) -> None:
    """Accept ``value`` only as an upper-case code. ``known(value)`` says whether it is a code in
    some case, ``upper(value)`` whether it is written in upper case; both see ASCII text only.
    A known code in the wrong case gets its own message: stored codes are upper case, and the
    engine, the rule packs and the screening snapshot compare them exactly ("fr" is not "FR")."""
    if _ascii_text(value) and known(value):
        if upper(value):
            return
        raise ValidationError(
            'Use the upper-case %(standard)s code, e.g. "%(upper)s" (not "%(value)s").',
            params={"standard": standard, "upper": value.upper(), "value": value},
            code=code,
        )
    raise ValidationError(unknown, params={"value": value}, code=code)


def _is_country(code: str) -> bool:
    # pycountry's look-up ignores case (and folds some non-ASCII letters), so callers pass only
    # two ASCII characters and check the case themselves.
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def validate_country(value: str) -> None:
    _check_code(
        value,
        known=_is_country,
        upper=str.isupper,
        standard="ISO 3166 alpha-2",
        code="invalid_country",
        unknown="%(value)s is not an ISO 3166 alpha-2 country code.",
    )


def validate_jurisdiction(value: str) -> None:
    _check_code(
        value,
        known=lambda v: v.upper() in REGIONAL_JURISDICTIONS or _is_country(v),
        upper=str.isupper,
        standard="ISO 3166 alpha-2 (or EU)",
        code="invalid_jurisdiction",
        unknown="%(value)s is not a jurisdiction (ISO 3166 alpha-2 or EU).",
    )


def validate_currency(value: str) -> None:
    _check_code(
        value,
        known=lambda v: len(v) == 3 and pycountry.currencies.get(alpha_3=v) is not None,
        upper=str.isupper,
        standard="ISO 4217",
        code="invalid_currency",
        unknown="%(value)s is not an ISO 4217 currency code.",
    )
    if value in NON_SETTLEMENT_CODES:
        raise ValidationError(
            "%(value)s is an ISO 4217 code but not a currency to settle in (a precious metal, fund, "
            "unit of account or testing code).",
            params={"value": value},
            code="invalid_currency",
        )


def validate_site_id(value) -> None:
    """A delivery site's id: text of 1 to 64 characters, not blank, without control characters.
    A NUL could not be stored (PostgreSQL refuses it), and a line break would split the site in
    two in the web form's one-site-per-line text."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("The site id is empty.", code="invalid_site_id")
    if len(value) > SITE_ID_MAX_LENGTH:
        raise ValidationError(
            "The site id has %(length)d characters; at most %(limit)d are allowed.",
            params={"length": len(value), "limit": SITE_ID_MAX_LENGTH},
            code="invalid_site_id",
        )
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValidationError(
            "The site id contains a control character (such as NUL or a line break).", code="invalid_site_id"
        )


def validate_mic(value: str) -> None:
    # fullmatch: with match(), "$" also matched before a trailing newline ("XCME\n").
    _check_code(
        value,
        known=lambda v: _MIC.fullmatch(v.upper()) is not None,
        upper=lambda v: _MIC.fullmatch(v) is not None,
        standard="ISO 10383 market identifier",
        code="invalid_mic",
        unknown="%(value)s is not an ISO 10383 market identifier code (4 letters or digits).",
    )


def jurisdiction_name(code: str) -> str:
    if code in REGIONAL_JURISDICTIONS:
        return REGIONAL_JURISDICTIONS[code]
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
