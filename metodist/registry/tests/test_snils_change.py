"""Changing a person's СНИЛС is no oracle: a non-administrator's change waits for a methodologist's confirmation,
with the same answer whether the new СНИЛС is free or belongs to someone outside the editor's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metodist.registry import services
from metodist.registry.models import Person, PersonMatchRequest
from metodist.registry.validators import SNILS_TAKEN

USED_SNILS = "112-233-445 95"
FREE_SNILS = "123-456-789 64"


@pytest.fixture
def used_snils(world):
    world.pc.snils = USED_SNILS  # a person of the other municipality, out of the coordinator's scope
    world.pc.save()
    return world.pc


def _edit_form(person, snils: str) -> dict:
    return {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "snils": snils,
        "email": "",
        "phone": "+7 900 000-00-01",
        "education": person.education,
        "experience_start": person.experience_start.isoformat() if person.experience_start else "",
    }


def _stored(person) -> tuple:
    person.refresh_from_db()
    return person.snils, person.phone


def _untouched(other) -> tuple:
    return tuple(getattr(other, f) for f in ("last_name", "first_name", "snils", "phone", "email", "updated_at"))


def test_page_gives_the_same_answer_for_a_used_and_a_free_snils(client, world, used_snils):
    # Before: «СНИЛС уже указан у другого педагога.» for a used СНИЛС, saved for a free one.
    before = _untouched(used_snils)
    old_a, old_a2 = world.pa.snils, world.pa2.snils
    client.force_login(world.users["coordinator"])
    used = client.post(reverse("registry:person_edit", args=[world.pa.pk]), _edit_form(world.pa, USED_SNILS))
    used_page = client.get(used["Location"])
    free = client.post(reverse("registry:person_edit", args=[world.pa2.pk]), _edit_form(world.pa2, FREE_SNILS))
    free_page = client.get(free["Location"])
    assert used.status_code == free.status_code == 302
    assert used["Location"] == world.pa.get_absolute_url()
    assert free["Location"] == world.pa2.get_absolute_url()
    assert [str(m) for m in used_page.context["messages"]] == [str(services.SNILS_CHANGE_SUBMITTED)]
    assert [str(m) for m in free_page.context["messages"]] == [str(services.SNILS_CHANGE_SUBMITTED)]
    # the other fields are saved, the СНИЛС waits — the same for both
    assert _stored(world.pa) == (old_a, "+7 900 000-00-01")
    assert _stored(world.pa2) == (old_a2, "+7 900 000-00-01")
    used_snils.refresh_from_db()
    assert _untouched(used_snils) == before
    assert used_snils.last_name not in used_page.content.decode()
    requests = PersonMatchRequest.objects.filter(state="pending").order_by("snils")
    assert [(r.snils_change_for_id, r.snils) for r in requests] == [
        (world.pa.pk, USED_SNILS),
        (world.pa2.pk, FREE_SNILS),
    ]


def test_api_gives_the_same_answer_for_a_used_and_a_free_snils(world, used_snils):
    before = _untouched(used_snils)
    old_a, old_a2 = world.pa.snils, world.pa2.snils
    api = APIClient()
    api.force_authenticate(world.users["coordinator"])
    body = {"phone": "+7 900 000-00-01"}
    used = api.patch(reverse("api:person-detail", args=[world.pa.pk]), {**body, "snils": "11223344595"}, format="json")
    free = api.patch(reverse("api:person-detail", args=[world.pa2.pk]), {**body, "snils": "12345678964"}, format="json")
    assert used.status_code == free.status_code == 202, (used.content, free.content)
    assert used.json()["detail"] == free.json()["detail"] == str(services.SNILS_CHANGE_SUBMITTED)
    assert set(used.json()) == set(free.json()) == {"detail", "request", "state"}
    assert used_snils.last_name not in used.content.decode()
    assert _stored(world.pa) == (old_a, "+7 900 000-00-01")
    assert _stored(world.pa2) == (old_a2, "+7 900 000-00-01")
    used_snils.refresh_from_db()
    assert _untouched(used_snils) == before


def test_api_put_holds_the_snils_too(world, used_snils):
    api = APIClient()
    api.force_authenticate(world.users["coordinator"])
    payload = {k: v for k, v in _edit_form(world.pa, "11223344595").items() if v not in ("", None)}
    response = api.put(reverse("api:person-detail", args=[world.pa.pk]), payload, format="json")
    assert response.status_code == 202, response.content
    assert Person.objects.get(pk=world.pa.pk).snils != USED_SNILS


def test_an_unchanged_snils_is_saved_as_usual(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("registry:person_edit", args=[world.pa.pk]), _edit_form(world.pa, world.pa.snils))
    assert response.status_code == 302
    assert not PersonMatchRequest.objects.exists()
    api = APIClient()
    api.force_authenticate(world.users["coordinator"])
    response = api.patch(reverse("api:person-detail", args=[world.pa.pk]), {"phone": "+7 900 1"}, format="json")
    assert response.status_code == 200
    assert not PersonMatchRequest.objects.exists()


def test_an_administrator_changes_the_snils_at_once_and_sees_a_clash(client, world, used_snils):
    client.force_login(world.users["admin"])
    clash = client.post(reverse("registry:person_edit", args=[world.pa.pk]), _edit_form(world.pa, USED_SNILS))
    assert clash.status_code == 200
    assert str(SNILS_TAKEN) in clash.content.decode()
    ok = client.post(reverse("registry:person_edit", args=[world.pa.pk]), _edit_form(world.pa, FREE_SNILS))
    assert ok.status_code == 302
    assert Person.objects.get(pk=world.pa.pk).snils == FREE_SNILS
    api = APIClient()
    api.force_authenticate(world.users["admin"])
    response = api.patch(reverse("api:person-detail", args=[world.pa2.pk]), {"snils": "11223344595"}, format="json")
    assert response.status_code == 400
    assert str(SNILS_TAKEN) in response.content.decode()
    assert not PersonMatchRequest.objects.exists()


def _held(world, snils: str) -> PersonMatchRequest:
    result = services.person_update(
        actor=world.users["coordinator"], person=world.pa, values={"snils": snils, "phone": world.pa.phone}
    )
    assert result.request is not None
    return result.request


def test_only_a_reviewer_covering_both_people_decides(client, world, used_snils):
    request = _held(world, USED_SNILS)
    assert request.matched_person == used_snils
    assert not PersonMatchRequest.objects.reviewable_by(world.users["methodologist"]).filter(pk=request.pk).exists()
    assert not PersonMatchRequest.objects.reviewable_by(world.users["coordinator"]).filter(pk=request.pk).exists()
    assert PersonMatchRequest.objects.reviewable_by(world.users["admin"]).filter(pk=request.pk).exists()
    # the sender sees only what they sent
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("registry:match_request_detail", args=[request.pk])).content.decode()
    assert used_snils.last_name not in page


def test_confirm_applies_a_free_snils(client, world):
    request = _held(world, FREE_SNILS)
    assert request.matched_person is None
    client.force_login(world.users["methodologist"])
    queue = client.get(reverse("registry:match_request_list")).content.decode()
    assert "изменение СНИЛС" in queue
    detail = client.get(reverse("registry:match_request_detail", args=[request.pk]))
    assert detail.status_code == 200 and FREE_SNILS in detail.content.decode()
    response = client.post(reverse("registry:match_request_confirm", args=[request.pk]), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        str(services.REQUEST_CONFIRMED_SNILS % {"name": world.pa.full_name})
    ]
    assert Person.objects.get(pk=world.pa.pk).snils == FREE_SNILS
    request.refresh_from_db()
    assert request.state == "confirmed" and request.person_id == world.pa.pk
    assert Person.objects.count() == 4  # nobody new


def test_confirm_shows_the_clash_to_the_reviewer(client, world, used_snils):
    request = _held(world, USED_SNILS)
    client.force_login(world.users["admin"])
    response = client.post(reverse("registry:match_request_confirm", args=[request.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        str(services.SNILS_CHANGE_CLASH % {"name": used_snils.full_name})
    ]
    assert Person.objects.get(pk=world.pa.pk).snils != USED_SNILS
    request.refresh_from_db()
    assert request.state == "pending"


def test_a_held_snils_is_still_checked(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("registry:person_edit", args=[world.pa.pk]), _edit_form(world.pa, "123-456-789 00"))
    assert response.status_code == 200
    assert not PersonMatchRequest.objects.exists()
