"""Publishing, superseding and immutability: in the services, the model, and PostgreSQL itself."""

from decimal import Decimal

import pytest
from disclosure_helpers import eu_retail_product, pdf_text, physical_product, published
from django.db import connection, transaction
from django.db.utils import DatabaseError

from compliance.audit.models import AuditEvent
from compliance.disclosures import services
from compliance.disclosures.models import DisclosureDocument, DocumentStatus
from config.errors import Conflict, IllegalTransition, NotPermitted
from products.services import product_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_officer_publishes_a_draft(officer):
    product = physical_product()
    draft = services.disclosure_render_now(product=product, jurisdiction="US", actor=officer)

    document = services.disclosure_publish(document=draft, actor=officer)

    assert document.status == DocumentStatus.PUBLISHED
    assert document.published_by == officer and document.published_at is not None
    assert AuditEvent.objects.filter(action="disclosure.publish", object_id=str(document.pk)).exists()


def test_a_new_version_supersedes_the_published_one(officer, issuer_user, issuer):
    product = physical_product(issuer)
    first = published(product, officer=officer)

    product_update(actor=issuer_user, product=product, remedy_credit_pct=Decimal("25"))
    second = published(product, officer=officer)

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.status == DocumentStatus.SUPERSEDED and first.superseded_by == second
    assert second.status == DocumentStatus.PUBLISHED
    assert "Document version 2" in pdf_text(second.pdf)
    assert second.terms_version == 2 and first.terms_version == 1


def test_publishing_twice_is_refused(officer):
    document = published(physical_product(), officer=officer)

    with pytest.raises(IllegalTransition, match="already published"):
        services.disclosure_publish(document=document, actor=officer)


def test_a_draft_of_outdated_terms_cannot_be_published(officer, issuer_user, issuer):
    product = physical_product(issuer)
    draft = services.disclosure_render_now(product=product, jurisdiction="US", actor=issuer_user)
    product_update(actor=issuer_user, product=product, sla_availability_pct=Decimal("97"))

    with pytest.raises(Conflict, match="render the preview again"):
        services.disclosure_publish(document=draft, actor=officer)


def test_issuers_preview_but_cannot_publish(issuer_user, issuer):
    product = physical_product(issuer)
    draft = services.disclosure_render_now(product=product, jurisdiction="US", actor=issuer_user)

    with pytest.raises(NotPermitted):
        services.disclosure_publish(document=draft, actor=issuer_user)


def test_an_issuer_cannot_render_another_issuers_product(issuer_user):
    with pytest.raises(NotPermitted):
        services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=issuer_user)


def test_auditors_cannot_publish(officer, auditor):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    with pytest.raises(NotPermitted):
        services.disclosure_publish(document=draft, actor=auditor)


def test_only_jurisdictions_of_offer_render(officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not offered in GB"):
        services.disclosure_render_now(product=physical_product(), jurisdiction="GB", actor=officer)


def test_eu_retail_gets_the_kid_layout(officer):
    document = services.disclosure_render_now(product=eu_retail_product(), jurisdiction="EU", actor=officer)

    assert "Key information document" in pdf_text(document.pdf)
    assert document.page_count <= 3


def test_the_model_refuses_to_change_a_published_document(officer):
    document = published(physical_product(), officer=officer)
    document.html = "<p>edited</p>"

    with pytest.raises(Conflict, match="cannot change"):
        document.save()

    document.refresh_from_db()
    document.status = DocumentStatus.DRAFT
    with pytest.raises(Conflict):
        document.save(update_fields=["status"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE disclosures_disclosuredocument SET sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE disclosures_disclosuredocument SET pdf = 'x'::bytea WHERE id = %s",
        "UPDATE disclosures_disclosuredocument SET status = 'draft' WHERE id = %s",
        "DELETE FROM disclosures_disclosuredocument WHERE id = %s",
    ],
)
def test_postgresql_refuses_changes_of_a_published_document(officer, sql):
    document = published(physical_product(), officer=officer)

    with pytest.raises(DatabaseError, match="disclosure document"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [document.pk])

    assert DisclosureDocument.objects.get(pk=document.pk).sha256 == document.sha256


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_allows_superseding_but_then_freezes_the_row(officer, issuer_user, issuer):
    product = physical_product(issuer)
    first = published(product, officer=officer)
    product_update(actor=issuer_user, product=product, remedy_credit_pct=Decimal("30"))
    second = published(product, officer=officer)  # the service's published -> superseded passed the trigger

    with pytest.raises(DatabaseError, match="may not change"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE disclosures_disclosuredocument SET status = 'published', superseded_by_id = NULL WHERE id = %s",
                [first.pk],
            )
    first.refresh_from_db()
    assert first.superseded_by_id == second.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_drafts_stay_editable_in_the_database(officer):
    draft = services.disclosure_render_now(product=physical_product(), jurisdiction="US", actor=officer)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE disclosures_disclosuredocument SET page_count = 9 WHERE id = %s", [draft.pk])

    draft.refresh_from_db()
    assert draft.page_count == 9


def test_an_officer_acting_for_the_issuer_cannot_publish(issuer):
    insider = UserFactory(role="officer", issuer=issuer)
    draft = services.disclosure_render_now(product=physical_product(issuer), jurisdiction="US", actor=insider)

    with pytest.raises(NotPermitted, match="acts for the issuer"):
        services.disclosure_publish(document=draft, actor=insider)
