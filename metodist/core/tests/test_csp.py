"""Content-Security-Policy: scripts and styles only from our own static files, and templates that obey it.

With ``script-src 'self'`` an injected ``<script>`` or ``onclick`` does not run; the same rule would
also block our own inline code, so templates carry none (checked here for every project template).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def _project_templates() -> list[Path]:
    roots = [BASE_DIR / "metodist" / "templates", *(BASE_DIR / "metodist").glob("*/templates")]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "inline <script>"),
        (EVENT_HANDLER, "on…= event handler"),
        (STYLE_ATTRIBUTE, "style= attribute"),
        (STYLE_ELEMENT, "<style> element"),
        (JS_URL, "javascript: URL"),
    ],
)
def test_templates_carry_no_inline_code(pattern, what):
    offenders = []
    for path in _project_templates():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}")
    assert not offenders, f"{what} (blocked by the Content-Security-Policy): {offenders}"


@pytest.mark.django_db
def test_pages_are_served_with_a_strict_policy(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


def test_the_login_page_has_the_policy_too(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_api_docs_load_their_script_from_a_file(client, world):
    """Swagger UI's start script is served as a file, so the docs need no inline script either."""
    client.force_login(world.users["admin"])
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_code(client):
    html = client.get(reverse("login")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'", html)
    assert match, "htmx-config meta missing"
    assert '"includeIndicatorStyles":false' in match.group(1).replace(" ", "")
    assert '"allowEval":false' in match.group(1).replace(" ", "")
