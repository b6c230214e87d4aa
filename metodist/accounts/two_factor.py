"""Two-factor authentication (двухфакторная аутентификация) of administrators with TOTP (django-otp).

An administrator (superuser, staff or the «Администратор системы» role) who has logged in with a password
must also confirm a one-time code of an authenticator app before ``/admin/`` and the audit page open
(``TWO_FACTOR_PROTECTED_PATHS``). The first time, the page shows the secret (text, ``otpauth://`` URI and
a QR code) and the confirmed code binds the device; a lost device is removed by another administrator.
django-otp throttles wrong codes per device in the database.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import OneTimeCodeForm
from .roles import is_administrator

WRONG_CODE = _("Код не подошёл. Проверьте время на телефоне и введите новый код.")
DEVICE_NAME = "authenticator"


def needs_two_factor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_staff or is_administrator(user))


def _protected(path: str) -> bool:
    if any(path.startswith(exempt) for exempt in settings.TWO_FACTOR_EXEMPT_PATHS):
        return False
    return any(path.startswith(prefix) for prefix in settings.TWO_FACTOR_PROTECTED_PATHS)


class AdministratorTwoFactorMiddleware:
    """Send an administrator who has not confirmed a one-time code in this session to the 2FA page.

    Goes after django-otp's ``OTPMiddleware`` (which gives ``request.user.is_verified()``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and _protected(request.path_info) and needs_two_factor(user) and not user.is_verified():
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, title="otpauth")


@login_required
def two_factor(request):
    """Confirm a one-time code; the first time, set up the authenticator app."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
            user=request.user, name=DEVICE_NAME, confirmed=False
        )
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url or "core:dashboard")
        form.add_error("code", WRONG_CODE)
    context = {"form": form, "next": next_url, "setting_up": setting_up}
    if setting_up:
        context.update(
            secret=base64.b32encode(device.bin_key).decode(),
            uri=device.config_url,
            qr=mark_safe(_qr_svg(device.config_url)),
        )
    return render(request, "accounts/two_factor.html", context)
