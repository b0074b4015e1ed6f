"""Every workflow transition, every illegal one, and four-eyes approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.audit.models import AuditEvent
from config.errors import Conflict, IllegalTransition, NotPermitted
from products import services
from products.models import ApplicationState as S
from products.models import Listing, ProductApplication
from products.selectors import version_diff
from tests.factories import UserFactory, VenueFactory, product_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(issuer_user, issuer):
    product = services.product_create(actor=issuer_user, issuer=issuer, **product_terms())
    return services.application_create(actor=issuer_user, product=product)


def submit_and_check(application, issuer_user):
    services.application_submit(application=application, actor=issuer_user, run_checks=False)
    services.application_start_checks(application_id=application.pk)
    services.application_complete_checks(application_id=application.pk)
    application.refresh_from_db()
    return application


@pytest.fixture
def in_review(application, issuer_user):
    return submit_and_check(application, issuer_user)


@pytest.fixture
def approved(in_review, officer, second_officer):
    services.application_approve(application=in_review, actor=officer, rationale="ok")
    return services.application_approve(application=in_review, actor=second_officer, rationale="ok too")


@pytest.fixture
def listed(approved, officer):
    VenueFactory()
    return services.application_list(application=approved, actor=officer, rationale="go live")


def test_submit_freezes_the_terms_as_version_1(application, issuer_user):
    app = services.application_submit(application=application, actor=issuer_user, run_checks=False)
    assert app.state == S.SUBMITTED
    version = app.versions.get()
    assert version.number == 1
    assert version.terms["symbol"] == "H100-TEST"
    assert version.issuer_snapshot["lei"] == app.issuer.lei


def test_checks_move_a_submitted_application_to_in_review(in_review):
    assert in_review.state == S.IN_REVIEW


def test_redelivered_checks_do_nothing(in_review):
    assert services.application_start_checks(application_id=in_review.pk) is None
    assert services.application_complete_checks(application_id=in_review.pk) is None


def test_first_approval_keeps_the_application_in_review(in_review, officer):
    app = services.application_approve(application=in_review, actor=officer, rationale="ok")
    assert app.state == S.IN_REVIEW
    assert app.approvals.count() == 1


def test_second_officer_approval_approves(approved):
    assert approved.state == S.APPROVED
    assert AuditEvent.objects.for_object(approved).filter(action="application.approve").count() == 1


def test_same_officer_cannot_approve_twice(in_review, officer):
    services.application_approve(application=in_review, actor=officer, rationale="ok")
    with pytest.raises(Conflict, match="second, different officer"):
        services.application_approve(application=in_review, actor=officer, rationale="again")
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW


def test_officer_acting_for_the_issuer_cannot_approve(in_review, issuer):
    conflicted = UserFactory(role="officer", issuer=issuer)
    with pytest.raises(NotPermitted):
        services.application_approve(application=in_review, actor=conflicted, rationale="mine")


def test_issuer_user_cannot_approve(in_review, issuer_user):
    with pytest.raises(NotPermitted):
        services.application_approve(application=in_review, actor=issuer_user, rationale="self")


def test_auditor_cannot_take_any_action(in_review, auditor):
    with pytest.raises(NotPermitted):
        services.application_reject(application=in_review, actor=auditor, rationale="no")


def test_officer_actions_need_a_rationale(in_review, officer):
    with pytest.raises(ValidationError):
        services.application_approve(application=in_review, actor=officer, rationale="   ")


def test_request_changes_then_resubmit_creates_version_2_with_a_diff(in_review, officer, issuer_user):
    services.application_request_changes(application=in_review, actor=officer, rationale="Raise the SLA")
    services.product_update(actor=issuer_user, product=in_review.product, sla_availability_pct=Decimal("99.9"))
    app = submit_and_check(in_review, issuer_user)
    assert app.version == 2
    changes = {c.field: (c.old, c.new) for c in version_diff(app, 1, 2)}
    assert changes["sla_availability_pct"] == (99.5, 99.9)
    assert changes["terms_version"] == (1, 2)


def test_approvals_of_an_earlier_version_do_not_count(in_review, officer, second_officer, issuer_user):
    services.application_approve(application=in_review, actor=officer, rationale="v1 ok")
    services.application_request_changes(application=in_review, actor=second_officer, rationale="fix")
    services.product_update(actor=issuer_user, product=in_review.product, remedy_credit_pct=Decimal("12"))
    app = submit_and_check(in_review, issuer_user)
    app = services.application_approve(application=app, actor=second_officer, rationale="v2 ok")
    assert app.state == S.IN_REVIEW


def test_terms_cannot_change_while_in_review(in_review, issuer_user):
    with pytest.raises(IllegalTransition):
        services.product_update(actor=issuer_user, product=in_review.product, lot_size=5)


def test_reject_ends_the_application(in_review, officer):
    assert services.application_reject(application=in_review, actor=officer, rationale="no").state == S.REJECTED


def test_withdraw_by_the_issuer(application, issuer_user):
    app = services.application_withdraw(application=application, actor=issuer_user, rationale="redesign")
    assert app.state == S.WITHDRAWN


def test_list_creates_a_listing_per_requested_venue_on_the_approved_version(listed):
    listing = Listing.objects.get(application=listed)
    assert listed.state == S.LISTED
    assert listing.venue.mic == "XCME"
    assert listing.status == "active"
    assert listing.application_version.number == listed.version


def test_list_without_a_registered_venue_is_refused(approved, officer):
    with pytest.raises(IllegalTransition, match="requested venues"):
        services.application_list(application=approved, actor=officer, rationale="go")


def test_suspend_and_reinstate_follow_the_listings(listed, officer):
    app = services.application_suspend(application=listed, actor=officer, rationale="attestation overdue")
    assert app.state == S.SUSPENDED
    assert Listing.objects.get(application=app).status == "suspended"
    app = services.application_reinstate(application=app, actor=officer, rationale="attested")
    assert Listing.objects.get(application=app).status == "active"


def test_delist_ends_the_listing(listed, officer):
    app = services.application_delist(application=listed, actor=officer, rationale="window over")
    listing = Listing.objects.get(application=app)
    assert app.state == S.DELISTED
    assert listing.status == "delisted"
    assert listing.effective_to is not None


ILLEGAL = [
    ("draft", "approve"),
    ("draft", "list"),
    ("draft", "suspend"),
    ("in_review", "list"),
    ("in_review", "reinstate"),
    ("approved", "approve"),
    ("approved", "suspend"),
    ("listed", "approve"),
    ("listed", "reject"),
    ("listed", "reinstate"),
]


@pytest.mark.parametrize(("state_fixture", "action"), ILLEGAL)
def test_illegal_transition_raises_a_domain_error(request, state_fixture, action, officer, senior):
    fixtures = {"draft": "application", "in_review": "in_review", "approved": "approved", "listed": "listed"}
    app = request.getfixturevalue(fixtures[state_fixture])
    before = app.state
    with pytest.raises(IllegalTransition, match="Cannot"):
        services.ACTION_SERVICES[action](application=app, actor=senior, rationale="try")
    app.refresh_from_db()
    assert app.state == before


def test_submit_of_an_approved_application_is_illegal(approved, issuer_user):
    with pytest.raises(IllegalTransition):
        services.application_submit(application=approved, actor=issuer_user)


def test_withdraw_after_approval_is_illegal(approved, issuer_user):
    with pytest.raises(IllegalTransition):
        services.application_withdraw(application=approved, actor=issuer_user, rationale="late")


def test_second_open_application_for_a_product_is_refused(application, issuer_user):
    with pytest.raises(Conflict):
        services.application_create(actor=issuer_user, product=application.product)


def test_legal_actions_for_an_officer_in_review(in_review, officer):
    assert services.legal_actions(in_review, officer) == ["approve", "request_changes", "reject"]


def test_each_transition_writes_an_audit_event(listed):
    actions = list(AuditEvent.objects.for_object(listed).values_list("action", flat=True))
    assert actions == [
        "application.create",
        "application.submit",
        "application.start_checks",
        "application.complete_checks",
        "application.approve_first",
        "application.approve",
        "application.list",
    ]


def test_a_registered_gate_blocks_approval_with_its_reason(in_review, officer):
    from products.gates import register_approval_gate, unregister_approval_gate

    def gate(application):
        return [f"issuer KYB for {application.issuer.lei} is not approved"]

    register_approval_gate(gate)
    try:
        with pytest.raises(IllegalTransition, match="issuer KYB for .* is not approved") as caught:
            services.application_approve(application=in_review, actor=officer, rationale="ok")
        assert caught.value.code == "approval_blocked"
        assert not in_review.approvals.exists()
    finally:
        unregister_approval_gate(gate)


@pytest.fixture
def gated():
    """A gate that starts blocking after approval (an issuer designated since, say)."""
    from products.gates import register_approval_gate, unregister_approval_gate

    def gate(application):
        return ["the issuer has an open or confirmed sanctions hit"]

    yield lambda: register_approval_gate(gate)
    unregister_approval_gate(gate)


def test_listing_is_refused_while_a_gate_blocks(approved, officer, gated):
    VenueFactory()
    gated()
    with pytest.raises(IllegalTransition, match="Cannot list now: the issuer has an open or confirmed") as caught:
        services.application_list(application=approved, actor=officer, rationale="go live")
    assert caught.value.code == "list_blocked"
    assert not Listing.objects.filter(product=approved.product).exists()


def test_reinstating_is_refused_while_a_gate_blocks(listed, officer, gated):
    services.application_suspend(application=listed, actor=officer, rationale="Delivery breach.")
    gated()
    with pytest.raises(IllegalTransition, match="Cannot reinstate now") as caught:
        services.application_reinstate(application=listed, actor=officer, rationale="Breach cured.")
    assert caught.value.code == "reinstate_blocked"
    assert set(Listing.objects.filter(product=listed.product).values_list("status", flat=True)) == {"suspended"}


# --- re-queueing the checks of an application stuck in `submitted` ------------------------------


def submitted_minutes_ago(application, minutes: int):
    ProductApplication.objects.filter(pk=application.pk).update(
        state_changed_at=timezone.now() - timedelta(minutes=minutes)
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def stuck(application, issuer_user):
    """Submitted five minutes ago while the task queue was down: no check task ever ran."""
    services.application_submit(application=application, actor=issuer_user, run_checks=False)
    return submitted_minutes_ago(application, 5)


def test_an_officer_requeues_the_checks_after_the_commit(
    stuck, officer, monkeypatch, django_capture_on_commit_callbacks
):
    from products import tasks

    queued = []
    monkeypatch.setattr(tasks.application_run_checks, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_rerun_checks(application=stuck, actor=officer)
        assert queued == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert queued == [stuck.pk]
    assert AuditEvent.objects.filter(action="application.rerun_checks", object_id=str(stuck.pk)).exists()


def test_the_issuer_cannot_requeue_the_checks(stuck, issuer_user):
    with pytest.raises(NotPermitted):
        services.application_rerun_checks(application=stuck, actor=issuer_user)


def test_checks_are_requeued_only_for_a_submitted_application(in_review, officer):
    with pytest.raises(IllegalTransition):
        services.application_rerun_checks(application=in_review, actor=officer)
    assert not AuditEvent.objects.filter(action="application.rerun_checks").exists()


def test_requeueing_is_not_offered_while_the_checks_may_still_be_starting(application, issuer_user, officer):
    services.application_submit(application=application, actor=issuer_user, run_checks=False)
    assert not services.may_rerun_checks(submitted_minutes_ago(application, 1), officer)
    assert services.may_rerun_checks(submitted_minutes_ago(application, 3), officer)


def test_requeueing_is_offered_to_officers_for_submitted_applications_only(stuck, officer, issuer_user):
    assert services.may_rerun_checks(stuck, officer)
    assert not services.may_rerun_checks(stuck, issuer_user)
    services.application_start_checks(application_id=stuck.pk)
    stuck.refresh_from_db()
    assert not services.may_rerun_checks(stuck, officer)


def test_the_gate_reasons_are_not_told_to_someone_who_may_not_reinstate(listed, officer, issuer_user, gated):
    services.application_suspend(application=listed, actor=officer, rationale="Delivery breach.")
    gated()
    with pytest.raises(NotPermitted):
        services.application_reinstate(application=listed, actor=issuer_user, rationale="Please.")
