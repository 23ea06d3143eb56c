"""The request-side half of the access log: where a request came from."""

from django.http import HttpRequest


def ip_of(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it.

    REMOTE_ADDR only. X-Forwarded-For is set by the client unless a trusted proxy rewrites it,
    so it would let anyone choose the address logged; behind a proxy, have the proxy (or the
    WSGI server) put the real client address in REMOTE_ADDR instead.
    """
    return request.META.get("REMOTE_ADDR") or None
