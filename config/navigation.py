"""Where a form sends the browser back to."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, fallback: str) -> HttpResponseRedirect:
    """Redirect to the form's ``next`` (POST, else GET) when it is a path on this site, else to
    the ``fallback`` URL.

    Only a path counts: ``url_has_allowed_host_and_scheme`` also passes text like ``0`` or
    ``-1``, which ``redirect()`` would look up as a view name and fail on with a 500.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)
