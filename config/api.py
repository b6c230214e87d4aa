"""The REST API: one router for every app's endpoints, the token endpoint and the OpenAPI schema.

/api/auth/token/   POST username + password → {"token": "...", "expires_at": "..."} (metodist.accounts.api)
/api/schema/       OpenAPI 3 schema (api:schema); /api/docs/ Swagger UI (api:docs); /api/redoc/ (api:redoc)
/api/v1/...        the endpoints (api:<basename>-list, api:<basename>-detail)
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from metodist.accounts.api import ObtainTokenView
from metodist.analysis.api import urls as analysis_api
from metodist.assessments.api import urls as assessments_api
from metodist.competences.api import urls as competences_api
from metodist.diagnostics.api import urls as diagnostics_api
from metodist.registry.api import urls as registry_api

router = DefaultRouter()
for app_api in (registry_api, assessments_api, competences_api, diagnostics_api, analysis_api):
    app_api.register(router)

API_DOCS_CSP = {"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]}

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start script as a file (no inline script); the docs' own <style> and Redoc's generated
    # styles and search worker are allowed on these two pages only.
    path("docs/", csp_update(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", csp_update(API_DOCS_CSP)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    path("v1/", include(router.urls)),
]
