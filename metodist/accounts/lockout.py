"""Password guessing (подбор пароля): django-axes settings hooks.

django-axes counts failed logins in the database (one store for every process and server) for the login
page, the admin login and the API token endpoint, per username and client address; after
``AXES_FAILURE_LIMIT`` failures the pair is locked out for ``AXES_COOLOFF_TIME`` — even the right password
is refused. The address is :func:`metodist.core.net.client_address` (``X-Forwarded-For`` only from a
trusted proxy), the username is normalised here so ``" Admin "`` counts as ``admin``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT = _(
    "Слишком много неудачных попыток входа. Вход с этого адреса для этого пользователя временно "
    "заблокирован; попробуйте позже или обратитесь к администратору."
)


def normalised_username(request, credentials: dict | None) -> str:
    """The username an attempt counts for: stripped and case-folded, whichever form or API sent it."""
    value = None
    if credentials:
        value = credentials.get("username")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username")
    return str(value or "").strip().casefold()[:150]


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out attempt: JSON for the API, a Russian page for the login forms (429)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED_OUT)}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKED_OUT}, status=429)


class LoginAttemptsBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with an HTTP request.

    A login without a request (``manage.py`` code, the test client's ``login()``) has no client address
    to count attempts for and is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
