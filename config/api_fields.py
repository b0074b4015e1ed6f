"""Serializer fields that take a value only in the JSON type the OpenAPI schema gives for it.

DRF's fields coerce: CharField stores the number 42 as "42", IntegerField reads the string
"42", BooleanField reads "yes", 1 and "on", DecimalField reads the number 0.1 (a float, already
rounded). The schema promises clients one type per field, and a value of another type is most
likely a client's mistake (a shifted column, a float where money was meant as text); it gets a
400 naming the field instead of being stored as something the client did not write.

The API modules declare their fields from here, and `ModelSerializer` maps model fields onto
these classes, so a field built from a model is as strict as one written by hand.
"""

from rest_framework import serializers
from rest_framework.settings import api_settings


class _OneJsonType:
    """Mixin for a DRF field: refuse any value whose type is not in ``json_types`` with the
    field's "wrong_type" message; bool is refused unless listed, although it is an int."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types):
            self.fail("wrong_type")
        return super().to_internal_value(data)


class _TextOnly(_OneJsonType):
    json_types = (str,)
    default_error_messages = {"wrong_type": "Not a valid string."}


class CharField(_TextOnly, serializers.CharField):
    """Text, given as a JSON string."""


class EmailField(_TextOnly, serializers.EmailField):
    """An e-mail address, given as a JSON string (issuers' contact_email)."""


class IntegerField(_OneJsonType, serializers.IntegerField):
    json_types = (int,)
    default_error_messages = {"wrong_type": "A valid integer is required, as a JSON number."}


class BooleanField(_OneJsonType, serializers.BooleanField):
    json_types = (bool,)
    default_error_messages = {"wrong_type": "Must be true or false."}


class DecimalField(_OneJsonType, serializers.DecimalField):
    """A decimal documented as a string (the default) takes only a string, so no float rounding
    reaches it; one declared with ``coerce_to_string=False`` is documented, and taken, as a
    JSON number."""

    default_error_messages = {
        "wrong_type_string": 'Give this decimal as a string, such as "12.50".',
        "wrong_type_number": "A valid number is required, as a JSON number.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unset, coerce_to_string follows the COERCE_DECIMAL_TO_STRING setting, as DRF's output does.
        as_string = getattr(self, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        self.json_types = (str,) if as_string else (int, float)
        self.error_messages["wrong_type"] = self.error_messages[
            "wrong_type_string" if as_string else "wrong_type_number"
        ]


_STRICT = {
    serializers.CharField: CharField,
    serializers.EmailField: EmailField,
    serializers.IntegerField: IntegerField,
    serializers.BooleanField: BooleanField,
    serializers.DecimalField: DecimalField,
}


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the model fields mapped onto the strict fields above."""

    serializer_field_mapping = {
        model_field: _STRICT.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }
