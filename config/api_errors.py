"""One JSON error shape for the whole API: {"code": ..., "detail": ..., "errors": {field: [...]}}."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.cache import CACHE_UNAVAILABLE
from config.errors import DomainError

log = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "payload_too_large"


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = "Send the body with a Content-Length header; chunked bodies are not read."
    default_code = "length_required"


def _field_errors(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, CACHE_UNAVAILABLE):
        # Only what cannot work without the cache gets here (an Idempotency-Key cannot be
        # checked, say); a JSON 503 tells the client to retry, where Django would answer a 500.
        log.error("API request failed: the cache is unavailable (%s)", type(exc).__name__)
        return Response(
            {"code": "service_unavailable", "detail": "A service this request needs is unavailable; retry shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.message}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"code": "invalid", "detail": "Validation failed.", "errors": _field_errors(exc)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "detail": "Validation failed.", "errors": errors}
    elif isinstance(exc, Http404):
        response.data = {"code": "not_found", "detail": "Not found."}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        codes = exc.get_codes()
        response.data = {"code": codes if isinstance(codes, str) else "error", "detail": detail}
    return response
