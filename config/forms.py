"""Form helpers shared by the apps' web views."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError, renamed: Mapping[str, str] | None = None) -> None:
    """Show a service's ValidationError on ``form``: each message beside its field (``renamed``
    maps a service's field name to the form's), the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)
