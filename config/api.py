"""The REST API: one router for every app's endpoints, the token endpoint and the OpenAPI schema.

/api/auth/token/   POST username + password → {"token": "..."}
/api/schema/       OpenAPI 3 schema (api:schema); /api/docs/ Swagger UI (api:docs); /api/redoc/ (api:redoc)
/api/v1/...        the endpoints (api:<basename>-list, api:<basename>-detail)
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import SimpleRateThrottle

from metodist.registry.api import urls as registry_api


class TokenObtainThrottle(SimpleRateThrottle):
    """At most a few password attempts per minute for one username from one address."""

    scope = "api_token"
    rate = "10/min"

    def get_cache_key(self, request, view) -> str:
        username = str(request.data.get("username", ""))[:150].lower()
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first request)."""

    authentication_classes: list = []  # a login form: no session, hence no CSRF check
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Obtain an API token",
        description=(
            "Returns the user's token, creating it on first request. Send it with every request as "
            "`Authorization: Token <token>`. The token stays valid until the user regenerates it on their "
            "profile page or an administrator deletes it."
        ),
        request=AuthTokenSerializer,
        responses={200: inline_serializer("AuthToken", fields={"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


router = DefaultRouter()
registry_api.register(router)

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include(router.urls)),
]
