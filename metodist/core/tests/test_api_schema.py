"""The OpenAPI schema generates cleanly and its documentation pages are served (offline assets)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))

    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "post" in paths["/api/auth/token/"]
    for resource in ["territories", "organisations", "people", "employments", "courses"]:
        assert {"get"} <= set(paths[f"/api/v1/{resource}/"]), resource
        assert "get" in paths[f"/api/v1/{resource}/{{id}}/"], resource
    for resource in ["organisations", "people", "employments", "courses"]:
        assert {"post"} <= set(paths[f"/api/v1/{resource}/"])
        assert {"put", "patch"} <= set(paths[f"/api/v1/{resource}/{{id}}/"])
    for resource in ["school-classes", "teaching-assignments"]:
        assert {"get", "post"} == set(paths[f"/api/v1/{resource}/"])
        assert {"get"} == set(paths[f"/api/v1/{resource}/{{id}}/"])
    assert set(paths["/api/v1/territories/"]) == {"get"}
    assert not any("delete" in operations for operations in paths.values())
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_person_list_documents_its_filters_and_derived_fields(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))

    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/people/"]["get"]["parameters"]}
    for name in ["organisation", "territory", "position", "subject"]:
        assert parameters[name]["type"] == "integer", name
    assert parameters["young"]["type"] == "boolean"
    assert parameters["q"]["type"] == "string"
    assert "none" in parameters["category"]["enum"]

    person = schema["components"]["schemas"]["Person"]["properties"]
    for name in ["age", "experience_years", "is_young", "has_recent_courses"]:
        assert person[name]["readOnly"] is True, name
    detail = schema["components"]["schemas"]["PersonDetail"]["properties"]
    assert {"employments", "courses", "statuses", "awards"} <= set(detail)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:schema", "api:docs", "api:redoc"])
def test_documentation_pages_are_served(name):
    response = APIClient().get(reverse(name))
    assert response.status_code == 200


@pytest.mark.django_db
def test_swagger_ui_uses_the_bundled_assets():
    html = APIClient().get(reverse("api:docs")).content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn.jsdelivr.net" not in html
