import pytest

from products import services
from products.models import ApplicationState, ProductApplication
from tests.factories import IssuerFactory, UserFactory, product_terms
from tests.worker import wait_until

pytestmark = pytest.mark.slow


def test_submission_reaches_in_review_through_a_real_worker(celery_worker_process):
    issuer = IssuerFactory()
    user = UserFactory(role="issuer", issuer=issuer)
    product = services.product_create(actor=user, issuer=issuer, **product_terms())
    app = services.application_create(actor=user, product=product)
    services.application_submit(application=app, actor=user)

    def reached_review():
        return ProductApplication.objects.get(pk=app.pk).state == ApplicationState.IN_REVIEW

    assert wait_until(reached_review, timeout=30), celery_worker_process.output()[-2000:]
    assert "application_run_checks" in celery_worker_process.output()


def test_checks_requeued_by_an_officer_reach_in_review_through_a_real_worker(celery_worker_process):
    issuer = IssuerFactory()
    user = UserFactory(role="issuer", issuer=issuer)
    officer = UserFactory(role="officer")
    product = services.product_create(actor=user, issuer=issuer, **product_terms())
    app = services.application_create(actor=user, product=product)
    # Submitted while the queue was down: nothing was sent, so nothing moves.
    services.application_submit(application=app, actor=user, run_checks=False)
    services.application_rerun_checks(application=app, actor=officer)

    def reached_review():
        return ProductApplication.objects.get(pk=app.pk).state == ApplicationState.IN_REVIEW

    assert wait_until(reached_review, timeout=30), celery_worker_process.output()[-2000:]
