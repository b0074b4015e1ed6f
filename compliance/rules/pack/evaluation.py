"""Evaluate compiled rules against an EvaluationContext."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .context import EvaluationContext, build_context, jsonable
from .model import DistributionConstraints, Pack, Rule, RuleOutcome


class RuleEvaluationError(RuntimeError):
    """A condition failed at run time (e.g. a type mismatch the examples did not exercise)."""

    def __init__(self, rule_id: str, reason: str):
        super().__init__(f"rule {rule_id}: {reason}")
        self.rule_id = rule_id
        self.reason = reason


def _as_context(context: EvaluationContext | Mapping[str, Any]) -> EvaluationContext:
    if isinstance(context, EvaluationContext):
        return context
    return build_context(
        product=context.get("product"),
        issuer=context.get("issuer"),
        application=context.get("application"),
    )


def evaluate_rule(rule: Rule, context: EvaluationContext | Mapping[str, Any]) -> RuleOutcome:
    """Run one rule's compiled condition.

    `context` is an EvaluationContext (build it once and reuse it: that is what keeps a rule
    evaluation to microseconds) or a {"product": ..., "issuer": ..., "application": ...} dict.
    The evidence holds the value of every attribute the condition references, so a finding
    records exactly what the decision was based on.
    """
    context = _as_context(context)
    try:
        result = rule.program.execute(context.cel_context)
    except Exception as exc:  # the binding raises TypeError/ValueError/KeyError variously
        raise RuleEvaluationError(rule.id, str(exc)) from exc
    if not isinstance(result, bool):
        raise RuleEvaluationError(rule.id, f"condition returned {type(result).__name__}, not bool")
    evidence = {ref.dotted: jsonable(context.value(ref.root, ref.attribute)) for ref in rule.references}
    return RuleOutcome(rule_id=rule.id, fired=result, evidence=evidence)


@dataclass(frozen=True)
class PackEvaluation:
    """Every rule's outcome for one pack, plus what the fired rules add up to."""

    pack: Pack
    outcomes: tuple[RuleOutcome, ...]

    @cached_property
    def fired_rules(self) -> tuple[Rule, ...]:
        fired = {o.rule_id for o in self.outcomes if o.fired}
        return tuple(rule for rule in self.pack.rules if rule.id in fired)

    @property
    def blocked(self) -> bool:
        return any(rule.outcome.kind == "block" for rule in self.fired_rules)

    @property
    def required_artifacts(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(rule.outcome.artifact for rule in self.fired_rules if rule.outcome.kind == "require")
        )

    @property
    def disclosure_sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for rule in self.fired_rules for s in rule.disclosure_sections))

    @property
    def constraints(self) -> DistributionConstraints:
        """The merged distribution constraints; a fired `block` always blocks the jurisdiction."""
        merged = DistributionConstraints(jurisdiction_blocked=self.blocked)
        for rule in self.fired_rules:
            merged = merged.merge(rule.distribution)
        return merged


def evaluate_pack(pack: Pack, context: EvaluationContext | Mapping[str, Any]) -> PackEvaluation:
    """Evaluate every rule of `pack`, with application.jurisdiction set to the pack's."""
    context = _as_context(context).for_jurisdiction(pack.jurisdiction)
    return PackEvaluation(pack=pack, outcomes=tuple(evaluate_rule(rule, context) for rule in pack.rules))
