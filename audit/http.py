"""The request-side half of the access log: where a request came from."""

from django.http import HttpRequest

from safeguard.http import client_ip


def ip_of(request: HttpRequest) -> str | None:
    """The client's address, decided exactly as the sign-in limits decide it
    (safeguard.http.client_ip): behind the proxy, the address the proxy saw, never one the
    client wrote into a header itself."""
    return client_ip(request)
