"""The findings card and the pack pages show labels, not the codes rule packs store."""

import re

import pytest
from django.core.management import call_command

from compliance.rules import services
from compliance.rules.models import RulePack
from tests.factories import ApplicationFactory, IssuerFactory, VenueFactory
from tests.rules.support import submitted_application, us_pack_variant, write_pack

pytestmark = pytest.mark.django_db

# A swap traded on an ATS, not a DCM: the US pack limits it to eligible contract participants, requires a risk
# disclosure statement and makes disclosure sections mandatory.
SWAP = dict(
    product_type="cash_settled_swap",
    settlement_type="cash",
    reference_index="Silicon Data H100 Rental Index (SDH100RT)",
    index_administrator="Silicon Data Inc.",
    index_methodology="Volume-weighted median of hourly rental prices.",
    jurisdictions=["US"],
    requested_venues=["XATS"],
)


@pytest.fixture
def swap_page(client, officer):
    """The application page of a checked swap, as an officer reads it."""
    call_command("load_rule_packs")
    VenueFactory(mic="XATS", name="Test ATS", country="US", venue_type="ats")
    application = submitted_application(issuer=IssuerFactory(), symbol="SWAP-LABELS", **SWAP)
    services.run_execute(services.run_begin_for_submission(application_id=application.pk))
    client.force_login(officer)
    return client.get(f"/applications/{application.pk}/").content.decode()


@pytest.fixture
def us_pack_page(client, auditor):
    call_command("load_rule_packs")
    client.force_login(auditor)
    return client.get(f"/rules/packs/{RulePack.objects.get(jurisdiction='US').pk}/").content.decode()


def rule_section(page: str, rule_id: str) -> str:
    match = re.search(rf'<section class="card" id="{rule_id}">(.*?)</section>', page, re.S)
    assert match, rule_id
    return match.group(1)


def test_findings_name_the_allowed_investors_in_words(swap_page):
    assert (
        'Allowed investors: <span title="eligible_contract_participant">eligible contract participants</span>'
        in swap_page
    )


def test_findings_name_the_disclosure_sections_by_their_titles(swap_page):
    sections = re.search(r"disclosure sections: (.*?)</p>", swap_page).group(1)
    assert '<span title="regulatory_status">Regulatory status and eligible investors</span>' in sections
    assert "regulatory_status," not in sections


def test_a_requirement_names_its_artifact_in_words_with_the_code_beside(swap_page):
    assert "requires risk_disclosure_statement" not in swap_page
    assert (
        "Approval needs a standard risk disclosure statement given before trading "
        '<span class="mono muted">risk_disclosure_statement</span>' in swap_page
    )


def test_evidence_shows_a_choice_label_with_its_code(swap_page):
    assert (
        '<th scope="row" class="mono">product.product_type</th>'
        '<td>Cash-settled swap on a compute index <span class="mono muted">cash_settled_swap</span></td>' in swap_page
    )


def test_evidence_shows_a_boolean_as_yes_or_no(swap_page):
    assert '<th scope="row" class="mono">product.is_tokenized</th><td>No</td>' in swap_page


def test_a_draft_says_there_is_no_rule_run_because_it_was_not_submitted(client, officer):
    draft = ApplicationFactory()
    client.force_login(officer)
    page = client.get(f"/applications/{draft.pk}/").content.decode()
    assert "No rule run yet: the application has not been submitted." in page
    assert "for version —" not in page


def test_the_pack_page_says_nothing_of_distribution_for_a_rule_that_sets_none(us_pack_page):
    assert "Distribution when fired" not in rule_section(us_pack_page, "US-CEA-SWAP")


def test_the_pack_page_names_allowed_investors_in_one_sentence(us_pack_page):
    assert (
        'Distribution when fired: only <span title="eligible_contract_participant">eligible contract participants'
        "</span>.</p>" in rule_section(us_pack_page, "US-CEA-SWAP-ECP-ONLY")
    )


def test_the_pack_page_badges_read_as_on_the_application_page(us_pack_page):
    badges = re.findall(r'<span class="state [^"]*" title="([^"]*)">([^<]*)</span>', us_pack_page)
    assert {label for _, label in badges} == {"Warning", "Blocks", "Requires"}
    assert ("require:regulated_venue", "Requires") in badges


def test_the_pack_page_names_a_required_artifact_in_words(us_pack_page):
    assert (
        "When fired, approval needs admission to a venue of a regulated type in the jurisdiction "
        '<span class="mono muted">regulated_venue</span>' in rule_section(us_pack_page, "US-CEA-FUTURE-DCM")
    )


def test_the_pack_diff_names_outcomes_in_words(client, auditor, tmp_path):
    old = write_pack(
        tmp_path,
        "us-2026.1.yaml",
        us_pack_variant(version="2026.1", effective_from="2026-01-01", effective_to="2026-07-01"),
    )
    new = write_pack(
        tmp_path,
        "us-2026.2.yaml",
        us_pack_variant(
            version="2026.2",
            effective_from="2026-07-01",
            edit=("outcome: require:regulated_venue", "outcome: block"),
        ),
    )
    call_command("load_rule_packs", str(old), str(new))
    client.force_login(auditor)
    page = client.get("/rules/packs/US/diff/?old=2026.1&new=2026.2").content.decode()
    assert (
        '<span title="require:regulated_venue">Requires admission to a venue of a regulated type in the '
        "jurisdiction</span>" in page
    )
    assert '<span title="block">Blocks</span>' in page
