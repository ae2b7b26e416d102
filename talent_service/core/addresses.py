"""The client address a request is keyed by when it carries no token (sign-in throttling, the
public registration's idempotency keys)."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection


def address_key(host: str | None) -> str:
    """IPv4 as it is; IPv6 by its /64, which one subscriber usually holds whole."""
    if not host:
        return "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_address(request: HTTPConnection) -> str:
    """The request's client address key. Behind a proxy, uvicorn's ``--forwarded-allow-ips``
    makes this the caller's address rather than the proxy's."""
    return address_key(request.client.host if request.client else None)
