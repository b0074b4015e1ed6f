"""Compare pack versions: rule diffs and overlapping effective periods."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from .loader import PackError, load_pack
from .model import Pack


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    fields: tuple[str, ...]  # top-level rule keys whose content differs


@dataclass(frozen=True)
class PackDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RuleChange, ...]
    pack_fields: tuple[str, ...]  # e.g. effective_to, regulators

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.pack_fields)


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    """Rules added, removed and changed (by stable id) from `old` to `new`."""
    if old.jurisdiction != new.jurisdiction:
        raise ValueError(f"cannot diff {old.jurisdiction} against {new.jurisdiction}")
    old_rules = {rule.id: rule for rule in old.rules}
    new_rules = {rule.id: rule for rule in new.rules}
    changed = []
    for rule_id in old_rules.keys() & new_rules.keys():
        before = json.loads(old_rules[rule_id].canonical)
        after = json.loads(new_rules[rule_id].canonical)
        fields = tuple(sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key)))
        if fields:
            changed.append(RuleChange(rule_id, fields))
    pack_fields = tuple(
        name
        for name in ("version", "effective_from", "effective_to", "regulators", "title")
        if getattr(old, name) != getattr(new, name)
    )
    return PackDiff(
        added=tuple(r.id for r in new.rules if r.id not in old_rules),
        removed=tuple(r.id for r in old.rules if r.id not in new_rules),
        changed=tuple(sorted(changed, key=lambda c: c.rule_id)),
        pack_fields=pack_fields,
    )


def periods_overlap(a: Pack, b: Pack) -> bool:
    """True when two packs of one jurisdiction would both apply on some day.

    Periods are half-open, [effective_from, effective_to), so a version that ends on the
    day its successor starts does not overlap it.
    """
    if a.jurisdiction != b.jurisdiction:
        return False
    a_ends_after_b_starts = a.effective_to is None or a.effective_to > b.effective_from
    b_ends_after_a_starts = b.effective_to is None or b.effective_to > a.effective_from
    return a_ends_after_b_starts and b_ends_after_a_starts


def find_overlaps(packs: Iterable[Pack]) -> list[tuple[Pack, Pack]]:
    """Every pair of same-jurisdiction packs whose effective periods overlap."""
    return [(a, b) for a, b in combinations(list(packs), 2) if periods_overlap(a, b)]


def load_pack_directory(directory: str | Path) -> tuple[Pack, ...]:
    """Load every *.yaml pack in `directory`, refusing duplicate versions and overlaps."""
    packs = tuple(load_pack(path) for path in sorted(Path(directory).glob("*.yaml")))
    seen: dict[tuple[str, str], Pack] = {}
    for pack in packs:
        key = (pack.jurisdiction, pack.version)
        if key in seen:
            raise PackError(
                Path(pack.source).name,
                f"{pack.jurisdiction} {pack.version} is also defined in {Path(seen[key].source).name}",
            )
        seen[key] = pack
    for a, b in find_overlaps(packs):
        raise PackError(
            Path(b.source).name,
            f"effective period overlaps {Path(a.source).name} ({a.jurisdiction} {a.version})",
        )
    return packs
