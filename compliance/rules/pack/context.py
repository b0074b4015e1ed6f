"""The activation a condition is evaluated against: product, issuer and application attributes.

`build_context` normalizes caller data to the vocabulary once (zero values for nulls, floats
for decimals, derived attributes) and converts it to a CEL context once, so every rule of
every pack evaluated against it costs only the compiled program's execution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import cel

from .vocabulary import (
    BOOL,
    DERIVED_ATTRIBUTES,
    FLOAT,
    INT,
    LIST_SITE,
    LIST_STR,
    ROOTS,
    STR,
    ZERO_VALUES,
)


class ContextError(ValueError):
    """Attribute data that does not fit the vocabulary."""


def _coerce(root: str, key: str, kind: str, value: Any) -> Any:
    where = f"{root}.{key}"
    if value is None:
        return ZERO_VALUES[kind]
    if kind == STR:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, str):
            return value
    elif kind == BOOL:
        if isinstance(value, bool):
            return value
    elif kind == INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == FLOAT:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return float(value)
    elif kind == LIST_STR:
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif kind == LIST_SITE:
        if isinstance(value, list | tuple) and all(
            isinstance(v, Mapping) and set(v) == {"country", "site_id"} and all(isinstance(x, str) for x in v.values())
            for v in value
        ):
            return tuple(MappingProxyType(dict(v)) for v in value)
    raise ContextError(f"{where}: expected {kind}, got {type(value).__name__} {value!r}")


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _attestation_age_days(product: Mapping, application: Mapping) -> int:
    """Days from the last capacity attestation to submission; -1 when either date is unknown."""
    attested = _iso_date(product["last_attestation_date"])
    submitted = _iso_date(application["submitted_on"])
    if attested is None or submitted is None:
        return -1
    return (submitted - attested).days


def _to_cel(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_cel(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_cel(v) for k, v in value.items()}
    return value


def jsonable(value: Any) -> Any:
    """A plain JSON-compatible copy of a normalized attribute value."""
    return _to_cel(value)


@dataclass(frozen=True)
class EvaluationContext:
    """Normalized attributes plus their CEL conversion, built once per evaluation."""

    product: Mapping[str, Any]
    issuer: Mapping[str, Any]
    application: Mapping[str, Any]
    cel_context: cel.Context = field(repr=False, compare=False)

    def value(self, root: str, attribute: str) -> Any:
        return getattr(self, root)[attribute]

    def for_jurisdiction(self, jurisdiction: str) -> EvaluationContext:
        """This context with application.jurisdiction set, as evaluate_pack needs."""
        if self.application["jurisdiction"] == jurisdiction:
            return self
        application = dict(self.application, jurisdiction=jurisdiction)
        application.pop("attestation_age_days")
        return build_context(product=self.product, issuer=self.issuer, application=application, strict=True)


def _normalize(root: str, data: Mapping[str, Any] | None, strict: bool) -> dict[str, Any]:
    data = data or {}
    vocabulary = ROOTS[root]
    for key in data:
        if (root, key) in DERIVED_ATTRIBUTES:
            raise ContextError(f"{root}.{key} is derived by build_context and cannot be set")
        if strict and key not in vocabulary:
            raise ContextError(f"unknown attribute {root}.{key}")
    return {
        key: _coerce(root, key, kind, data.get(key))
        for key, kind in vocabulary.items()
        if (root, key) not in DERIVED_ATTRIBUTES
    }


def build_context(
    *,
    product: Mapping[str, Any] | None = None,
    issuer: Mapping[str, Any] | None = None,
    application: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> EvaluationContext:
    """Normalize attribute dicts to the vocabulary and prepare them for CEL.

    Missing or null attributes take their type's zero value. Keys outside the vocabulary are
    ignored (product_terms may carry more than rules need) unless `strict`, which the loader
    uses for examples so a misspelt example attribute is an error, not a silent no-op.
    """
    normalized = {
        "product": _normalize("product", product, strict),
        "issuer": _normalize("issuer", issuer, strict),
        "application": _normalize("application", application, strict),
    }
    normalized["application"]["attestation_age_days"] = _attestation_age_days(
        normalized["product"], normalized["application"]
    )
    cel_context = cel.Context({root: _to_cel(values) for root, values in normalized.items()})
    return EvaluationContext(
        product=MappingProxyType(normalized["product"]),
        issuer=MappingProxyType(normalized["issuer"]),
        application=MappingProxyType(normalized["application"]),
        cel_context=cel_context,
    )
