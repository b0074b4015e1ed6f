import pytest
from django.db import transaction
from django.test import Client

from compliance.audit.changes import SHOWN_CHARS, change_rows
from compliance.audit.services import audit_record


def test_an_update_shows_only_the_fields_it_changed():
    rows = change_rows({"price": None, "auto": False}, {"price": 2.45, "auto": False})
    assert [(r.field, r.before, r.after) for r in rows] == [("price", "—", "2.45")]


def test_a_creation_lists_every_field_it_set():
    rows = change_rows(None, {"name": "XEUR key", "venue": "XEUR"})
    assert [(r.field, r.before, r.after) for r in rows] == [("name", None, "XEUR key"), ("venue", None, "XEUR")]


def test_a_field_gone_after_the_event_is_shown_as_removed():
    rows = change_rows({"reason": "breach", "state": "suspended"}, {"state": "listed"})
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("state", "suspended", "listed"),
        ("reason", "breach", None),
    ]


def test_lists_and_objects_read_as_json_and_empty_text_is_named():
    rows = change_rows(None, {"sites": [{"country": "SG"}], "made_whole": True, "contract": ""})
    assert [r.after for r in rows] == ['[{"country": "SG"}]', "true", "(empty)"]


def test_a_long_value_is_cut_for_the_table_and_kept_whole_for_the_tooltip():
    text = "x" * (SHOWN_CHARS + 50)
    (row,) = change_rows(None, {"methodology": text})
    assert len(row.after) == SHOWN_CHARS and row.after.endswith("…")
    assert row.after_full == text


@pytest.mark.django_db
def test_the_audit_trail_shows_an_update_as_old_beside_new(officer):
    with transaction.atomic():
        audit_record(
            actor="system:test",
            action="delivery_policy.set",
            object_type="delivery.deliverypolicy",
            object_id="3",
            before={"reference_price": None, "auto_suspend": False},
            after={"reference_price": 2.45, "auto_suspend": False},
        )
    client = Client()
    client.force_login(officer)
    page = client.get("/audit/", {"action": "delivery_policy."}).content.decode()
    shown = '<span class="change-field">reference_price</span> <del title="—">—</del> → <ins title="2.45">2.45</ins>'
    assert shown in page
    assert "auto_suspend" not in page  # unchanged, so not shown
