"""Leaks found by trying the registry as an out-of-scope user: filters, history panel, invalid filters.

Each test puts a fact about a person *outside* the viewer's scope (a second employment in another
municipality's school) and checks that no filter, panel or count reveals it.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from metodist.registry.models import Employment, Person
from metodist.registry.tests.factories import EmploymentFactory


def _second_job_in_school_c(world, **fields) -> Employment:
    """Архипова (pa2, school A) also works in school C, out of the coordinator's scope."""
    return EmploymentFactory(person=world.pa2, organisation=world.org_c, **fields)


def _names(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_manager_filter_ignores_employments_out_of_scope(client, world):
    _second_job_in_school_c(world, is_manager=True)
    client.force_login(world.users["coordinator"])
    html = _names(client.get(reverse("registry:person_list"), {"is_manager": "true"}))
    assert "Архипова" not in html
    html = _names(client.get(reverse("registry:person_list"), {"is_manager": "false"}))
    assert "Архипова" in html


def test_category_expiring_filter_ignores_employments_out_of_scope(client, world):
    today = timezone.localdate()
    Employment.objects.update(category="none", category_assigned_on=None, category_expires_on=None)
    employment = _second_job_in_school_c(world)
    employment.category = "first"
    employment.category_assigned_on = today.replace(year=today.year - 5) + datetime.timedelta(days=40)
    employment.save()
    assert employment.category_expires_on is not None
    client.force_login(world.users["coordinator"])
    html = _names(client.get(reverse("registry:person_list"), {"category_expiring": "true"}))
    assert "Архипова" not in html
    # the region observer sees school C, so the same person is found there
    client.force_login(world.users["region_observer"])
    html = _names(client.get(reverse("registry:person_list"), {"category_expiring": "true"}))
    assert "Архипова" in html


def test_api_manager_filter_ignores_employments_out_of_scope(client, world):
    _second_job_in_school_c(world, is_manager=True)
    client.force_login(world.users["coordinator"])
    response = client.get("/api/v1/people/", {"is_manager": "true"})
    assert response.status_code == 200
    assert world.pa2.pk not in {row["id"] for row in response.json()["results"]}


def test_person_history_hides_entries_about_objects_out_of_scope(client, world):
    employment = _second_job_in_school_c(world)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("registry:person_detail", args=[world.pa2.pk]))
    history = list(response.context["history"])
    assert history, "the person's own entries are shown"
    shown = {(entry.content_type.model, entry.object_pk) for entry in history}
    assert ("employment", str(employment.pk)) not in shown
    assert world.org_c.short_name not in response.content.decode()
    # whoever sees school C sees the entry
    client.force_login(world.users["region_observer"])
    response = client.get(reverse("registry:person_detail", args=[world.pa2.pk]))
    shown = {(entry.content_type.model, entry.object_pk) for entry in response.context["history"]}
    assert ("employment", str(employment.pk)) in shown


@pytest.mark.parametrize("query", [{"young": "garbage"}, {"is_manager": "maybe"}, {"organisation": "x"}])
def test_invalid_filter_value_is_400_on_the_api(client, world, query):
    client.force_login(world.users["methodologist"])
    response = client.get("/api/v1/people/", query)
    assert response.status_code == 400
    assert set(query) <= set(response.json())


@pytest.mark.parametrize("query", [{"young": "garbage"}, {"category_expiring": "2"}])
def test_invalid_filter_value_shows_a_form_error_not_the_whole_list(client, world, query):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("registry:person_list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["filter"].errors
    assert "Аничкова" not in html
    assert "is-invalid" in html


def test_invalid_filter_value_is_400_on_the_export(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("registry:person_export"), {"young": "garbage", "format": "csv"})
    assert response.status_code == 400


def test_valid_filters_still_work(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get("/api/v1/people/", {"young": "false", "is_manager": "0"})
    assert response.status_code == 200
    assert Person.objects.count() >= response.json()["count"] > 0
