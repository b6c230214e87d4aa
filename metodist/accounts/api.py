"""The token endpoint of the API: ``POST /api/auth/token/`` username + password → a new expiring token.

Password guessing is limited by django-axes like the login pages (``AxesBackend`` counts the failure in
the database, per normalised username and client address, see :mod:`metodist.accounts.lockout`); a
locked-out client gets 429 even with the right password.
"""

from __future__ import annotations

from auditlog.context import set_actor
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from metodist.core.net import client_address

from .services import token_issue

WRONG_CREDENTIALS = _("Неверное имя пользователя или пароль.")
LOCKED_OUT = _("Слишком много неудачных попыток входа. Попробуйте позже или обратитесь к администратору.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token."""

    authentication_classes: list = []  # a login form: no session, hence no CSRF check
    permission_classes: list = []
    throttle_classes: list = []  # django-axes limits the attempts, in the database, for every process
    serializer_class = TokenRequestSerializer

    @extend_schema(
        tags=["auth"],
        summary="Obtain an API token",
        description=(
            "Issues a new token for the user. Send it with every request as `Authorization: Token <token>`. "
            "The token expires after `expires_in` seconds; the user can also replace it on their profile page. "
            "Repeated wrong passwords lock the username out from the client's address for a while (429)."
        ),
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "AuthToken",
                fields={"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            ),
            400: inline_serializer("AuthTokenError", fields={"detail": serializers.CharField()}),
            429: inline_serializer("AuthTokenLockedOut", fields={"detail": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request  # django-axes flags the lockout on Django's request
        user = authenticate(
            request=http_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            return Response({"detail": str(LOCKED_OUT)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"detail": str(WRONG_CREDENTIALS)}, status=status.HTTP_400_BAD_REQUEST)
        with set_actor(user, remote_addr=client_address(http_request)):  # the audit names the token's owner
            token, key = token_issue(user=user)
        return Response({"token": key, "expires_at": token.expires_at})
