"""«Заявки на подтверждение»: no СНИЛС oracle through the form and the API, and the methodologist's queue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from metodist.accounts.choices import Role
from metodist.accounts.tests.factories import user_with_role
from metodist.registry import services
from metodist.registry.models import Employment, Person, PersonMatchRequest
from metodist.registry.tests.factories import position

USED_SNILS = "112-233-445 95"
FREE_SNILS = "123-456-789 64"


def _form(organisation, snils: str) -> dict:
    return {
        "person-last_name": "Новикова",
        "person-first_name": "Анна",
        "person-birth_date": "1990-02-03",
        "person-snils": snils,
        "employment-organisation": organisation.pk,
        "employment-position": position().pk,
        "employment-kind": "main",
        "employment-category": "none",
    }


def _payload(organisation, snils: str) -> dict:
    return {
        "last_name": "Новикова",
        "first_name": "Анна",
        "birth_date": "1990-02-03",
        "snils": snils,
        "employment": {"organisation": organisation.pk, "position": position().pk, "category": "none"},
    }


@pytest.fixture
def used_snils(world):
    world.pc.snils = USED_SNILS  # a person of the other municipality
    world.pc.save()
    return world.pc


def test_form_gives_the_same_answer_for_a_used_and_a_free_snils(client, world, used_snils):
    # Before: «Нарушено ограничение "person_unique_snils"» for a used СНИЛС, a new person for a free one.
    client.force_login(world.users["coordinator"])
    used = client.post(reverse("registry:person_create"), _form(world.org_a, USED_SNILS), follow=True)
    free = client.post(reverse("registry:person_create"), _form(world.org_a, FREE_SNILS), follow=True)
    assert used.status_code == free.status_code == 200
    assert used.redirect_chain == free.redirect_chain == [(reverse("registry:match_request_list"), 302)]
    assert [str(m) for m in used.context["messages"]] == [str(m) for m in free.context["messages"]]
    page = used.content.decode()
    assert "person_unique_snils" not in page
    assert used_snils.last_name not in page
    assert not Person.objects.filter(last_name="Новикова").exists()
    assert PersonMatchRequest.objects.filter(state="pending").count() == 2


def test_api_gives_the_same_answer_for_a_used_and_a_free_snils(world, used_snils):
    # Before: 400 «Педагог с таким СНИЛС уже есть в базе.» for a used СНИЛС, 201 for a free one.
    api = APIClient()
    api.force_authenticate(world.users["coordinator"])
    used = api.post(reverse("api:person-list"), _payload(world.org_a, "11223344595"), format="json")
    free = api.post(reverse("api:person-list"), _payload(world.org_a, "12345678964"), format="json")
    assert used.status_code == free.status_code == 202, (used.content, free.content)
    assert used.json()["detail"] == free.json()["detail"]
    assert set(used.json()) == set(free.json()) == {"detail", "request", "state"}
    assert not Person.objects.filter(last_name="Новикова").exists()


def _pending(world, user_key="coordinator", organisation=None, **extra) -> PersonMatchRequest:
    result = services.person_create_with_employment(
        actor=world.users[user_key],
        person_values={"last_name": "Новикова", "first_name": "Анна", **extra},
        employment_values={"organisation": organisation or world.org_a, "position": position()},
    )
    assert result.is_pending
    return result.request


def test_queue_lists_what_the_user_may_decide(client, world, used_snils):
    new_person = _pending(world)
    matched_elsewhere = _pending(world, snils=USED_SNILS)  # pc works in municipality M2
    client.force_login(world.users["methodologist"])
    page = client.get(reverse("registry:match_request_list")).content.decode()
    assert reverse("registry:match_request_detail", args=[new_person.pk]) in page
    assert reverse("registry:match_request_detail", args=[matched_elsewhere.pk]) not in page
    assert client.get(reverse("registry:match_request_detail", args=[matched_elsewhere.pk])).status_code == 404

    client.force_login(world.users["admin"])
    page = client.get(reverse("registry:match_request_detail", args=[matched_elsewhere.pk])).content.decode()
    assert used_snils.last_name in page  # the reviewer whose scope covers both sides sees the match


def test_the_sender_sees_their_request_without_the_match(client, world, used_snils):
    request = _pending(world, snils=USED_SNILS)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("registry:match_request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert not response.context["can_decide"]
    assert used_snils.last_name not in response.content.decode()
    # …and cannot decide it, even when their scope would cover it
    assert client.post(reverse("registry:match_request_confirm", args=[request.pk])).status_code == 403


def test_a_methodologist_never_decides_their_own_request(client, world):
    request = _pending(world, user_key="methodologist")
    client.force_login(world.users["methodologist"])
    assert client.post(reverse("registry:match_request_confirm", args=[request.pk])).status_code == 403
    request.refresh_from_db()
    assert request.is_pending


@pytest.mark.parametrize("username", ["observer", "teacher", "nobody"])
def test_roles_without_change_get_403(client, world, username):
    client.force_login(world.users[username])
    assert client.get(reverse("registry:match_request_list")).status_code == 403


def test_other_municipalities_requests_are_404(client, world):
    region = user_with_role(Role.METHODOLOGIST, territory=world.m2, username="m2_methodologist")
    coordinator_c = user_with_role(Role.COORDINATOR, organisation=world.org_c, username="coordinator_c")
    result = services.person_create_with_employment(
        actor=coordinator_c,
        person_values={"last_name": "Новикова", "first_name": "Анна"},
        employment_values={"organisation": world.org_c, "position": position()},
    )
    request = result.request
    client.force_login(world.users["methodologist"])  # municipality M1
    assert client.get(reverse("registry:match_request_detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("registry:match_request_reject", args=[request.pk])).status_code == 404
    client.force_login(region)
    assert client.get(reverse("registry:match_request_detail", args=[request.pk])).status_code == 200


def test_confirm_creates_the_new_person(client, world):
    request = _pending(world, birth_date=None)
    client.force_login(world.users["methodologist"])
    response = client.post(reverse("registry:match_request_confirm", args=[request.pk]), follow=True)
    assert response.status_code == 200
    person = Person.objects.get(last_name="Новикова")
    assert Employment.objects.get(person=person).organisation == world.org_a
    request.refresh_from_db()
    assert (request.state, request.person, request.resolved_by) == ("confirmed", person, world.users["methodologist"])
    # The coordinator now sees the person in their school.
    assert Person.objects.visible_to(world.users["coordinator"]).filter(pk=person.pk).exists()


def test_reject_writes_nothing(client, world):
    request = _pending(world)
    client.force_login(world.users["methodologist"])
    client.post(reverse("registry:match_request_reject", args=[request.pk]), {"comment": "Нет такого сотрудника"})
    request.refresh_from_db()
    assert (request.state, request.comment) == ("rejected", "Нет такого сотрудника")
    assert not Person.objects.filter(last_name="Новикова").exists()
    assert client.post(reverse("registry:match_request_confirm", args=[request.pk])).status_code in (302, 404)
    assert not Person.objects.filter(last_name="Новикова").exists()


def test_confirm_and_reject_need_post(client, world):
    request = _pending(world)
    client.force_login(world.users["methodologist"])
    assert client.get(reverse("registry:match_request_confirm", args=[request.pk])).status_code == 405
    assert client.get(reverse("registry:match_request_reject", args=[request.pk])).status_code == 405


def test_in_scope_person_is_named_to_the_user_who_sees_them(client, world):
    pa = world.pa
    client.force_login(world.users["coordinator"])
    data = _form(world.org_a, "")
    data.update(
        {"person-last_name": pa.last_name, "person-first_name": pa.first_name, "person-birth_date": pa.birth_date}
    )
    response = client.post(reverse("registry:person_create"), data)
    assert response.status_code == 200
    assert response.context["existing_person"] == pa
    assert not PersonMatchRequest.objects.exists()


def test_queue_list_runs_a_constant_number_of_queries(client, world):
    client.force_login(world.users["methodologist"])
    _pending(world)
    client.get(reverse("registry:match_request_list"))  # warm caches (scopes, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("registry:match_request_list")).status_code == 200
    coordinator_b = user_with_role(Role.COORDINATOR, organisation=world.org_b, username="coordinator_b")
    for number in range(15):
        services.person_create_with_employment(
            actor=coordinator_b if number % 2 else world.users["coordinator"],
            person_values={"last_name": f"Новикова{number}", "first_name": "Анна"},
            employment_values={"organisation": world.org_b if number % 2 else world.org_a, "position": position()},
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("registry:match_request_list"))
    assert response.status_code == 200
    assert len(response.context["to_review"]) == 16
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
