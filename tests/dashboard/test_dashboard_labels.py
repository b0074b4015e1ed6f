"""The dashboard counts in words that agree with the number and names reasons in words."""

import re

import pytest
from django.utils import timezone

from compliance.eligibility.engine.reasons import ReasonCode, mask_from_reasons
from compliance.eligibility.models import ScreeningDecision
from dashboard import selectors
from tests.dashboard.test_dashboard import in_review, logged_in
from tests.kyc.kyc_support import checked_case, entry, import_entries, person

pytestmark = pytest.mark.django_db

REASONS = [ReasonCode.LISTING_SUSPENDED, ReasonCode.JURISDICTION_BLOCKED]


def tile(page: str, href: str) -> str:
    """The text of the dashboard tile that links to `href`, tags stripped."""
    match = re.search(rf'<a class="tile[^"]*" href="{re.escape(href)}">(.*?)</a>', page, re.S)
    assert match, href
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def rejected_decision(**fields):
    values = dict(
        decision_id="dec-labels-1",
        evaluated_at=timezone.now(),
        venue="XCME",
        client_order_id="ORD-1",
        investor="INV-1",
        product="H100-TEST",
        side="buy",
        quantity=10,
        price="1.50",
        eligible=False,
        reason_mask=mask_from_reasons(REASONS),
        reasons=[str(code) for code in REASONS],
        snapshot_version=1,
    )
    values.update(fields)
    return ScreeningDecision.objects.create(**values)


def test_one_application_waiting_is_counted_in_the_singular(officer, issuer_user, issuer):
    in_review(issuer_user, issuer)
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert tile(page, "/review/") == "1 application waiting for your approval"


def test_one_kyc_case_awaiting_review_is_counted_in_the_singular(officer):
    checked_case(person("Sophie Martin"), officer)
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert tile(page, "/kyc/parties/") == "1 KYC/KYB case awaiting review"


def test_one_open_sanctions_hit_is_counted_in_the_singular(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    checked_case(person("Ivan Petrovich Sidorov", country="RU"), officer)
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert tile(page, "/sanctions/hits/") == "1 open sanctions hit"


def test_a_hit_score_reads_the_same_on_the_dashboard_as_in_the_hit_list(officer):
    import_entries([entry("QDi.1", "Ivan Petrovich Sidorov")])
    checked_case(person("Ivan Petrovich Sidorov", country="RU"), officer)
    client = logged_in(officer)
    score = re.search(r"score (\d\.\d+)", client.get("/dashboard/").content.decode()).group(1)
    assert f"<td>{score}</td>" in client.get("/sanctions/hits/").content.decode()


def test_screening_reasons_read_as_messages_with_their_codes(officer):
    rejected_decision()
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert (
        "<li>The product&#x27;s listing on this venue is suspended. "
        '<span class="mono muted">LISTING_SUSPENDED</span></li>' in page
    )
    assert "LISTING_SUSPENDED, JURISDICTION_BLOCKED" not in page


def test_the_reason_chart_labels_its_series_with_messages():
    rejected_decision()
    labels = [str(s.label) for s in selectors.screening_decisions_chart().series]
    assert labels == [
        "The product's listing on this venue is suspended",
        "The product is not offered, or is blocked, in the investor's jurisdiction",
    ]


def test_the_reason_chart_legend_keeps_the_code_on_hover(officer):
    rejected_decision()
    page = logged_in(officer).get("/dashboard/").content.decode()
    assert '<span title="LISTING_SUSPENDED">The product&#x27;s listing on this venue is suspended</span>' in page
