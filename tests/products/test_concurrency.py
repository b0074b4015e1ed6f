"""Races on PostgreSQL: two second approvals at once record exactly one; two filings for one
product at once open one application."""

import threading

import pytest
from django.db import connection

from compliance.audit.models import AuditEvent
from config.errors import Conflict, IllegalTransition
from products import services
from products.models import ApplicationState, Approval, ProductApplication
from tests.factories import IssuerFactory, UserFactory, product_terms
from tests.races import uncommitted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_second_approvals_record_exactly_one():
    issuer = IssuerFactory()
    filer = UserFactory(role="issuer", issuer=issuer)
    first, b, c = (UserFactory(role="officer") for _ in range(3))
    product = services.product_create(actor=filer, issuer=issuer, **product_terms())
    app = services.application_create(actor=filer, product=product)
    services.application_submit(application=app, actor=filer, run_checks=False)
    services.application_start_checks(application_id=app.pk)
    services.application_complete_checks(application_id=app.pk)
    services.application_approve(application=app, actor=first, rationale="first")

    barrier = threading.Barrier(2)
    outcomes = []

    def approve(officer):
        try:
            barrier.wait()
            services.application_approve(application=app, actor=officer, rationale="second")
            outcomes.append("approved")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(officer,)) for officer in (b, c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    app.refresh_from_db()
    assert sorted(outcomes) == ["approved", "refused"]
    assert app.state == ApplicationState.APPROVED
    assert Approval.objects.filter(application=app).count() == 2
    assert AuditEvent.objects.filter(action="application.approve", object_id=str(app.pk)).count() == 1


def test_two_filings_for_one_product_at_once_open_one_application():
    issuer = IssuerFactory()
    filer = UserFactory(role="issuer", issuer=issuer)
    product = services.product_create(actor=filer, issuer=issuer, **product_terms())

    def file():
        return services.application_create(actor=filer, product=product)

    with uncommitted(file), pytest.raises(Conflict, match="already has an application in progress"):
        file()
    assert ProductApplication.objects.filter(product=product).count() == 1
