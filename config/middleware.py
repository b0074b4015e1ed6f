"""Refuse a NUL character in the URL before any view sees it.

PostgreSQL text cannot contain NUL, so a NUL that reaches a query (a path segment looked up by
name, a filter value) ends in a DataError and a 500. No address or filter of this project has a
use for one: answer 400 up front, as JSON under /api/ and as the 400 page elsewhere.
"""

from django.core.exceptions import BadRequest

from config.error_views import bad_request

NUL = "\x00"
PATH_MESSAGE = "Null characters are not allowed in the URL."
VALUE_MESSAGE = "Null characters are not allowed."


def _nul_in_query(request) -> tuple[bool, str | None]:
    """Whether the query string holds a NUL, and in which parameter's value (None: in a name)."""
    raw = request.META.get("QUERY_STRING", "")
    # A NUL arrives percent-encoded; only then is the query string worth parsing here.
    if "%00" not in raw and NUL not in raw:
        return False, None
    for key, values in request.GET.lists():
        if NUL in key:
            return True, None
        if any(NUL in value for value in values):
            return True, key
    return False, None


class RejectNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return bad_request(request, BadRequest(PATH_MESSAGE), detail=PATH_MESSAGE)
        found, parameter = _nul_in_query(request)
        if found:
            errors = {parameter: [VALUE_MESSAGE]} if parameter is not None else None
            return bad_request(request, BadRequest(PATH_MESSAGE), detail=PATH_MESSAGE, errors=errors)
        return self.get_response(request)
