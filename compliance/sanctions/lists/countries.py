"""Country names as lists write them -> ISO 3166-1 alpha-2 codes.

pycountry gives the ISO names; the lists also use their own short forms ("Korea, North",
"Burma", "Palestinian", "Iran (Islamic Republic of)"), which the overrides below cover. A name
that cannot be mapped yields "" and the caller keeps the text as listed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from unidecode import unidecode

# Spellings used by OFAC, the UN, the EU and OFSI that ISO does not carry.
_OVERRIDES = {
    "korea north": "KP",
    "north korea": "KP",
    "dprk": "KP",
    "korea south": "KR",
    "south korea": "KR",
    "burma": "MM",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "occupied palestinian territories": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo republic of the": "CG",
    "congo": "CG",
    "republic of the congo": "CG",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "vietnam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "macedonia": "MK",
    "macedonia the former yugoslav republic of": "MK",
    "north macedonia": "MK",
    "man isle of": "IM",
    "virgin islands british": "VG",
    "british virgin islands": "VG",
    "the gambia": "GM",
    "gambia": "GM",
    "cabo verde": "CV",
    "cape verde": "CV",
    "kosovo": "XK",  # user-assigned code in common use (EU, OFSI)
    "taiwan": "TW",
    "turkey": "TR",
    "turkiye": "TR",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "uae": "AE",
    "hong kong": "HK",
    "macau": "MO",
    "brunei": "BN",
    "swaziland": "SZ",
    "holy see": "VA",
    "vatican": "VA",
    "micronesia federated states of": "FM",
    "st kitts and nevis": "KN",
    "saint kitts and nevis": "KN",
    "st vincent and the grenadines": "VC",
    "st lucia": "LC",
}

# "na" is the UN's "not available", not Namibia; codes pass through only in code fields.
_UNKNOWN = frozenset({"", "na", "n a", "unknown", "none", "stateless"})

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Qualifiers that surround a country name in free text ("possibly Palestinian").
_QUALIFIERS = re.compile(r"^(possibly|probably|reportedly|of registration|alt)\s+")


def _key(text: str) -> str:
    return _NON_WORD.sub(" ", unidecode(text).lower()).strip()


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table.setdefault(_key(value), code)
        table.setdefault(country.alpha_3.lower(), code)
    table.update(_OVERRIDES)
    return table


@lru_cache(maxsize=4096)
def country_code(name: str) -> str:
    """Map a country name (or an alpha-2/alpha-3 code) to alpha-2; "" when unknown."""
    key = _key(name)
    while True:
        stripped = _QUALIFIERS.sub("", key)
        if stripped == key:
            break
        key = stripped
    if key in _UNKNOWN:
        return ""
    if len(key) == 2 and pycountry.countries.get(alpha_2=key.upper()):
        return key.upper()
    table = _table()
    if key in table:
        return table[key]
    # "Iran (Islamic Republic of)" and "Korea, North" style: drop the bracket, then invert.
    without_brackets = _key(re.sub(r"\(.*?\)", " ", unidecode(name)))
    if without_brackets in table:
        return table[without_brackets]
    if "," in name:
        head, _, tail = name.partition(",")
        inverted = _key(f"{tail} {head}")
        if inverted in table:
            return table[inverted]
    return ""
