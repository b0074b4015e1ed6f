"""The disclosure renderer, end to end: real PDFs from WeasyPrint, read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from disclosure_samples import PROFESSIONAL_CONSTRAINTS, REPO_ROOT, RETAIL_CONSTRAINTS
from django.template.backends.django import DjangoTemplates
from pypdf import PdfReader

from compliance.disclosures import rendering
from compliance.disclosures.rendering import (
    JURISDICTIONS,
    KID_MAX_PAGES,
    SECTION_KEYS,
    DisclosureError,
    DisclosureTooLong,
    IncompleteTerms,
    MandatorySectionMissing,
    render_disclosure,
)

RENDERED_ON = date(2026, 5, 4)


def render(terms, issuer_attrs, **overrides):
    arguments = {
        "terms": terms,
        "issuer": issuer_attrs,
        "jurisdiction": "EU",
        "language": "en",
        "document_version": 1,
        "mandatory_sections": list(SECTION_KEYS),
        "rendered_on": RENDERED_ON,
        "constraints": PROFESSIONAL_CONSTRAINTS,
    }
    arguments.update(overrides)
    return render_disclosure(**arguments)


def engine_with_overrides(directory) -> DjangoTemplates:
    """A template engine that finds templates in ``directory`` before the project's."""
    return DjangoTemplates(
        {
            "NAME": "overrides",
            "DIRS": [directory, REPO_ROOT / "templates"],
            "APP_DIRS": False,
            "OPTIONS": {},
        }
    )


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Text extraction breaks lines wherever the layout did; compare on single spaces.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_physical_disclosure_quotes_the_terms(physical_terms, issuer_attrs):
    result = render(physical_terms, issuer_attrs)
    text = pdf_text(result.pdf)

    assert "Availability commitment 99.5%" in text
    assert "service credit of 10%" in text
    assert "Rheinland Compute GmbH" in text and "5299000J2N45DDNE4Y28" in text
    assert "Clearstream Banking S.A." in text
    assert "1 July 2026 to 30 September 2026, a window of 91 days (about 3 months)" in text
    assert "NVIDIA H100 SXM" in text
    assert "MLPerf Training v4.0 GPT-3 175B" in text
    assert "up to 10.9 hours of the 2,184-hour window" in text
    for site in ("FRA-01", "FRA-02", "MUC-01"):
        assert site in text
    assert "Germany (DE)" in text
    assert "All delivery sites are located in one country, Germany (DE)" in text
    assert "last attested on 20 April 2026, 14 days before the date of this document" in text
    assert f"Page 1 of {result.page_count}" in text
    assert result.template_version.startswith(rendering.TEMPLATE_SET + "+")


def test_a_changed_sla_changes_the_document(physical_terms, issuer_attrs):
    before = pdf_text(render(physical_terms, issuer_attrs).pdf)
    physical_terms["sla_availability_pct"] = 99.9
    physical_terms["remedy_make_whole"] = True
    after = pdf_text(render(physical_terms, issuer_attrs).pdf)

    assert "99.5%" in before and "99.5%" not in after
    assert "Availability commitment 99.9%" in after
    assert "The provider must also make you whole" in after
    assert "The provider must also make you whole" not in before


def test_cash_settled_disclosure_names_the_index_and_regions(cash_terms, issuer_attrs):
    text = pdf_text(render(cash_terms, issuer_attrs, jurisdiction="US").pdf)

    assert "Attest H100 Rental Index" in text
    assert "(administrator: Compute Benchmarks Ltd)" in text
    assert "volume-weighted median of executed one-month H100 rental prices" in text
    assert "United States of America (US)" in text or "United States (US)" in text
    assert "Singapore (SG)" in text
    assert "The sites are spread" not in text  # regions only, no sites
    # Cash settlement delivers nothing, and a mandatory delivery section says so.
    assert "Not applicable because the product is cash settled" in text


def test_physical_product_states_why_mandatory_index_section_does_not_apply(physical_terms, issuer_attrs):
    result = render(physical_terms, issuer_attrs, mandatory_sections=["index_valuation"])
    text = pdf_text(result.pdf)

    assert "Reference index and valuation risk" in text
    assert "Not applicable because the product is physically settled" in text
    assert "Required by the EU rule pack".upper() in text.upper()


def test_inapplicable_sections_are_left_out_unless_mandatory(physical_terms, issuer_attrs):
    result = render(physical_terms, issuer_attrs, mandatory_sections=["delivery_shortfall"])

    assert 'id="section-index_valuation"' not in result.html
    assert 'id="section-tokenization"' not in result.html
    # Applicable sections are always rendered, required or not; only required ones are marked.
    for key in ("delivery_shortfall", "concentration", "liquidity", "fees_costs"):
        assert f'id="section-{key}"' in result.html
    assert result.html.count('data-mandatory="true"') == 1


def test_a_template_that_drops_a_mandatory_section_is_refused(physical_terms, issuer_attrs, tmp_path, monkeypatch):
    # A jurisdiction template that overrides the regulatory block away must not publish.
    (tmp_path / "disclosures").mkdir()
    (tmp_path / "disclosures" / "eu.html").write_text(
        '{% extends "disclosures/base.html" %}{% block regulatory_status %}{% endblock %}'
    )
    monkeypatch.setattr(rendering, "_django_engine", lambda: engine_with_overrides(tmp_path))

    with pytest.raises(MandatorySectionMissing, match="regulatory_status"):
        render(physical_terms, issuer_attrs, mandatory_sections=["regulatory_status"])


def test_templates_may_not_load_external_resources(physical_terms, issuer_attrs, tmp_path, monkeypatch):
    (tmp_path / "disclosures").mkdir()
    (tmp_path / "disclosures" / "eu.html").write_text(
        '{% extends "disclosures/base.html" %}'
        '{% block jurisdiction_notice %}<img src="https://example.invalid/logo.png">{% endblock %}'
    )
    monkeypatch.setattr(rendering, "_django_engine", lambda: engine_with_overrides(tmp_path))

    with pytest.raises(DisclosureError, match="may not load external resources"):
        render(physical_terms, issuer_attrs)


def test_pdf_is_reproducible_and_hashed(physical_terms, issuer_attrs):
    first = render(physical_terms, issuer_attrs)
    second = render(physical_terms, issuer_attrs)

    assert first.pdf == second.pdf
    assert first.sha256 == second.sha256 == hashlib.sha256(first.pdf).hexdigest()
    assert first.html == second.html

    assert render(physical_terms, issuer_attrs, document_version=2).sha256 != first.sha256
    assert render(physical_terms, issuer_attrs, rendered_on=date(2026, 5, 5)).sha256 != first.sha256
    physical_terms["remedy_credit_pct"] = 15.0
    assert render(physical_terms, issuer_attrs).sha256 != first.sha256


def test_pdf_metadata_dates_come_from_rendered_on(physical_terms, issuer_attrs):
    metadata = PdfReader(io.BytesIO(render(physical_terms, issuer_attrs).pdf)).metadata

    assert metadata.creation_date.date() == RENDERED_ON
    assert metadata.modification_date.date() == RENDERED_ON
    assert metadata.author == issuer_attrs["legal_name"]
    assert "H100-FWD-26Q3" in metadata.title


REGULATORY_WORDING = {
    "US": "Commodity Futures Trading Commission",
    "EU": "Directive 2014/65/EU (MiFID II)",
    "GB": "Financial Conduct Authority",
    "SG": "Monetary Authority of Singapore",
    "CH": "FINMA",
    "HK": "Securities and Futures Commission",
}


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_each_jurisdiction_renders_its_regulatory_wording(jurisdiction, token_terms, issuer_attrs):
    token_terms["target_market"] = "professional"
    result = render(token_terms, issuer_attrs, jurisdiction=jurisdiction)
    text = pdf_text(result.pdf)

    assert result.page_count >= 2
    assert REGULATORY_WORDING[jurisdiction] in text
    assert f"Required by the {jurisdiction} rule pack".upper() in text.upper()
    assert "ERC-3643 tokens on Ethereum" in text
    assert "0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2" in text.replace(" ", "")
    assert "professional investors, eligible counterparties" in text
    assert f"Page {result.page_count} of {result.page_count}" in text


def test_sites_in_several_countries_report_the_largest_share(token_terms, issuer_attrs):
    text = pdf_text(render(token_terms, issuer_attrs, jurisdiction="SG").pdf)

    assert "3 data-centre sites in 2 countries" in text
    assert "the largest share, 67% of the sites, is in Singapore" in text
    assert "all in one country" not in text


def test_eu_retail_gets_a_key_information_document(physical_terms, issuer_attrs):
    physical_terms["target_market"] = "retail"
    result = render(physical_terms, issuer_attrs, constraints=RETAIL_CONSTRAINTS)
    text = pdf_text(result.pdf)

    assert result.page_count <= KID_MAX_PAGES
    for heading in (
        "Purpose",
        "What is this product?",
        "What are the risks and what could I get in return?",
        "What happens if Attest Demo Compute Issuer AG is unable to pay out or "
        "Rheinland Compute GmbH is unable to deliver?",
        "What are the costs?",
        "How long should I hold it and can I take money out early?",
        "How can I complain?",
        "Other relevant information",
    ):
        assert heading in text
    assert "We have classified this product as 6 out of 7" in text
    assert "Stress" in text and "Favourable" in text
    # Every mandatory section still appears inside the KID structure.
    for key in SECTION_KEYS:
        assert f'id="section-{key}"' in result.html
    assert "99.5%" in text


def test_rule_pack_can_set_the_summary_risk_indicator(physical_terms, issuer_attrs):
    physical_terms["target_market"] = "retail"
    constraints = {**RETAIL_CONSTRAINTS, "summary_risk_indicator": 7}
    text = pdf_text(render(physical_terms, issuer_attrs, constraints=constraints).pdf)

    assert "We have classified this product as 7 out of 7" in text


def test_kid_over_three_pages_is_refused(physical_terms, issuer_attrs):
    physical_terms["target_market"] = "retail"
    physical_terms["sla_measurement_method"] = " ".join(["probes every sixty seconds"] * 1500)

    with pytest.raises(DisclosureTooLong, match=r"renders to \d+ A4 pages") as caught:
        render(physical_terms, issuer_attrs, constraints=RETAIL_CONSTRAINTS)
    assert caught.value.page_count > KID_MAX_PAGES
    assert f"renders to {caught.value.page_count} A4 pages" in str(caught.value)


def test_long_professional_disclosure_has_no_page_limit(physical_terms, issuer_attrs):
    physical_terms["sla_measurement_method"] = " ".join(["probes every sixty seconds"] * 1500)

    assert render(physical_terms, issuer_attrs).page_count > KID_MAX_PAGES


def test_undecided_constraints_render_a_marked_draft(physical_terms, issuer_attrs):
    text = pdf_text(render(physical_terms, issuer_attrs, jurisdiction="GB", constraints=None).pdf)

    assert "DRAFT" in text
    assert "may not be used to offer or sell the product" in text


def test_language_is_activated_for_the_document(physical_terms, issuer_attrs):
    result = render(physical_terms, issuer_attrs, language="de")

    assert '<html lang="de">' in result.html


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"jurisdiction": "JP"}, DisclosureError, "no disclosure template"),
        ({"mandatory_sections": ["weather"]}, DisclosureError, "unknown mandatory"),
        ({"document_version": 0}, DisclosureError, "starts at 1"),
        ({"constraints": {"jurisdiction_blocked": True}}, DisclosureError, "blocked in EU"),
    ],
)
def test_invalid_requests_are_refused(physical_terms, issuer_attrs, overrides, error, message):
    with pytest.raises(error, match=message):
        render(physical_terms, issuer_attrs, **overrides)


def test_missing_figures_are_named(physical_terms, issuer_attrs):
    physical_terms["sla_availability_pct"] = None
    del physical_terms["provider_lei"]

    with pytest.raises(IncompleteTerms) as caught:
        render(physical_terms, issuer_attrs)
    assert caught.value.missing == ["terms.provider_lei", "terms.sla_availability_pct"]


def test_unrestricted_investor_categories_are_not_read_as_none_allowed(physical_terms, issuer_attrs):
    # The rules' vocabulary: None means no rule restricts the categories; [] admits nobody.
    physical_terms["target_market"] = "retail"
    unrestricted = {"allowed_investor_categories": None}
    open_text = render(physical_terms, issuer_attrs, jurisdiction="GB", constraints=unrestricted).html
    closed_text = render(physical_terms, issuer_attrs, constraints={"allowed_investor_categories": []}).html

    assert "do not restrict the categories of investors" in open_text
    assert "may not be offered there" not in open_text
    assert "admit no investor category" in closed_text


def test_a_professional_target_market_restricts_where_the_rules_do_not(physical_terms, issuer_attrs):
    physical_terms["target_market"] = "professional"
    unrestricted = {"allowed_investor_categories": None}
    text = pdf_text(render(physical_terms, issuer_attrs, jurisdiction="GB", constraints=unrestricted).pdf)

    assert "any investor category" not in text
    assert (
        "May be sold to professional investors, eligible counterparties, accredited investors, eligible contract"
        " participants (the issuer's target market: professional investors only)"
    ) in text
    assert "the restriction is the issuer's target market" in text
