"""The client's network address, with forwarded headers believed only from configured proxies.

A client can send any ``X-Forwarded-For`` it likes. Only a reverse proxy listed in the
``TRUSTED_PROXIES`` setting (addresses or networks, e.g. ``["127.0.0.1", "10.0.0.0/8"]``; empty by
default = no proxy) may tell us who its client was. The header is read from the right: each trusted
hop is skipped and the first address that is not a trusted proxy is the client.

:class:`ClientAddressMiddleware` (first in ``MIDDLEWARE``) applies this once per request: it puts the
client's address into ``REMOTE_ADDR`` and removes the forwarded headers it does not believe, so every
later reader — the audit, django-auditlog, DRF throttles, login throttling — sees one address that a
client cannot choose, and ``request.is_secure()`` cannot be faked with ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers a proxy sets; from anyone else they are dropped.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[IPNetwork, ...]:
    """The ``TRUSTED_PROXIES`` setting parsed into networks (a single address is a /32 or /128)."""
    entries = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(entries))


def parse_address(text: str) -> IPAddress | None:
    """An address from a header entry (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:443``, ``::1``), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address: IPAddress | None, networks: Iterable[IPNetwork] | None = None) -> bool:
    if address is None:
        return False
    networks = trusted_networks() if networks is None else networks
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that made ``request`` (a string as Django's ``REMOTE_ADDR``), or None.

    ``X-Forwarded-For`` counts only when the direct peer is a trusted proxy; it is then walked from
    the right, skipping trusted proxies. A malformed entry stops the walk at the last trusted hop, so
    garbage never becomes an address.
    """
    peer_text = request.META.get("REMOTE_ADDR") or None
    peer = parse_address(peer_text) if peer_text else None
    networks = trusted_networks()
    if peer is None or not is_trusted_proxy(peer, networks):
        return str(peer) if peer is not None else peer_text
    current = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",") if forwarded else []):
        hop = parse_address(entry)
        if hop is None:
            break
        current = hop
        if not is_trusted_proxy(hop, networks):
            break
    return str(current)


class ClientAddressMiddleware:
    """Resolve the client's address once: ``REMOTE_ADDR`` becomes :func:`client_address`.

    The forwarded headers are removed when the peer is not a trusted proxy (so a client cannot claim
    HTTPS or another address); from a trusted proxy ``X-Forwarded-For`` is consumed (its result is in
    ``REMOTE_ADDR``) and the others are kept for Django (``SECURE_PROXY_SSL_HEADER``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = parse_address(request.META.get("REMOTE_ADDR") or "")
        address = client_address(request)
        if is_trusted_proxy(peer):
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
        else:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        if address:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
