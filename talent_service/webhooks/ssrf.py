"""Where a webhook may be sent: HTTPS to a public address, checked at subscription and again at
each delivery, after DNS resolution, and then sent to exactly the address that was checked.

Refused: any scheme but https (http only with the test allowance), user info in the URL, and a
name any of whose addresses is loopback, private, link-local (169.254.169.254, the cloud
metadata service), carrier-grade NAT (100.64/10: Alibaba Cloud's metadata at 100.100.100.200),
multicast, reserved, unspecified or otherwise not global. ``TALENT_WEBHOOKS_ALLOW_LOOPBACK``
(tests only; production refuses it) admits loopback addresses and http, nothing else.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    url: SplitResult
    host: str  # as written (the Host header and the TLS server name)
    port: int
    addresses: tuple[str, ...]  # the checked addresses, one of which is connected to


def check_syntax(url: str, *, allow_loopback: bool) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise UnsafeUrl(f"not a URL ({exc})") from exc
    allowed = {"https", "http"} if allow_loopback else {"https"}
    if parts.scheme not in allowed:
        raise UnsafeUrl("must be an https:// URL")
    if not parts.hostname:
        raise UnsafeUrl("names no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("must not carry user name or password")
    if parts.fragment:
        raise UnsafeUrl("must not carry a #fragment")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise UnsafeUrl("contains spaces or control characters")
    return parts


def why_unsafe(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """None when ``ip`` may receive webhooks, else what it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local (cloud metadata) address"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for bad, reason in checks if bad), None)


def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"host {host!r} does not resolve") from exc
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def check(url: str, *, allow_loopback: bool) -> Target:
    """The URL's target, every address of its host checked; UnsafeUrl otherwise."""
    parts = check_syntax(url, allow_loopback=allow_loopback)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])  # without an IPv6 zone index
        reason = why_unsafe(ip, allow_loopback=allow_loopback)
        if reason is not None:
            raise UnsafeUrl(f"host {host!r} resolves to {address}, {reason}")
    return Target(parts, host, port, addresses)
