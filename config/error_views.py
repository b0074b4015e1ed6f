"""JSON error pages for the API; HTML for everything else."""

from django.http import JsonResponse
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found, server_error


def bad_request(request, exception, *, detail: str = "Bad request.", errors: dict | None = None):
    """400: under /api/ the API's error body (field messages in ``errors`` when given), else the
    400 page. ``detail`` is shown to API clients; the exception's own text never is."""
    if request.path.startswith("/api/"):
        body = {"code": "invalid", "detail": "Validation failed.", "errors": errors} if errors else None
        return JsonResponse(body or {"code": "invalid", "detail": detail}, status=400)
    return default_bad_request(request, exception)


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def internal_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "Internal error; it has been logged."}, status=500)
    return server_error(request)
