"""The REST API: one router for every app's endpoints, the token endpoint and the OpenAPI schema.

/api/auth/token/   POST username + password → {"token": "...", "expires_at": "..."} (metodist.accounts.api)
/api/schema/       OpenAPI 3 schema (api:schema); /api/docs/ Swagger UI (api:docs); /api/redoc/ (api:redoc)
/api/v1/...        the endpoints (api:<basename>-list, api:<basename>-detail)
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from metodist.accounts.api import ObtainTokenView
from metodist.registry.api import urls as registry_api

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
