"""Every example of every shipped pack, one test per rule example, plus pack-wide checks."""

from __future__ import annotations

import pytest

from compliance.rules.pack import PACKS_DIR, evaluate_rule, example_context, load_pack_directory

PACKS = load_pack_directory(PACKS_DIR)

EXAMPLES = [
    pytest.param(pack, rule, example, id=f"{pack.jurisdiction}-{pack.version}:{rule.id}:{example.name}")
    for pack in PACKS
    for rule in pack.rules
    for example in rule.examples
]


@pytest.mark.parametrize(("pack", "rule", "example"), EXAMPLES)
def test_example(pack, rule, example):
    outcome = evaluate_rule(rule, example_context(example, pack.jurisdiction))
    assert outcome.fired is example.fires, outcome.evidence
    # The evidence names exactly the attributes the condition reads.
    assert set(outcome.evidence) == set(rule.attributes)


def test_required_jurisdictions_are_shipped():
    assert {"US", "EU", "GB", "SG", "CH", "HK"} <= {pack.jurisdiction for pack in PACKS}


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: f"{p.jurisdiction}-{p.version}")
def test_pack_has_at_least_eight_cited_rules(pack):
    assert len(pack.rules) >= 8
    assert all(rule.citation and rule.rationale for rule in pack.rules)


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: f"{p.jurisdiction}-{p.version}")
def test_pack_covers_the_compute_specific_points(pack):
    # Every jurisdiction must ask who delivers, whether capacity is evidenced and
    # collateralized, what happens on a shortfall and how the index is administered.
    read = {attribute for rule in pack.rules for attribute in rule.attributes}
    assert {
        "product.provider_lei",
        "application.attestation_age_days",
        "product.collateral_pct",
        "product.remedy_make_whole",
        "product.index_administrator",
    } <= read


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: f"{p.jurisdiction}-{p.version}")
def test_pack_covers_classification_distribution_and_publication(pack):
    kinds = {str(rule.outcome) for rule in pack.rules}
    assert "block" in kinds
    assert any(rule.distribution.allowed_investor_categories for rule in pack.rules)
    assert any(rule.distribution.appropriateness_required for rule in pack.rules)
    assert "require:regulated_venue" in kinds
    assert kinds & {"require:kid", "require:prospectus", "require:risk_disclosure_statement"}
    assert any("product.is_tokenized" in rule.attributes for rule in pack.rules)
