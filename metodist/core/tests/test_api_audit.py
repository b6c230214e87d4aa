"""Reading people through the API list leaves one audit row per request: who, endpoint, filters, ids read.

Found on the demo: reading 334 people with СНИЛС, birth dates and phones through the API list wrote
no audit entry at all.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metodist.accounts.tests.factories import login_verified
from metodist.core.models import DataExport

pytestmark = pytest.mark.django_db


def _client(user, **defaults) -> APIClient:
    client = APIClient(**defaults)
    client.force_authenticate(user)
    return client


def test_a_people_list_request_is_audited_with_the_ids_read(world):
    user = world.users["methodologist"]
    response = _client(user, REMOTE_ADDR="203.0.113.9").get(
        reverse("api:person-list"), {"page_size": 2}, HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert response.status_code == 200
    returned = [row["id"] for row in response.json()["results"]]
    assert len(returned) == 2
    entry = DataExport.objects.get()
    assert entry.user == user
    assert entry.file_format == "api"
    assert entry.outcome == DataExport.Outcome.DONE
    assert entry.object_ids == returned
    assert entry.row_count == 2
    assert entry.query == "page_size=2"
    assert "/api/v1/people/" in entry.what
    assert entry.remote_addr == "203.0.113.9"


def test_every_list_request_is_one_row(world):
    client = _client(world.users["admin"])
    for page in (1, 2):
        assert client.get(reverse("api:person-list"), {"page_size": 2, "page": page}).status_code == 200
    rows = list(DataExport.objects.order_by("created_at", "pk"))
    assert [r.query for r in rows] == ["page_size=2&page=1", "page_size=2&page=2"]
    assert not set(rows[0].object_ids) & set(rows[1].object_ids)


def test_a_refused_list_request_is_not_recorded_as_a_read(world):
    response = _client(world.users["admin"]).get(reverse("api:person-list"), {"page": 99})
    assert response.status_code == 404
    assert not DataExport.objects.exists()


def test_lists_without_personal_data_are_not_audited(world):
    assert _client(world.users["admin"]).get(reverse("api:organisation-list")).status_code == 200
    assert not DataExport.objects.exists()


def test_reading_one_person_is_not_a_list_read(world):
    assert _client(world.users["admin"]).get(reverse("api:person-detail", args=[world.pa.pk])).status_code == 200
    assert not DataExport.objects.exists()


def test_the_audit_page_shows_api_reads_and_failed_exports(client, world):
    _client(world.users["methodologist"]).get(reverse("api:person-list"))
    DataExport.objects.create(
        user=world.users["observer"],
        what="Педагоги",
        file_format="xlsx",
        row_count=0,
        outcome=DataExport.Outcome.FAILED,
    )
    login_verified(client, world.users["admin"])
    html = client.get(reverse("core:audit")).content.decode()
    assert "/api/v1/people/" in html
    assert "сбой" in html  # the failed download is not shown as a download
