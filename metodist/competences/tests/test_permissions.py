"""Who sees and decides which deficits: every role of the test world × every teacher's deficit, through the
pages, the export and the API. Expectations are written by hand from the permission table (permissions.py),
independently of the querysets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metodist.competences.choices import DeficitState
from metodist.competences.models import TeacherDeficit
from metodist.competences.tests.factories import DeficitFactory, NodeFactory
from metodist.core.tests.canary import decode_body
from metodist.core.tests.fixtures import build_world
from metodist.core.tests.permission_cases import module_world

pytestmark = pytest.mark.django_db

PEOPLE = ("pa", "pa2", "pb", "pc")
# Deficits each role reads (capability «competences»): None — the role has no such right at all (403).
READS: dict[str, set[str] | None] = {
    "admin": {"pa", "pa2", "pb", "pc"},
    "methodologist": {"pa", "pa2", "pb"},
    "observer": {"pa", "pa2", "pb"},
    "region_observer": {"pa", "pa2", "pb", "pc"},
    "coordinator": {"pa", "pa2"},
    "teacher": {"pa"},
    "mentor": None,
    "expert": None,
    "association_head": None,
    "nobody": None,
}
DECIDES = {"admin", "methodologist", "coordinator"}  # the rest: 403
EXPORTS = {"admin", "methodologist", "observer", "region_observer", "coordinator"}
# People whose registry card (and so deficits page) the role reaches.
PEOPLE_PAGE = {
    "admin": {"pa", "pa2", "pb", "pc"},
    "methodologist": {"pa", "pa2", "pb"},
    "observer": {"pa", "pa2", "pb"},
    "region_observer": {"pa", "pa2", "pb", "pc"},
    "coordinator": {"pa", "pa2"},
    "teacher": {"pa"},
}
ROLES = sorted(READS)


def build():
    world = build_world()
    node = NodeFactory()
    world.deficits = {}
    for key, person in world.people().items():
        organisation = {"pa": world.org_a, "pa2": world.org_a, "pb": world.org_b, "pc": world.org_c}[key]
        world.deficits[key] = DeficitFactory(
            person=person, organisation=organisation, node=node, evidence=f"Основания-{key}", source_ref=f"t:{key}"
        )
    return world


world = module_world(build)


def _login(client, world, role):
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[role]


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_scope(client, world, role):
    _login(client, world, role)
    response = client.get(reverse("competences:deficit_list"))
    if READS[role] is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    for key in PEOPLE:
        assert (f"/competences/deficits/{world.deficits[key].pk}/" in body) is (key in READS[role]), key


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", PEOPLE)
def test_detail_in_scope_or_404(client, world, role, key):
    _login(client, world, role)
    response = client.get(reverse("competences:deficit_detail", args=[world.deficits[key].pk]))
    if READS[role] is None:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if key in READS[role] else 404)
        if response.status_code == 200:
            assert f"Основания-{key}" in response.content.decode()
            assert ('data-testid="decide-form"' in response.content.decode()) is (role in DECIDES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", PEOPLE)
def test_decide_in_scope_only(client, world, role, key):
    _login(client, world, role)
    deficit = world.deficits[key]
    response = client.post(
        reverse("competences:deficit_decide", args=[deficit.pk]), {"decision": "confirm", "note": "Урок посещён"}
    )
    state = TeacherDeficit.objects.get(pk=deficit.pk).state
    if role not in DECIDES:
        assert response.status_code == 403
        assert state == DeficitState.PROPOSED
    elif key in READS[role]:
        assert response.status_code == 302
        assert state == DeficitState.CONFIRMED
    else:
        assert response.status_code == 404
        assert state == DeficitState.PROPOSED
    TeacherDeficit.objects.filter(pk=deficit.pk).update(state=DeficitState.PROPOSED, decided_at=None, decided_by=None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", PEOPLE)
def test_person_deficits_page(client, world, role, key):
    _login(client, world, role)
    person = world.people()[key]
    response = client.get(reverse("competences:person_deficits", args=[person.pk]))
    if READS[role] is None:
        assert response.status_code == 403
        return
    assert response.status_code == (200 if key in PEOPLE_PAGE[role] else 404)
    if response.status_code == 200:
        assert (f"Основания-{key}" in response.content.decode()) is (key in READS[role])


@pytest.mark.parametrize("role", ROLES)
def test_export_has_exactly_the_scope(client, world, role):
    _login(client, world, role)
    response = client.get(reverse("competences:deficit_export"), {"format": "xlsx"})
    if role not in EXPORTS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = decode_body(
        b"".join(response.streaming_content) if response.streaming else response.content, response["Content-Type"]
    )
    for key in PEOPLE:
        assert (f"Основания-{key}" in body) is (key in READS[role]), key


@pytest.mark.parametrize("role", ROLES)
def test_api_list_and_detail(client, world, role):
    _login(client, world, role)
    response = client.get(reverse("api:teacher-deficit-list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200  # the API answers an empty list to roles without the right
    ids = {row["id"] for row in response.json()["results"]}
    expected = READS[role] or set()
    assert ids == {world.deficits[key].pk for key in expected}
    for key in PEOPLE:
        detail = client.get(reverse("api:teacher-deficit-detail", args=[world.deficits[key].pk]))
        assert detail.status_code == (200 if key in expected else 404)


def test_anonymous_is_sent_to_login(client, world):
    for name, args in (
        ("competences:deficit_list", []),
        ("competences:framework_list", []),
        ("competences:deficit_detail", [world.deficits["pa"].pk]),
        ("competences:person_deficits", [world.pa.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("api:teacher-deficit-list")).status_code == 401
