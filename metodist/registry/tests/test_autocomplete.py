"""The organisation filter is a search box fed by a scoped JSON endpoint, not 1 000 options (issue 6 §3)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.core.tests.fixtures import cold_caches
from metodist.registry.tests.factories import OrganisationFactory

URL = "registry:organisation_autocomplete"


def _names(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [item["text"] for item in response.json()["results"]]


def test_only_organisations_in_scope_are_offered(client, world):
    client.force_login(world.users["methodologist"])
    assert _names(client.get(reverse(URL), {"q": "Школа"})) == ["Школа А", "Школа Б"]
    assert _names(client.get(reverse(URL), {"q": "Школа В"})) == []
    assert _names(client.get(reverse(URL), {"q": world.org_c.inn})) == []
    assert _names(client.get(reverse(URL), {"q": world.org_b.inn})) == ["Школа Б"]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", ["Школа А", "Школа Б", "Школа В"]),
        ("region_observer", ["Школа А", "Школа Б", "Школа В"]),
        ("coordinator", ["Школа А"]),
        ("teacher", ["Школа А"]),
        ("nobody", []),
    ],
)
def test_every_role_sees_its_own_organisations(client, world, username, expected):
    client.force_login(world.users[username])
    assert _names(client.get(reverse(URL))) == expected


def test_search_follows_the_chosen_municipality(client, world):
    client.force_login(world.users["admin"])
    assert _names(client.get(reverse(URL), {"territory": world.m2.pk})) == ["Школа В"]
    assert _names(client.get(reverse(URL), {"q": "школа", "territory": world.m1.pk})) == ["Школа А", "Школа Б"]


def test_answer_is_limited(client, world):
    for i in range(30):
        OrganisationFactory(territory=world.m1, short_name=f"Детский сад № {i:02d}")
    client.force_login(world.users["methodologist"])
    names = _names(client.get(reverse(URL), {"q": "сад"}))
    assert len(names) == 20
    assert names == sorted(names)


def test_anonymous_gets_no_options(client, world):
    response = client.get(reverse(URL), {"q": "Школа"})
    assert response.status_code == 302


def test_query_count_is_constant(client, world, django_assert_num_queries):
    client.force_login(world.users["methodologist"])
    cold_caches()
    with CaptureQueriesContext(connection) as small:
        _names(client.get(reverse(URL), {"q": "Школа"}))
    for i in range(25):
        OrganisationFactory(territory=world.m1, short_name=f"Школа № {i}")
    cold_caches()
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(_names(client.get(reverse(URL), {"q": "Школа"}))) == 20


def test_people_list_no_longer_lists_every_organisation(client, world):
    for i in range(40):
        OrganisationFactory(territory=world.m1, short_name=f"Гимназия № {i}")
    client.force_login(world.users["methodologist"])
    html = client.get(reverse("registry:person_list")).content.decode()
    assert "Гимназия № 7" not in html
    assert 'data-autocomplete-url="' + reverse(URL) + '"' in html
    assert "vendor/tom-select/tom-select.base.min.js" in html
    assert "js/autocomplete.js" in html


def test_chosen_organisation_stays_selected(client, world):
    client.force_login(world.users["methodologist"])
    html = client.get(reverse("registry:person_list"), {"organisation": world.org_b.pk}).content.decode()
    assert f'<option value="{world.org_b.pk}" selected>Школа Б</option>' in html
    assert "Школа А</option>" not in html


def test_an_organisation_out_of_scope_is_not_accepted_by_the_filter(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("registry:person_list"), {"organisation": world.org_c.pk})
    assert response.status_code == 200
    assert "Школа В" not in response.content.decode()
