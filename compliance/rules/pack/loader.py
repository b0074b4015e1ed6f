"""Parse, validate and compile a rule pack file.

A pack that loads is fully checked: every field against its vocabulary, every condition
compiled once and its attribute references resolved, and every example evaluated against
its rule. Anything wrong raises PackError naming the pack file, the rule and the position.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import cel
import pycountry
import yaml

from .baseline import BASELINE_APPLICATION, BASELINE_ISSUER, BASELINE_PRODUCT
from .context import ContextError, build_context
from .evaluation import RuleEvaluationError, evaluate_rule
from .model import DistributionConstraints, Example, Outcome, Pack, Regulator, Rule
from .references import UnknownReference, find_references
from .vocabulary import (
    ARTIFACTS,
    DISCLOSURE_SECTIONS,
    INVESTOR_CATEGORIES,
    OUTCOME_KINDS,
    REGIONAL_JURISDICTIONS,
    ROOTS,
)

PACK_KEYS = {"jurisdiction", "version", "effective_from", "effective_to", "regulators", "rules"}
OPTIONAL_PACK_KEYS = {"effective_to", "title"}
RULE_KEYS = {
    "id",
    "title",
    "citation",
    "condition",
    "outcome",
    "rationale",
    "disclosure_sections",
    "distribution",
    "examples",
}
OPTIONAL_RULE_KEYS = {"disclosure_sections", "distribution"}
DISTRIBUTION_KEYS = {
    "allowed_investor_categories",
    "appropriateness_required",
    "acknowledgement_required",
    "jurisdiction_blocked",
}
EXAMPLE_KEYS = {"name", "expect", "product", "issuer", "application"}
EXPECTATIONS = {"fires": True, "does_not_fire": False}

VERSION_RE = re.compile(r"^\d{4}\.\d+$")
RULE_ID_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]+)+$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CEL_ERROR_RE = re.compile(r"<input>:(\d+):(\d+): (.*)")


class PackError(ValueError):
    """A pack file that cannot be loaded. `str()` names pack, rule and position."""

    def __init__(
        self,
        pack: str,
        message: str,
        *,
        rule_id: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ):
        self.pack = pack
        self.message = message
        self.rule_id = rule_id
        self.line = line
        self.column = column
        where = [pack]
        if rule_id:
            where.append(f"rule {rule_id}")
        if line is not None:
            where.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        super().__init__(": ".join([*where, message]))


def _canonical_json(value: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, dt.date):
            return obj.isoformat()
        raise TypeError(f"not serializable: {obj!r}")

    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default)


class _Document:
    """The parsed YAML plus its node tree, to report file positions for a path of keys."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = text.splitlines()
        # libyaml when available: the pure-Python parser is most of a pack's compile time.
        loader = _YAML_LOADER(text)
        try:
            self.root = loader.get_single_node()
            if self.root is None:
                raise PackError(name, "the file is empty")
            self._check_duplicate_keys(self.root, None)
            self.data = loader.construct_document(self.root)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise PackError(
                name,
                f"invalid YAML: {exc.problem or exc.context}",
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from exc
        except yaml.YAMLError as exc:
            raise PackError(name, f"invalid YAML: {exc}") from exc
        finally:
            loader.dispose()

    def _check_duplicate_keys(self, node: yaml.Node, rule_id: str | None) -> None:
        # PyYAML keeps the last of duplicate keys silently; in a rule that would hide a
        # condition or an outcome, so it is an error here.
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                    rule_id = value.value
            seen = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise PackError(
                            self.name,
                            f"duplicate key {key.value!r}",
                            rule_id=rule_id,
                            line=key.start_mark.line + 1,
                            column=key.start_mark.column + 1,
                        )
                    seen.add(key.value)
                self._check_duplicate_keys(value, rule_id)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._check_duplicate_keys(item, rule_id)

    def node(self, path: tuple) -> yaml.Node:
        """The node at `path`, or the deepest ancestor that exists."""
        node = self.root
        for step in path:
            if isinstance(node, yaml.MappingNode):
                match = [v for k, v in node.value if getattr(k, "value", None) == step]
                if not match:
                    break
                node = match[0]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    break
                node = node.value[step]
            else:
                break
        return node

    def position(self, path: tuple) -> tuple[int, int]:
        mark = self.node(path).start_mark
        return mark.line + 1, mark.column + 1

    def condition_position(self, path: tuple, line: int, column: int) -> tuple[int, int] | None:
        """Map a position inside a condition string to a file position, when it is exact."""
        node = self.node(path)
        if not isinstance(node, yaml.ScalarNode):
            return None
        if node.style in ("|", ">"):
            # Content starts on the line below the indicator; its first line sets the block's
            # indentation, which the scalar's value has stripped from every line.
            first = node.start_mark.line + 1
            file_line = first + line
            if file_line - 1 >= len(self.lines):
                return None
            indent = len(self.lines[first]) - len(self.lines[first].lstrip(" "))
            return file_line, indent + column
        if line == 1 and node.start_mark.line == node.end_mark.line:
            quote = 1 if node.style in ("'", '"') else 0
            return node.start_mark.line + 1, node.start_mark.column + quote + column
        return None


class _Validator:
    def __init__(self, doc: _Document, *, verify_examples: bool = True):
        self.doc = doc
        self.verify_examples = verify_examples
        self.name = doc.name
        self.rule_id: str | None = None

    def fail(self, message: str, path: tuple = ()) -> None:
        line, column = self.doc.position(path)
        raise PackError(self.name, message, rule_id=self.rule_id, line=line, column=column)

    def keys(self, value: Any, path: tuple, required: set, optional: set, what: str) -> None:
        if not isinstance(value, Mapping):
            self.fail(f"{what} must be a mapping", path)
        missing = sorted(required - optional - set(value))
        if missing:
            self.fail(f"{what} is missing {', '.join(missing)}", path)
        unknown = sorted(set(value) - required - optional)
        if unknown:
            self.fail(f"{what} has unknown key(s) {', '.join(map(str, unknown))}", path)

    def text(self, value: Any, path: tuple, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{what} must be a non-empty string", path)
        return value.strip()

    def date(self, value: Any, path: tuple, what: str) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{what} must be an ISO date (YYYY-MM-DD)", path)

    # -- pack -----------------------------------------------------------------------------

    def pack(self, source: str) -> Pack:
        data = self.doc.data
        self.keys(data, (), PACK_KEYS | OPTIONAL_PACK_KEYS, OPTIONAL_PACK_KEYS, "pack")
        jurisdiction = self.text(data["jurisdiction"], ("jurisdiction",), "jurisdiction")
        if jurisdiction not in REGIONAL_JURISDICTIONS and (
            len(jurisdiction) != 2 or pycountry.countries.get(alpha_2=jurisdiction) is None
        ):
            self.fail(
                f"jurisdiction {jurisdiction!r} is neither ISO 3166 alpha-2 nor one of "
                f"{sorted(REGIONAL_JURISDICTIONS)}",
                ("jurisdiction",),
            )
        version = data["version"]
        if not isinstance(version, str) or not VERSION_RE.match(version):
            self.fail("version must be a quoted string YYYY.N, e.g. '2026.1'", ("version",))
        effective_from = self.date(data["effective_from"], ("effective_from",), "effective_from")
        effective_to = None
        if data.get("effective_to") is not None:
            effective_to = self.date(data["effective_to"], ("effective_to",), "effective_to")
            if effective_to <= effective_from:
                self.fail("effective_to must be after effective_from", ("effective_to",))
        title = data.get("title") or ""
        if not isinstance(title, str):
            self.fail("title must be a string", ("title",))

        regulators = data["regulators"]
        if not isinstance(regulators, list) or not regulators:
            self.fail("regulators must be a non-empty list", ("regulators",))
        parsed_regulators = []
        for i, reg in enumerate(regulators):
            path = ("regulators", i)
            self.keys(reg, path, {"code", "name"}, set(), "regulator")
            parsed_regulators.append(
                Regulator(self.text(reg["code"], path, "code"), self.text(reg["name"], path, "name"))
            )

        rules = data["rules"]
        if not isinstance(rules, list) or not rules:
            self.fail("rules must be a non-empty list", ("rules",))
        parsed_rules = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(rules):
            rule = self.rule(raw, ("rules", i), jurisdiction)
            if rule.id in seen:
                self.fail(f"duplicate rule id (first at rules[{seen[rule.id]}])", ("rules", i))
            seen[rule.id] = i
            parsed_rules.append(rule)
            self.rule_id = None

        return Pack(
            jurisdiction=jurisdiction,
            version=version,
            effective_from=effective_from,
            effective_to=effective_to,
            regulators=tuple(parsed_regulators),
            rules=tuple(parsed_rules),
            content_hash=hashlib.sha256(_canonical_json(data).encode()).hexdigest(),
            source=source,
            title=title,
        )

    # -- rule -----------------------------------------------------------------------------

    def rule(self, raw: Any, path: tuple, jurisdiction: str) -> Rule:
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            self.rule_id = raw["id"]
        self.keys(raw, path, RULE_KEYS, OPTIONAL_RULE_KEYS, "rule")
        rule_id = self.text(raw["id"], (*path, "id"), "id")
        if not RULE_ID_RE.match(rule_id) or not rule_id.startswith(jurisdiction[:2] + "-"):
            self.fail(
                f"rule id must look like {jurisdiction}-TOPIC (upper case, dash separated)",
                (*path, "id"),
            )
        title = self.text(raw["title"], (*path, "title"), "title")
        citation = self.text(raw["citation"], (*path, "citation"), "citation")
        rationale = self.text(raw["rationale"], (*path, "rationale"), "rationale")
        outcome = self.outcome(raw["outcome"], (*path, "outcome"))
        sections = self.sections(raw.get("disclosure_sections", []), (*path, "disclosure_sections"))
        distribution = self.distribution(raw.get("distribution"), (*path, "distribution"))
        condition = self.text(raw["condition"], (*path, "condition"), "condition")
        program, references = self.compile(condition, (*path, "condition"))
        examples = self.examples(raw["examples"], (*path, "examples"))
        rule = Rule(
            id=rule_id,
            title=title,
            citation=citation,
            condition=condition,
            rationale=rationale,
            outcome=outcome,
            disclosure_sections=sections,
            distribution=distribution,
            examples=examples,
            references=references,
            canonical=_canonical_json(raw),
            program=program,
        )
        if self.verify_examples:
            self.check_examples(rule, jurisdiction, (*path, "examples"))
        return rule

    def outcome(self, value: Any, path: tuple) -> Outcome:
        if not isinstance(value, str):
            self.fail("outcome must be block, warn or require:<artifact>", path)
        kind, _, artifact = value.partition(":")
        if kind not in OUTCOME_KINDS:
            self.fail(f"unknown outcome {value!r}: use block, warn or require:<artifact>", path)
        if kind == "require":
            if artifact not in ARTIFACTS:
                self.fail(
                    f"require needs an artifact, one of {', '.join(sorted(ARTIFACTS))}; got {artifact!r}",
                    path,
                )
            return Outcome("require", artifact)
        if artifact:
            self.fail(f"outcome {kind} takes no artifact", path)
        return Outcome(kind)

    def sections(self, value: Any, path: tuple) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail("disclosure_sections must be a list", path)
        for i, section in enumerate(value):
            if section not in DISCLOSURE_SECTIONS:
                self.fail(
                    f"unknown disclosure section {section!r}; one of {', '.join(sorted(DISCLOSURE_SECTIONS))}",
                    (*path, i),
                )
        if len(set(value)) != len(value):
            self.fail("disclosure_sections lists a section twice", path)
        return tuple(value)

    def distribution(self, value: Any, path: tuple) -> DistributionConstraints:
        if value is None:
            return DistributionConstraints()
        self.keys(value, path, DISTRIBUTION_KEYS, DISTRIBUTION_KEYS, "distribution")
        categories = value.get("allowed_investor_categories")
        if categories is not None:
            if not isinstance(categories, list) or not categories:
                self.fail(
                    "allowed_investor_categories must be a non-empty list (use jurisdiction_blocked to allow nobody)",
                    (*path, "allowed_investor_categories"),
                )
            for i, category in enumerate(categories):
                if category not in INVESTOR_CATEGORIES:
                    self.fail(
                        f"unknown investor category {category!r}; one of {', '.join(sorted(INVESTOR_CATEGORIES))}",
                        (*path, "allowed_investor_categories", i),
                    )
            categories = frozenset(categories)
        flags = {}
        for key in DISTRIBUTION_KEYS - {"allowed_investor_categories"}:
            flag = value.get(key, False)
            if not isinstance(flag, bool):
                self.fail(f"{key} must be true or false", (*path, key))
            flags[key] = flag
        return DistributionConstraints(allowed_investor_categories=categories, **flags)

    def compile(self, condition: str, path: tuple) -> tuple[cel.Program, tuple]:
        try:
            program = cel.compile(condition)
        except ValueError as exc:
            match = CEL_ERROR_RE.search(str(exc))
            if match is None:
                self.fail(f"invalid CEL: {exc}", path)
            self.condition_error(
                "CEL syntax error: " + match.group(3).removeprefix("Syntax error: "),
                path,
                int(match.group(1)),
                int(match.group(2)),
            )
        try:
            references = find_references(condition, program.variables())
        except UnknownReference as exc:
            self.condition_error(exc.message, path, exc.line, exc.column)
        return program, references

    def condition_error(self, message: str, path: tuple, line: int, column: int) -> None:
        file_position = self.doc.condition_position(path, line, column)
        if file_position is None:
            file_line, file_column = self.doc.position(path)
        else:
            file_line, file_column = file_position
        raise PackError(
            self.name,
            f"condition line {line}, column {column}: {message}",
            rule_id=self.rule_id,
            line=file_line,
            column=file_column,
        )

    # -- examples -------------------------------------------------------------------------

    def examples(self, value: Any, path: tuple) -> tuple[Example, ...]:
        if not isinstance(value, list):
            self.fail("examples must be a list", path)
        parsed = []
        for i, raw in enumerate(value):
            item_path = (*path, i)
            self.keys(raw, item_path, EXAMPLE_KEYS, set(ROOTS), "example")
            name = self.text(raw["name"], (*item_path, "name"), "example name")
            if raw["expect"] not in EXPECTATIONS:
                self.fail("expect must be fires or does_not_fire", (*item_path, "expect"))
            overrides = {}
            for root in ROOTS:
                attrs = raw.get(root) or {}
                if not isinstance(attrs, Mapping):
                    self.fail(f"{root} must be a mapping of attributes", (*item_path, root))
                overrides[root] = MappingProxyType(dict(attrs))
            parsed.append(Example(name=name, fires=EXPECTATIONS[raw["expect"]], **overrides))
        names = [e.name for e in parsed]
        if len(set(names)) != len(names):
            self.fail("example names must be unique within a rule", path)
        if not any(e.fires for e in parsed) or all(e.fires for e in parsed):
            self.fail("a rule needs at least one 'fires' and one 'does_not_fire' example", path)
        return tuple(parsed)

    def check_examples(self, rule: Rule, jurisdiction: str, path: tuple) -> None:
        for i, example in enumerate(rule.examples):
            try:
                context = example_context(example, jurisdiction)
                outcome = evaluate_rule(rule, context)
            except ContextError as exc:
                self.fail(f"example {example.name!r}: {exc}", (*path, i))
            except RuleEvaluationError as exc:
                self.fail(f"example {example.name!r}: {exc.reason}", (*path, i))
            if outcome.fired != example.fires:
                expected = "fire" if example.fires else "not fire"
                self.fail(
                    f"example {example.name!r} contradicts the rule: expected it to {expected}, "
                    f"evidence {dict(outcome.evidence)}",
                    (*path, i),
                )


def example_context(example: Example, jurisdiction: str):
    """The EvaluationContext of an example: baseline, pack jurisdiction, then overrides."""
    return build_context(
        product={**BASELINE_PRODUCT, **example.product},
        issuer={**BASELINE_ISSUER, **example.issuer},
        application={**BASELINE_APPLICATION, "jurisdiction": jurisdiction, **example.application},
        strict=True,
    )


def load_pack(path: str | Path) -> Pack:
    """Load, validate and compile one pack file; raises PackError if anything is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(path.name, f"cannot read: {exc.strerror}") from exc
    return load_pack_text(text, name=path.name, source=str(path))


def load_pack_text(text: str, *, name: str, source: str | None = None, verify_examples: bool = True) -> Pack:
    """Load a pack from its YAML text, e.g. the copy the database keeps of a loaded pack.

    Workers compile the stored text rather than reading `packs/`, so a run uses exactly the
    pack version the database recorded even when the files on disk have moved on. They pass
    `verify_examples=False`: the examples were run when the pack was loaded into the database
    (same content hash), and running them again is most of the compile time.
    """
    doc = _Document(name, text)
    return _Validator(doc, verify_examples=verify_examples).pack(source or name)
