"""Where a request came from: the one answer the sign-in limits and the access log share."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person making the request.

    Behind the reverse proxy the README describes, REMOTE_ADDR is the proxy's own address for
    everyone. The proxy writes the address it saw into X-Forwarded-For; with
    ALLAUTH_TRUSTED_PROXY_COUNT = n the n-th entry from the right is the one our own proxies
    wrote, and whatever a client put to the left of it is ignored. With
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER, that header alone is read instead. When the trusted
    entry is missing or is not an address (a request that did not come through the proxy),
    the answer is REMOTE_ADDR: never a value the client chose.

    django-allauth's rate limits read the same settings, through accounts.adapter, which
    asks this function.
    """
    header = settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    candidate = None
    if header:
        candidate = request.headers.get(header)
    elif count:
        hops = request.headers.get("X-Forwarded-For", "").split(",")
        if len(hops) >= count:
            candidate = hops[-count]
    return _address(candidate) or _address(request.META.get("REMOTE_ADDR"))


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def posted_from(request: HttpRequest) -> str | None:
    """The page a form says it was posted from (its `next` field), if it is one of ours;
    None otherwise, so that a link elsewhere cannot send anyone off the site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
