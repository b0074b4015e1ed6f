"""The API's fields take a value only in the JSON type the schema documents for it."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from config import api_fields
from products.models import ComputeProduct


class Terms(serializers.Serializer):
    note = api_fields.CharField()
    count = api_fields.IntegerField()
    active = api_fields.BooleanField()
    price = api_fields.DecimalField(max_digits=8, decimal_places=2)
    hours = api_fields.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)


VALID = {"note": "ok", "count": 3, "active": True, "price": "12.50", "hours": 1.5}


def errors_for(**overrides):
    serializer = Terms(data={**VALID, **overrides})
    serializer.is_valid()
    return serializer.errors


def test_values_of_the_documented_types_are_read():
    serializer = Terms(data=VALID)
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {
        "note": "ok",
        "count": 3,
        "active": True,
        "price": Decimal("12.50"),
        "hours": Decimal("1.50"),
    }


def test_a_number_for_a_text_field_is_refused_not_stored_as_text():
    assert errors_for(note=-11381) == {"note": ["Not a valid string."]}


def test_a_string_of_digits_for_an_integer_field_is_refused():
    assert errors_for(count="3") == {"count": ["A valid integer is required, as a JSON number."]}


def test_true_for_an_integer_field_is_refused():
    assert errors_for(count=True) == {"count": ["A valid integer is required, as a JSON number."]}


@pytest.mark.parametrize("value", ["true", 1, "on"])
def test_anything_but_true_or_false_for_a_boolean_field_is_refused(value):
    assert errors_for(active=value) == {"active": ["Must be true or false."]}


def test_a_json_number_for_a_decimal_documented_as_a_string_is_refused():
    assert errors_for(price=0.1) == {"price": ['Give this decimal as a string, such as "12.50".']}


def test_a_string_for_a_decimal_documented_as_a_number_is_refused():
    assert errors_for(hours="1.5") == {"hours": ["A valid number is required, as a JSON number."]}


def test_the_model_serializer_builds_strict_fields_from_model_fields():
    class ProductTerms(api_fields.ModelSerializer):
        class Meta:
            model = ComputeProduct
            fields = ["name", "lot_size", "remedy_make_whole", "contract_size"]

    fields = ProductTerms().fields
    assert isinstance(fields["name"], api_fields.CharField)
    assert isinstance(fields["lot_size"], api_fields.IntegerField)
    assert isinstance(fields["remedy_make_whole"], api_fields.BooleanField)
    assert isinstance(fields["contract_size"], api_fields.DecimalField)
