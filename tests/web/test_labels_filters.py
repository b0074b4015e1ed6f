"""The `labels` template library: a label for each stored code, and codes kept where needed."""

from dashboard.templatetags import labels


def test_an_outcome_reads_as_the_findings_card_reads_it():
    assert [labels.outcome_label(o) for o in ("warn", "block", "require:kid")] == ["Warning", "Blocks", "Requires"]


def test_a_require_outcome_names_its_artifact_in_words():
    assert labels.outcome_text("require:kid") == (
        "Requires a key information document for retail investors (PRIIPs KID or equivalent)"
    )


def test_a_distribution_with_every_flag_off_says_nothing():
    distribution = {
        "allowed_investor_categories": None,
        "appropriateness_required": False,
        "acknowledgement_required": False,
        "jurisdiction_blocked": False,
    }
    assert labels.distribution_summary(distribution) == ""


def test_a_distribution_that_allows_nobody_says_so():
    assert labels.distribution_summary({"allowed_investor_categories": []}) == "no investor at all"


def test_venue_types_in_evidence_read_as_their_regulatory_names():
    assert labels.evidence_label(["dcm"], "application.venue_types") == "US designated contract market (CEA §5)"
    assert labels.evidence_code(["dcm"], "application.venue_types") == "dcm"


def test_evidence_that_is_already_readable_carries_no_code():
    assert labels.evidence_label("H100 SXM", "product.accelerator_model") == "H100 SXM"
    assert labels.evidence_code("H100 SXM", "product.accelerator_model") == ""


def test_an_unknown_reason_code_is_shown_as_it_is():
    assert labels.reason_message("NO_SUCH_REASON") == "NO_SUCH_REASON"
