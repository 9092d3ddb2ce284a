"""The address a request came from, for every throttle (logins, look-ups, the mobile card) and the
metrics."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (for login throttling and every other per-address limit).

    Directly on the internet this is REMOTE_ADDR. Behind one reverse proxy, set
    KAIKUKANTA_CLIENT_IP_HEADER to the header it sets (X-Real-IP, or X-Forwarded-For, of which the
    last address is the one the proxy itself saw and so cannot be forged by the client).
    """
    header = settings.KAIKUKANTA_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        addresses = [part.strip() for part in value.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def source_network(address: str) -> str:
    """The address as one source for a per-address limit: an IPv6 address by its /64 network (one
    connection is given a whole /64, so that each of its addresses is not a new source); an IPv4
    address, or anything that is no address, as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
