"""The audit trail's date filters: UTC calendar days, inclusive at both ends, over the whole range
a date can be written in, and a clear message (never a 500) for anything else."""

from datetime import UTC, timedelta

import pytest
from django.db import transaction
from django.test import Client

from compliance.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    with transaction.atomic():
        return audit_record(actor="system:test", action="test.filter", object_type="test", object_id="1")


def shown(auditor, **filters):
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    response = client.get("/audit/", filters)
    assert response.status_code == 200
    return list(response.context["page"].object_list), response.context["filter_errors"]


def utc_day(event, days=0) -> str:
    return (event.created_at.astimezone(UTC) + timedelta(days=days)).date().isoformat()


def test_until_the_last_day_a_date_can_name_shows_every_event(auditor, event):
    assert shown(auditor, until="9999-12-31") == ([event], [])


def test_since_the_last_day_a_date_can_name_shows_nothing(auditor, event):
    assert shown(auditor, since="9999-12-31") == ([], [])


def test_since_the_first_day_a_date_can_name_shows_every_event(auditor, event):
    assert shown(auditor, since="0001-01-01") == ([event], [])


def test_until_the_first_day_a_date_can_name_shows_nothing(auditor, event):
    assert shown(auditor, until="0001-01-01") == ([], [])


def test_until_includes_the_whole_utc_day_of_the_event(auditor, event):
    assert shown(auditor, until=utc_day(event)) == ([event], [])


def test_until_the_day_before_excludes_the_event(auditor, event):
    assert shown(auditor, until=utc_day(event, days=-1)) == ([], [])


def test_since_the_day_of_the_event_includes_it(auditor, event):
    assert shown(auditor, since=utc_day(event)) == ([event], [])


def test_since_the_day_after_excludes_the_event(auditor, event):
    assert shown(auditor, since=utc_day(event, days=1)) == ([], [])


@pytest.mark.parametrize("value", ["10000-01-01", "2024-02-30", "²⁰²⁴-01-01"])
def test_a_date_that_is_not_one_is_a_filter_message(auditor, event, value):
    events, errors = shown(auditor, until=value)
    assert events == [event]
    assert errors == [f"“{value}” is not a date (YYYY-MM-DD)."]
