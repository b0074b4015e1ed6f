"""How disclosures read: the product page card, the document page, the HTML preview and the PDF page layout."""

import re
from datetime import date

import pytest
from disclosure_helpers import pdf_text, physical_product
from disclosure_samples import PROFESSIONAL_CONSTRAINTS
from django.test import Client

from compliance.disclosures import services
from compliance.disclosures.models import DisclosureDocument
from compliance.disclosures.rendering import load_weasyprint, render_disclosure


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_product_card_names_missing_documents_in_words(officer):
    product = physical_product(symbol="H100-CARD-27")

    body = _client(officer).get(f"/products/{product.symbol}/").content.decode()
    card = body[body.index('id="disclosures"') :]

    assert "Not published yet" in card and "No draft" in card
    assert not re.search(r">\s*None\s*<", card)


@pytest.mark.django_db
def test_document_page_names_mandatory_sections_not_their_keys(officer):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)
    # A draft may change until it is published; give it the constraints a rule run would have decided.
    DisclosureDocument.objects.filter(pk=draft.pk).update(
        constraints={"allowed_investor_categories": None},
        mandatory_sections=["counterparty_collateral", "regulatory_status"],
    )

    body = _client(officer).get(f"/disclosures/{draft.pk}/").content.decode()

    constraints = re.search(r"<th scope=\"row\">constraints</th><td>(.*?)</td>", body).group(1)
    shown = re.sub(r"<[^>]+>", "", constraints)  # what the reader sees; the codes stay in title attributes
    assert shown == (
        "decided by the rule findings; mandatory sections: "
        "Counterparty and collateral risk, Regulatory status and eligible investors"
    )


def _html(terms, issuer) -> str:
    return render_disclosure(
        terms=terms,
        issuer=issuer,
        jurisdiction="GB",
        language="en",
        document_version=1,
        mandatory_sections=[],
        rendered_on=date(2026, 5, 4),
        constraints=PROFESSIONAL_CONSTRAINTS,
    ).html


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def test_running_header_and_footer_rules_keep_clear_of_the_body(physical_terms, issuer_attrs):
    weasyprint = load_weasyprint()
    from weasyprint.formatting_structure import boxes

    pages = weasyprint.HTML(string=_html(physical_terms, issuer_attrs)).render().pages
    assert len(pages) >= 2  # continuation pages are where the body used to touch the header rule
    mm = 25.4 / 96  # WeasyPrint lays out in CSS pixels
    for number, page in enumerate(pages, 1):
        # WeasyPrint's layout tree (Page._page_box) is internal, but the only way to measure the gap.
        margin_boxes = {box.at_keyword: box for box in page._page_box.children if isinstance(box, boxes.MarginBox)}
        header = next(b for b in _walk(margin_boxes["@top-center"]) if isinstance(b, boxes.TableBox))
        footer = next(b for b in _walk(margin_boxes["@bottom-center"]) if isinstance(b, boxes.TableBox))
        body = next(box for box in page._page_box.children if not isinstance(box, boxes.MarginBox))
        lines = [
            box
            for box in _walk(body)
            if isinstance(box, boxes.LineBox) and any(isinstance(t, boxes.TextBox) for t in _walk(box))
        ]
        header_rule = header.position_y + header.border_height()
        first_line = min(line.position_y for line in lines)
        last_line = max(line.position_y + line.height for line in lines)

        assert (first_line - header_rule) * mm >= 3, f"page {number}: body text touches the header rule"
        assert (footer.position_y - last_line) * mm >= 3, f"page {number}: body text touches the footer rule"


def test_page_counter_is_printed_but_hidden_on_screen(physical_terms, issuer_attrs):
    html = _html(physical_terms, issuer_attrs)
    weasyprint = load_weasyprint()

    printed = pdf_text(weasyprint.HTML(string=html, media_type="print").write_pdf())
    on_screen = pdf_text(weasyprint.HTML(string=html, media_type="screen").write_pdf())

    # A browser has no pages and would show "Page 0 of 0"; the screen media hides the counter
    # while everything else of the running footer (issuer, date) stays.
    assert re.search(r"Page\s+1\s+of\s+\d", printed)
    assert "Page" not in on_screen
    assert issuer_attrs["legal_name"] in on_screen


@pytest.mark.django_db
def test_the_preview_hides_the_page_counter_of_documents_rendered_before_it_was_hidden(officer):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    preview = _client(officer).get(f"/disclosures/{draft.pk}/preview/").content.decode()

    # Stored HTML may predate the page-counter class: the footer's right cell is hidden on screen.
    head = preview[: preview.index("</head>")]
    assert "@media screen { .running-footer td.right { display: none; } }" in head
