"""JSON error pages for the API; HTML for everything else."""

from django.http import JsonResponse
from django.views.defaults import page_not_found, server_error


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def internal_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "Internal error; it has been logged."}, status=500)
    return server_error(request)
