"""Frozen value objects for a loaded rule pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cel

from .references import Reference


@dataclass(frozen=True)
class Outcome:
    """What a fired rule means for the application: block, require:<artifact> or warn."""

    kind: str
    artifact: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.artifact}" if self.artifact else self.kind


@dataclass(frozen=True)
class DistributionConstraints:
    """Constraints a fired rule imposes on who may buy, per jurisdiction.

    `allowed_investor_categories` is None when the rule does not restrict categories.
    """

    allowed_investor_categories: frozenset[str] | None = None
    appropriateness_required: bool = False
    acknowledgement_required: bool = False
    jurisdiction_blocked: bool = False

    def merge(self, other: DistributionConstraints) -> DistributionConstraints:
        """The stricter combination: categories intersect, requirements accumulate."""
        if self.allowed_investor_categories is None:
            categories = other.allowed_investor_categories
        elif other.allowed_investor_categories is None:
            categories = self.allowed_investor_categories
        else:
            categories = self.allowed_investor_categories & other.allowed_investor_categories
        return DistributionConstraints(
            allowed_investor_categories=categories,
            appropriateness_required=self.appropriateness_required or other.appropriateness_required,
            acknowledgement_required=self.acknowledgement_required or other.acknowledgement_required,
            jurisdiction_blocked=self.jurisdiction_blocked or other.jurisdiction_blocked,
        )

    def as_dict(self) -> dict[str, Any]:
        categories = self.allowed_investor_categories
        return {
            "allowed_investor_categories": None if categories is None else sorted(categories),
            "appropriateness_required": self.appropriateness_required,
            "acknowledgement_required": self.acknowledgement_required,
            "jurisdiction_blocked": self.jurisdiction_blocked,
        }


@dataclass(frozen=True)
class Example:
    """A partial attribute set, merged over the baseline, and whether the rule must fire."""

    name: str
    fires: bool
    product: Mapping[str, Any]
    issuer: Mapping[str, Any]
    application: Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    citation: str
    condition: str
    rationale: str
    outcome: Outcome
    disclosure_sections: tuple[str, ...]
    distribution: DistributionConstraints
    examples: tuple[Example, ...]
    references: tuple[Reference, ...]
    # Canonical JSON of the rule as written, for diffs; the compiled program is derived.
    canonical: str = field(repr=False)
    program: cel.Program = field(repr=False, compare=False)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The distinct `root.attribute` names the condition reads, in order of appearance."""
        return tuple(dict.fromkeys(ref.dotted for ref in self.references))


@dataclass(frozen=True)
class Regulator:
    code: str
    name: str


@dataclass(frozen=True)
class Pack:
    jurisdiction: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive: the first day the pack no longer applies
    regulators: tuple[Regulator, ...]
    rules: tuple[Rule, ...]
    content_hash: str
    source: str = field(compare=False)
    title: str = ""

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def is_effective_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class RuleOutcome:
    """The result of evaluating one rule: whether it fired and the values it looked at."""

    rule_id: str
    fired: bool
    evidence: Mapping[str, Any]
