"""Rule packs: jurisdiction rules as data, validated and compiled to CEL programs.

Plain Python (no Django import), so the DB loader, the rule-run tasks and the tests share one
implementation. See compliance/rules/README.md for the pack format and vocabularies.
"""

from pathlib import Path

from .baseline import BASELINE_APPLICATION, BASELINE_ISSUER, BASELINE_PRODUCT
from .compare import (
    PackDiff,
    RuleChange,
    diff_packs,
    find_overlaps,
    load_pack_directory,
    periods_overlap,
)
from .context import ContextError, EvaluationContext, build_context
from .evaluation import PackEvaluation, RuleEvaluationError, evaluate_pack, evaluate_rule
from .loader import PackError, example_context, load_pack, load_pack_text
from .model import (
    DistributionConstraints,
    Example,
    Outcome,
    Pack,
    Regulator,
    Rule,
    RuleOutcome,
)

PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"

__all__ = [
    "BASELINE_APPLICATION",
    "BASELINE_ISSUER",
    "BASELINE_PRODUCT",
    "PACKS_DIR",
    "ContextError",
    "DistributionConstraints",
    "EvaluationContext",
    "Example",
    "Outcome",
    "Pack",
    "PackDiff",
    "PackError",
    "PackEvaluation",
    "Regulator",
    "Rule",
    "RuleChange",
    "RuleEvaluationError",
    "RuleOutcome",
    "build_context",
    "diff_packs",
    "evaluate_pack",
    "evaluate_rule",
    "example_context",
    "find_overlaps",
    "load_pack",
    "load_pack_directory",
    "load_pack_text",
    "periods_overlap",
]
