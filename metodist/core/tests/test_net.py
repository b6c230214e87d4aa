"""The client's address: forwarded headers are believed only from the configured proxies."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from metodist.core import audit
from metodist.core.net import ClientAddressMiddleware, client_address

factory = RequestFactory()


def _request(peer: str, forwarded: str | None = None, **extra):
    headers = {"REMOTE_ADDR": peer, **extra}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **headers)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.5", "198.51.100.7")) == "203.0.113.5"


def test_a_trusted_proxy_passes_on_the_client_it_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


def test_a_client_cannot_prepend_its_own_forwarded_address(settings):
    # The client sends «X-Forwarded-For: 1.1.1.1»; the proxy appends the address it really saw.
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(_request("10.0.0.2", "1.1.1.1, 198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.1"]
    assert client_address(_request("10.0.0.2", "1.1.1.1, 198.51.100.7, 192.168.1.1")) == "198.51.100.7"


def test_an_untrusted_peer_forwarding_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(_request("203.0.113.5", "198.51.100.7")) == "203.0.113.5"


@pytest.mark.parametrize("garbage", ["not-an-address", "", " , ", "198.51.100.7<script>"])
def test_a_malformed_forwarded_entry_stops_the_walk_at_the_proxy(settings, garbage):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(_request("10.0.0.2", garbage)) == "10.0.0.2"


def test_ports_and_ipv6_in_forwarded_entries(settings):
    settings.TRUSTED_PROXIES = ["::1", "10.0.0.2"]
    assert client_address(_request("10.0.0.2", "198.51.100.7:4711")) == "198.51.100.7"
    assert client_address(_request("::1", "[2001:db8::5]:443")) == "2001:db8::5"
    assert client_address(_request("::1", "2001:db8::5")) == "2001:db8::5"


def test_everything_trusted_gives_the_leftmost_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("10.0.0.2", "10.1.1.1, 10.0.0.3")) == "10.1.1.1"


def test_middleware_rewrites_the_address_and_drops_untrusted_forwarded_headers(settings):
    settings.TRUSTED_PROXIES = []
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    request = _request("203.0.113.5", "198.51.100.7", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_PORT="443")
    ClientAddressMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "203.0.113.5"
    assert "HTTP_X_FORWARDED_FOR" not in seen
    assert "HTTP_X_FORWARDED_PROTO" not in seen  # request.is_secure() cannot be faked by a client
    assert "HTTP_X_FORWARDED_PORT" not in seen


def test_middleware_believes_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    ClientAddressMiddleware(view)(_request("10.0.0.2", "1.1.1.1, 198.51.100.7", HTTP_X_FORWARDED_PROTO="https"))
    assert seen["REMOTE_ADDR"] == "198.51.100.7"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
    assert "HTTP_X_FORWARDED_FOR" not in seen  # downstream readers (auditlog, throttles) see one address


@pytest.mark.django_db
def test_export_audit_ignores_a_spoofed_forwarded_for(settings, world):
    settings.TRUSTED_PROXIES = []
    request = _request("203.0.113.5", "6.6.6.6")
    request.user = world.users["admin"]
    entry = audit.record_export(request, what="people", file_format="csv", row_count=1)
    assert entry.remote_addr == "203.0.113.5"


@pytest.mark.django_db
def test_view_audit_and_change_log_ignore_a_spoofed_forwarded_for(client, settings, world):
    """Over HTTP: the person page's ACCESS entry carries the real peer, not the client's claim."""
    settings.TRUSTED_PROXIES = []
    client.force_login(world.users["admin"])
    response = client.get(
        f"/registry/people/{world.pa.pk}/", headers={"X-Forwarded-For": "6.6.6.6"}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 200
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.remote_addr == "203.0.113.5"


@pytest.mark.parametrize(("trusted", "expected"), [([], "203.0.113.5"), (["203.0.113.5"], "198.51.100.7")])
def test_throttles_see_the_resolved_address_not_the_clients_claim(settings, trusted, expected):
    """DRF throttles key on X-Forwarded-For when present; after the middleware only the resolved address is left."""
    settings.TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["ident"] = BaseThrottle().get_ident(Request(request))

    ClientAddressMiddleware(view)(_request("203.0.113.5", "198.51.100.7"))
    assert seen["ident"] == expected
