"""Loading, validation errors, hashing, diffs, overlaps and evaluation of rule packs."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import pytest

from compliance.rules.pack import (
    BASELINE_APPLICATION,
    BASELINE_ISSUER,
    BASELINE_PRODUCT,
    ContextError,
    DistributionConstraints,
    PackError,
    build_context,
    diff_packs,
    evaluate_pack,
    evaluate_rule,
    find_overlaps,
    load_pack,
    load_pack_directory,
    periods_overlap,
)

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad"


def baseline(**product):
    return build_context(
        product={**BASELINE_PRODUCT, **product},
        issuer=BASELINE_ISSUER,
        application=BASELINE_APPLICATION,
    )


# -- load-time errors -------------------------------------------------------------------------

# fixture, rule id named in the error (None: pack-level), (line, column) in the file, message part
ERRORS = [
    ("cel_syntax", "DE-BAD-SYNTAX", (22, 37), "condition line 2, column 31: CEL syntax error"),
    ("unknown_attribute", "DE-TYPO", (20, 61), "unknown attribute product.colateral_pct"),
    ("unknown_root", "DE-INVESTOR", (20, 16), "unknown identifier 'investor'"),
    ("unknown_element_field", "DE-SITE", (20, 51), "unknown field 'region'"),
    ("bare_root", "DE-BARE", (20, 21), "'product' must be followed by an attribute"),
    ("shadowed_root", "DE-SHADOW", (20, 45), "shadows a root"),
    ("missing_citation", "DE-NO-CITATION", (17, 5), "rule is missing citation"),
    ("empty_citation", "DE-EMPTY-CITATION", (19, 15), "citation must be a non-empty string"),
    ("duplicate_id", "DE-OK", (17, 5), "duplicate rule id"),
    ("duplicate_key", "DE-TWO-CONDITIONS", (21, 5), "duplicate key 'condition'"),
    ("bad_outcome", "DE-BAD-OUTCOME", (21, 14), "unknown outcome 'reject'"),
    ("bad_artifact", "DE-BAD-ARTIFACT", (21, 14), "got 'brochure'"),
    ("missing_examples", "DE-NO-EXAMPLES", (17, 5), "rule is missing examples"),
    ("one_sided_examples", "DE-ONE-SIDED", (24, 7), "at least one 'fires' and one"),
    ("contradicting_example", "DE-CONTRADICTS", (25, 9), "'sixty percent' contradicts the rule"),
    ("example_unknown_attribute", "DE-EXAMPLE-TYPO", (24, 9), "unknown attribute product.coll"),
    ("example_wrong_type", "DE-EXAMPLE-TYPE", (24, 9), "expected float, got str"),
    ("derived_in_example", "DE-DERIVED", (24, 9), "is derived by build_context"),
    ("non_bool", "DE-NOT-BOOL", (24, 9), "condition returned float, not bool"),
    ("unknown_section", "DE-BAD-SECTION", (23, 27), "unknown disclosure section 'weather'"),
    ("unknown_category", "DE-BAD-CATEGORY", (24, 37), "unknown investor category"),
    ("wrong_prefix", "FR-OTHER-COUNTRY", (17, 9), "rule id must look like DE-TOPIC"),
    ("bad_jurisdiction", None, (1, 15), "jurisdiction 'XZ' is neither"),
    ("unquoted_version", None, (2, 10), "version must be a quoted string"),
    ("reversed_period", None, (4, 15), "effective_to must be after effective_from"),
]


@pytest.mark.parametrize(("fixture", "rule_id", "position", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_load_error(fixture, rule_id, position, message):
    with pytest.raises(PackError) as info:
        load_pack(BAD / f"{fixture}.yaml")
    error = info.value
    assert error.pack == f"{fixture}.yaml"
    assert error.rule_id == rule_id
    assert (error.line, error.column) == position
    assert message in error.message
    # The rendered message carries all of it, for the management command and the admin.
    text = str(error)
    assert text.startswith(f"{fixture}.yaml: ")
    assert f"line {position[0]}, column {position[1]}" in text
    if rule_id:
        assert f"rule {rule_id}" in text


def test_every_bad_fixture_is_covered():
    assert {path.stem for path in BAD.glob("*.yaml")} == {e[0] for e in ERRORS}


def test_invalid_yaml_and_missing_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("jurisdiction: DE\nrules: [\n")
    with pytest.raises(PackError, match=r"broken.yaml: line \d+, column \d+: invalid YAML"):
        load_pack(broken)
    with pytest.raises(PackError, match="missing.yaml: cannot read"):
        load_pack(tmp_path / "missing.yaml")


# -- the loaded pack ----------------------------------------------------------------------------


def test_valid_pack_is_frozen_and_complete():
    pack = load_pack(FIXTURES / "valid.yaml")
    assert (pack.jurisdiction, pack.version) == ("DE", "2026.1")
    assert [rule.id for rule in pack.rules] == ["DE-RETAIL-KID", "DE-UNDER-COLLATERALIZED"]
    rule = pack.rule("DE-UNDER-COLLATERALIZED")
    assert rule.attributes == (
        "product.settlement_type",
        "product.collateral_pct",
        "product.delivery_sites",
    )
    assert str(pack.rule("DE-RETAIL-KID").outcome) == "require:kid"
    assert rule.distribution.allowed_investor_categories == {"professional", "eligible_counterparty"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        pack.version = "2026.9"


def test_content_hash_ignores_formatting_but_not_content():
    original = load_pack(FIXTURES / "valid.yaml")
    reformatted = load_pack(FIXTURES / "valid_reformatted.yaml")
    assert original.content_hash == reformatted.content_hash
    assert len(original.content_hash) == 64
    assert load_pack(FIXTURES / "valid_v2.yaml").content_hash != original.content_hash


def test_content_hash_changes_with_any_rule_text(tmp_path):
    changed = tmp_path / "valid.yaml"
    changed.write_text((FIXTURES / "valid.yaml").read_text().replace("Art. 24(4)", "Art. 24(5)"))
    assert load_pack(changed).content_hash != load_pack(FIXTURES / "valid.yaml").content_hash


def test_diff_packs():
    diff = diff_packs(load_pack(FIXTURES / "valid.yaml"), load_pack(FIXTURES / "valid_v2.yaml"))
    assert diff.added == ("DE-TOKEN-WHITE-PAPER",)
    assert diff.removed == ("DE-UNDER-COLLATERALIZED",)
    assert [(c.rule_id, c.fields) for c in diff.changed] == [("DE-RETAIL-KID", ("citation", "condition"))]
    assert set(diff.pack_fields) == {"version", "effective_from", "effective_to"}
    same = diff_packs(load_pack(FIXTURES / "valid.yaml"), load_pack(FIXTURES / "valid_reformatted.yaml"))
    assert same.is_empty


def test_effective_periods():
    v1 = load_pack(FIXTURES / "valid.yaml")  # [2026-01-01, 2026-07-01)
    v2 = load_pack(FIXTURES / "valid_v2.yaml")  # [2026-07-01, open)
    overlapping = load_pack(FIXTURES / "overlapping.yaml")  # [2026-06-01, open)
    assert not periods_overlap(v1, v2)  # half-open periods chain without overlap
    assert periods_overlap(v1, overlapping)
    assert periods_overlap(v2, overlapping)  # two open-ended versions always overlap
    assert find_overlaps([v1, v2]) == []
    assert len(find_overlaps([v1, v2, overlapping])) == 2
    assert v1.is_effective_on(v1.effective_from) and not v1.is_effective_on(v2.effective_from)


def test_load_pack_directory_refuses_overlaps(tmp_path):
    for name in ("valid.yaml", "valid_v2.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    assert [p.version for p in load_pack_directory(tmp_path)] == ["2026.1", "2026.2"]
    shutil.copy(FIXTURES / "overlapping.yaml", tmp_path / "overlapping.yaml")
    with pytest.raises(PackError, match="effective period overlaps"):
        load_pack_directory(tmp_path)


def test_load_pack_directory_refuses_duplicate_versions(tmp_path):
    shutil.copy(FIXTURES / "valid.yaml", tmp_path / "a.yaml")
    shutil.copy(FIXTURES / "valid_reformatted.yaml", tmp_path / "b.yaml")
    with pytest.raises(PackError, match="DE 2026.1 is also defined in a.yaml"):
        load_pack_directory(tmp_path)


# -- evaluation ---------------------------------------------------------------------------------


def test_evaluate_rule_reports_evidence():
    rule = load_pack(FIXTURES / "valid.yaml").rule("DE-UNDER-COLLATERALIZED")
    outcome = evaluate_rule(rule, baseline(collateral_pct=40))
    assert outcome.fired is True
    assert outcome.evidence == {
        "product.settlement_type": "physical",
        "product.collateral_pct": 40.0,
        "product.delivery_sites": [
            {"country": "US", "site_id": "IAD-1"},
            {"country": "DE", "site_id": "FRA-2"},
        ],
    }
    assert evaluate_rule(rule, baseline()).fired is False


def test_evaluate_rule_accepts_plain_dicts_with_nulls_and_extra_keys():
    rule = load_pack(FIXTURES / "valid.yaml").rule("DE-RETAIL-KID")
    context = {"product": {"target_market": "retail", "collateral_pct": None, "id": 7}}
    assert evaluate_rule(rule, context).fired is True
    assert evaluate_rule(rule, {"product": {"target_market": None}}).fired is False


def test_evaluate_pack_merges_constraints():
    pack = load_pack(FIXTURES / "valid.yaml")
    result = evaluate_pack(pack, baseline(target_market="retail", collateral_pct=50.0))
    assert [rule.id for rule in result.fired_rules] == ["DE-RETAIL-KID", "DE-UNDER-COLLATERALIZED"]
    assert result.required_artifacts == ("kid",)
    assert result.disclosure_sections == ("fees_costs", "counterparty_collateral")
    assert not result.blocked
    assert result.constraints == DistributionConstraints(
        allowed_investor_categories=frozenset({"professional", "eligible_counterparty"}),
        acknowledgement_required=True,
    )


def test_evaluate_pack_checks_the_packs_jurisdiction(tmp_path):
    text = (
        (FIXTURES / "valid.yaml")
        .read_text()
        .replace(
            'condition: product.target_market == "retail"',
            'condition: product.target_market == "retail" && application.jurisdiction == "DE"',
        )
    )
    path = tmp_path / "de.yaml"
    path.write_text(text)
    pack = load_pack(path)
    context = build_context(product={"target_market": "retail"}, application={"jurisdiction": "FR"})
    assert evaluate_pack(pack, context).outcomes[0].fired is True


def test_block_outcome_blocks_the_jurisdiction():
    merged = DistributionConstraints(allowed_investor_categories=frozenset({"retail"})).merge(
        DistributionConstraints(allowed_investor_categories=frozenset({"professional"}))
    )
    assert merged.allowed_investor_categories == frozenset()
    eu = load_pack(Path(__file__).parents[2] / "compliance/rules/packs/eu-2026.1.yaml")
    result = evaluate_pack(eu, baseline(remedy_credit_pct=0.0, remedy_make_whole=False))
    assert result.blocked and result.constraints.jurisdiction_blocked


def test_attestation_age_is_derived_from_submission_date():
    context = build_context(
        product={"last_attestation_date": "2026-01-01"},
        application={"submitted_on": "2026-03-01"},
    )
    assert context.application["attestation_age_days"] == 59
    assert build_context(product={}).application["attestation_age_days"] == -1
    with pytest.raises(ContextError, match="derived"):
        build_context(application={"attestation_age_days": 3})


def test_context_rejects_wrong_types():
    with pytest.raises(ContextError, match="product.lot_size: expected int"):
        build_context(product={"lot_size": "ten"})
    with pytest.raises(ContextError, match="unknown attribute product.colour"):
        build_context(product={"colour": "green"}, strict=True)


def test_rule_evaluation_takes_microseconds():
    rule = load_pack(FIXTURES / "valid.yaml").rule("DE-UNDER-COLLATERALIZED")
    context = baseline(collateral_pct=50.0)
    runs = 2000
    start = time.perf_counter()
    for _ in range(runs):
        evaluate_rule(rule, context)
    per_rule = (time.perf_counter() - start) / runs
    # Typically ~3 µs; the bound is loose so a busy CI machine does not flake.
    assert per_rule < 200e-6
