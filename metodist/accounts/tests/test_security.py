"""Password guessing, sessions, hashed expiring API tokens, two-factor authentication of administrators."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from metodist.accounts import services
from metodist.accounts.models import ApiToken
from metodist.accounts.tests.factories import PASSWORD, UserFactory, login_verified

WRONG = "not-the-password"


def _login_page(client, path, username, password, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


# Password guessing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, db, path):
    user = UserFactory(username="victim", is_staff=True, is_superuser=True)
    statuses = [_login_page(client, path, "victim", WRONG).status_code for _ in range(30)]
    assert statuses[0] == 200  # the form again, with its error
    assert statuses[-1] == 429
    response = _login_page(client, path, "victim", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert user.pk  # the account itself is untouched


def test_right_password_works_below_the_limit(client, db):
    UserFactory(username="forgetful")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login_page(client, "/accounts/login/", "forgetful", WRONG)
    response = _login_page(client, "/accounts/login/", "forgetful", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_token_endpoint_is_locked_out_too_with_padded_usernames_counting_the_same(db):
    UserFactory(username="api-user")
    client = APIClient()
    url = reverse("api:token")
    # six spellings, five attempts each: only counted as one username do they reach the limit of 10
    variants = [" api-user", "API-user ", " Api-User  ", "api-USER", "aPi-user", "api-User\t"]
    statuses = [
        client.post(url, {"username": variants[i % 6], "password": WRONG}, format="json").status_code for i in range(30)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    response = client.post(url, {"username": "api-user", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()


def test_a_forged_x_forwarded_for_from_an_untrusted_client_does_not_reset_the_counter(client, db):
    UserFactory(username="victim")
    for i in range(30):
        _login_page(client, "/accounts/login/", "victim", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = _login_page(client, "/accounts/login/", "victim", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429

    api = APIClient()
    for i in range(30):
        api.post(
            reverse("api:token"),
            {"username": "victim", "password": WRONG},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    response = api.post(
        reverse("api:token"),
        {"username": "victim", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_a_trusted_proxy_each_client_address_counts_separately(client, db):
    UserFactory(username="shared")
    for _ in range(30):
        _login_page(client, "/accounts/login/", "shared", WRONG, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert (
        _login_page(client, "/accounts/login/", "shared", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
        == 429
    )
    other = _login_page(client, "/accounts/login/", "shared", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 302


def test_lockout_page_is_russian(client, db):
    UserFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login_page(client, "/accounts/login/", "victim", WRONG)
    response = _login_page(client, "/accounts/login/", "victim", PASSWORD)
    assert "Слишком много неудачных попыток входа" in response.content.decode()


# Sessions --------------------------------------------------------------------------------------------


def test_sessions_last_a_working_day_and_end_with_the_browser(client, db):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    UserFactory(username="worker")
    _login_page(client, "/accounts/login/", "worker", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


# API tokens ------------------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_authenticates(db):
    user = UserFactory(username="integration")
    response = APIClient().post(reverse("api:token"), {"username": "integration", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    stored = ApiToken.objects.get(user=user)
    assert key not in {stored.digest, stored.prefix} and stored.digest == services.token_digest(key)
    assert not ApiToken.objects.filter(digest=key).exists()
    lifetime = stored.expires_at - stored.created_at
    assert abs(lifetime - datetime.timedelta(seconds=settings.API_TOKEN_LIFETIME)) < datetime.timedelta(minutes=1)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/territories/").status_code == 200
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None


def test_expired_token_is_refused(db):
    user = UserFactory()
    token, key = services.token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/territories/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/territories/").status_code == 401
    assert services.token_forget_expired() == 1


def test_token_of_a_blocked_user_is_refused(db):
    user = UserFactory()
    _token, key = services.token_issue(user=user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/territories/").status_code == 401


def test_profile_regenerates_the_token_and_shows_the_key_once(client, db):
    user = UserFactory()
    _old, old_key = services.token_issue(user=user)
    client.force_login(user)
    response = client.post(reverse("accounts:token_regenerate"))
    new_key = response.context["new_key"]
    assert new_key in response.content.decode()
    assert list(ApiToken.objects.filter(user=user).values_list("digest", flat=True)) == [services.token_digest(new_key)]
    page = client.get(reverse("accounts:profile")).content.decode()
    assert new_key not in page and new_key[:8] in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get("/api/v1/territories/").status_code == 401


# Password reset --------------------------------------------------------------------------------------


def test_forgotten_password_is_reset_by_e_mail(client, db):
    user = UserFactory(username="teacher-x", email="x@example.org")
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and "Забыли пароль?" in page
    response = client.post(reverse("password_reset"), {"email": "X@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "teacher-x" in body and "пароль" in body
    path = body.split("://", 1)[1].split("/", 1)[1].split()[0]
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Осенний-лес-2026", "new_password2": "Осенний-лес-2026"}
    )
    user.refresh_from_db()
    assert user.check_password("Осенний-лес-2026")


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert not mail.outbox


# Two-factor authentication ---------------------------------------------------------------------------


def _code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at or time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("path", ["/admin/", "/audit/"])
def test_administrator_must_confirm_a_code_before_admin_and_audit(client, world, path):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


def test_administrator_sets_up_totp_and_gets_in(client, world):
    admin = world.users["admin"]
    client.force_login(admin)
    page = client.get(reverse("accounts:two_factor") + "?next=/audit/")
    assert page.context["setting_up"]
    html = page.content.decode()
    assert page.context["secret"] in html and "otpauth://totp/" in html and "<svg" in html
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed

    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000", "next": "/audit/"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get("/audit/").status_code == 302

    time.sleep(1.1)  # django-otp throttles the device for a second after a wrong code
    response = client.post(reverse("accounts:two_factor"), {"code": _code(device), "next": "/audit/"})
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # a new session asks for a code again, without showing the secret
    client.logout()
    client.force_login(admin)
    assert client.get("/audit/").status_code == 302
    page = client.get(reverse("accounts:two_factor"))
    assert not page.context["setting_up"] and "secret" not in page.context


def test_two_factor_next_cannot_leave_the_site(client, world):
    admin = world.users["admin"]
    client.force_login(admin)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(reverse("accounts:two_factor"), {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:dashboard")


def test_verified_login_helper_opens_the_audit_page(client, world):
    login_verified(client, world.users["admin"])
    assert client.get("/audit/").status_code == 200


def test_other_roles_are_not_asked_for_a_code(client, world):
    client.force_login(world.users["methodologist"])
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert client.get("/audit/").status_code == 403


def test_token_issue_and_role_changes_are_audited(client, world):
    from auditlog.models import LogEntry

    from metodist.accounts.choices import Role
    from metodist.accounts.models import RoleAssignment

    response = APIClient().post(
        reverse("api:token"), {"username": "teacher", "password": PASSWORD}, format="json", REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.users["teacher"])
    entry = LogEntry.objects.get_for_object(token).get(action=LogEntry.Action.CREATE)
    assert entry.actor == world.users["teacher"]
    assert entry.remote_addr == "192.0.2.5"
    assert "digest" not in entry.changes_dict

    client.force_login(world.users["methodologist"])
    client.post(
        reverse("accounts:role_add", args=[world.users["teacher"].pk]),
        {"role": Role.COORDINATOR, "organisation": world.org_a.pk},
    )
    assignment = RoleAssignment.objects.get(user=world.users["teacher"], role=Role.COORDINATOR)
    entry = LogEntry.objects.get_for_object(assignment).get(action=LogEntry.Action.CREATE)
    assert entry.actor == world.users["methodologist"]
