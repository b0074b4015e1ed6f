"""Disclosures rendered from extreme but valid terms: many sites, long names, tiny or ended windows.

Layout checks measure WeasyPrint's layout tree (``Page._page_box``, internal but the only way to
see where boxes land); wording checks read the PDF text back with pypdf.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from disclosure_samples import PROFESSIONAL_CONSTRAINTS, RETAIL_CONSTRAINTS
from pypdf import PdfReader

from compliance.disclosures.rendering import SECTION_KEYS, load_weasyprint, render_disclosure

RENDERED_ON = date(2026, 6, 1)
COUNTRIES = ["DE", "FR", "NL", "BE", "LU", "AT", "IT", "ES", "PT", "IE"]


def _fill(words: str, length: int) -> str:
    """``words`` repeated up to exactly ``length`` characters: the terms' longest names."""
    text = ""
    while len(text) < length:
        text += words + " "
    return text[:length].strip()


def _render(terms, issuer, *, jurisdiction="GB", constraints=PROFESSIONAL_CONSTRAINTS, rendered_on=RENDERED_ON):
    return render_disclosure(
        terms=terms,
        issuer=issuer,
        jurisdiction=jurisdiction,
        language="en",
        document_version=1,
        mandatory_sections=list(SECTION_KEYS),
        rendered_on=rendered_on,
        constraints=constraints,
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _pages(html: str):
    return load_weasyprint().HTML(string=html).render().pages


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def _long_terms(terms: dict, issuer: dict) -> tuple[dict, dict]:
    """The reviewer's realistic extreme: 200-character names with spaces and 20 sites in 10 countries."""
    terms.update(
        name=_fill("NVIDIA H100 SXM GPU-hour physically settled forward for European sovereign compute", 200),
        provider_name=_fill("Rheinland Compute Infrastruktur und Rechenzentrumsbetrieb Gesellschaft", 200),
        collateral_custodian=_fill("Clearstream Banking Societe Anonyme acting as collateral agent", 200),
        delivery_regions=COUNTRIES,
        delivery_sites=[
            {"country": c, "site_id": f"{c.lower()}-metro-campus-{i:02d}"} for i in range(2) for c in COUNTRIES
        ],
    )
    issuer = {
        **issuer,
        "legal_name": _fill("Internationale Gesellschaft fuer Rechenkapazitaeten und Finanzierung", 200),
    }
    return terms, issuer


# --- page 1 is not left blank -------------------------------------------------------------


def _first_page_fill(html: str) -> float:
    """How far down page 1's body area its lowest line of text reaches (0 = top, 1 = bottom)."""
    from weasyprint.formatting_structure import boxes

    page = _pages(html)[0]._page_box
    body = next(box for box in page.children if not isinstance(box, boxes.MarginBox))
    lines = [
        box
        for box in _walk(body)
        if isinstance(box, boxes.LineBox) and any(isinstance(t, boxes.TextBox) for t in _walk(box))
    ]
    top = page.content_box_y()
    return (max(line.position_y + line.height for line in lines) - top) / page.height


def test_a_product_with_many_sites_and_long_names_starts_its_summary_on_page_one(physical_terms, issuer_attrs):
    terms, issuer = _long_terms(physical_terms, issuer_attrs)

    result = _render(terms, issuer)

    first_page = _page_texts(result.pdf)[0]
    assert "Summary" in first_page and "Sites and regions" in first_page
    # Kept whole, the summary used to move to page 2 and leave page 1 about 70% blank.
    assert _first_page_fill(result.html) > 0.8


def test_a_summary_longer_than_the_rest_of_page_one_breaks_between_rows(physical_terms, issuer_attrs):
    terms, issuer = _long_terms(physical_terms, issuer_attrs)
    # Five sites are still listed one by one, with the longest ids the terms allow.
    terms["delivery_sites"] = [
        {"country": c, "site_id": f"{c.lower()}-" + "campus-hall-row-" * 3 + "x" * 12} for c in COUNTRIES[:5]
    ]
    terms["accelerator_model"] = _fill("H100 SXM5 80GB HBM3 NVLink liquid cooled revision", 64)

    # A draft carries one more notice above the summary.
    result = _render(terms, issuer, constraints=None)

    first_page = _page_texts(result.pdf)[0]
    assert "Summary" in first_page and "Sites and regions" in first_page
    assert "Principal risks covered below" not in first_page  # it did not fit: the summary continues on page 2
    assert _first_page_fill(result.html) > 0.8


def test_the_summary_counts_many_sites_per_country_and_the_concentration_section_lists_them(
    physical_terms, issuer_attrs
):
    countries = ["US"] * 12 + ["DE"] * 5 + ["IE"] * 3
    physical_terms["delivery_sites"] = [{"country": c, "site_id": f"{c}-DC-{i:02d}"} for i, c in enumerate(countries)]
    physical_terms["delivery_regions"] = ["US", "DE", "IE"]
    three_sites = _render(
        dict(physical_terms, delivery_sites=physical_terms["delivery_sites"][:3]), issuer_attrs, jurisdiction="US"
    )

    result = _render(physical_terms, issuer_attrs, jurisdiction="US")

    text = _text(result.pdf)
    assert "20 sites in 3 countries: US (12), DE (5), IE (3), listed in section 3; regions US, DE, IE" in text
    assert text.count("US-DC-00") == 1  # the concentration section's table, not the summary
    assert all(f"-DC-{i:02d}" in text for i in range(20))
    assert result.page_count <= three_sites.page_count + 1


# --- nothing runs off the page --------------------------------------------------------------


def test_unbroken_names_wrap_inside_the_page(physical_terms, issuer_attrs):
    from weasyprint.formatting_structure import boxes

    physical_terms["accelerator_model"] = "M" * 64  # the longest model name the terms allow, no spaces
    physical_terms["collateral_custodian"] = "C" * 120
    physical_terms["sla_reference_benchmark"] = "B" * 120

    result = _render(physical_terms, issuer_attrs)

    assert "M" * 64 in _text(result.pdf).replace(" ", "")
    for number, page in enumerate(_pages(result.html), 1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        beyond = [
            (box.text[:20], round(box.position_x + box.margin_width() - right, 1))
            for box in _walk(page_box)
            if isinstance(box, boxes.TextBox) and box.position_x + box.margin_width() > right + 0.5
        ]
        assert not beyond, f"page {number}: text runs past the right margin: {beyond}"


def test_a_long_issuer_name_keeps_the_page_counter_on_one_line(physical_terms, issuer_attrs):
    from weasyprint.formatting_structure import boxes

    _terms, issuer = _long_terms(physical_terms, issuer_attrs)

    result = _render(physical_terms, issuer)

    for number, page in enumerate(_pages(result.html), 1):
        counter = next(
            box
            for box in _walk(page._page_box)
            if isinstance(box, boxes.TableCellBox) and "page-counter" in (box.element.get("class") or "")
        )
        lines = [box for box in _walk(counter) if isinstance(box, boxes.LineBox)]
        assert len(lines) == 1, f"page {number}: the page counter wraps over {len(lines)} lines"


# --- figures ---------------------------------------------------------------------------------


def test_a_one_month_window_says_one_month(physical_terms, issuer_attrs):
    physical_terms.update(delivery_start="2026-06-01T00:00:00Z", delivery_end="2026-07-01T00:00:00Z")

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    assert "(30 days, about 1 month)" in text
    assert "a window of 30 days (about 1 month)" in text
    assert "The end of the window falls about 1 month after the date of this document" in text
    assert "1 months" not in text


def test_a_window_shorter_than_an_hour_is_not_zero_days_or_zero_months(physical_terms, issuer_attrs):
    physical_terms.update(delivery_start="2027-01-01T00:00:00Z", delivery_end="2027-01-01T00:00:01Z")

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    assert "(less than an hour)" in text
    assert not re.search(r"\b0 (days|months|hours)", text)
    assert "less than 3 seconds of the delivery window" in text


def test_a_very_high_availability_quotes_the_downtime_in_minutes_not_zero_hours(physical_terms, issuer_attrs):
    physical_terms["sla_availability_pct"] = 99.999

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    # 0.001% of the 2,184-hour window is 0.02 hours, which used to print as "up to 0 hours".
    assert "unavailable for up to 1.3 minutes of the 2,184-hour window" in text
    assert not re.search(r"\b0 hours", text)


def test_full_availability_tolerates_no_shortfall(physical_terms, issuer_attrs):
    physical_terms["sla_availability_pct"] = 100.0

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    assert "The commitment tolerates no shortfall" in text
    assert not re.search(r"\b0 hours", text)


@pytest.mark.parametrize("jurisdiction", ["GB", "EU"])
def test_an_ended_window_is_said_to_have_ended_not_negative_months(token_terms, issuer_attrs, jurisdiction):
    token_terms.update(delivery_start="2026-01-01T00:00:00Z", delivery_end="2026-01-31T00:00:00Z")
    token_terms["last_attestation_date"] = "2026-01-15"

    # EU + retail target market: the key information document with its holding period.
    text = _text(
        _render(
            token_terms,
            issuer_attrs,
            jurisdiction=jurisdiction,
            constraints=RETAIL_CONSTRAINTS,
            rendered_on=date(2026, 3, 5),
        ).pdf
    )

    assert not re.search(r"-\d[\d.,]* months?", text)
    assert "The window ended on 31 January 2026, before the date of this document" in text
    if jurisdiction == "EU":
        assert "Recommended holding period: none remains. The delivery window ended on 31 January 2026" in text


def test_the_attestation_age_is_grouped_like_every_other_figure(physical_terms, issuer_attrs):
    physical_terms["last_attestation_date"] = "0001-01-01"

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    age = (RENDERED_ON - date(1, 1, 1)).days
    assert f"{age:,} days before the date of this document" in text
    assert f" {age} days" not in text


def test_an_attestation_one_day_old_is_one_day_old(physical_terms, issuer_attrs):
    physical_terms["last_attestation_date"] = "2026-05-31"

    text = _text(_render(physical_terms, issuer_attrs).pdf)

    assert "last attested on 31 May 2026, 1 day before the date of this document" in text
