"""API authentication by an expiring, hashed token: ``Authorization: Token <key>``.

Only the SHA-256 digest of a key is stored (:class:`metodist.accounts.models.ApiToken`), so a copy of
the database gives no working token; a token past its ``expires_at`` and the token of a blocked user
are refused. Subclassing DRF's ``TokenAuthentication`` keeps the header, the 401 challenge and the
OpenAPI security scheme (``tokenAuth``) as they were.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .services import token_digest

INVALID_TOKEN = _("Неверный или просроченный API-токен.")

# last_used_at is written at most this often per token, so reads do not become writes.
_TOUCH_EVERY = datetime.timedelta(minutes=5)


class ExpiringTokenAuthentication(TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(key), expires_at__gt=now, user__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
