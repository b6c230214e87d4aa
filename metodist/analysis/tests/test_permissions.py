"""Every role of the test world × in-scope / out-of-scope, for every analysis page and export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metodist.core.models import DataExport

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "methodologist",
    "observer",
    "region_observer",
    "coordinator",
    "teacher",
    "mentor",
    "expert",
    "association_head",
    "nobody",
)
# Who sees each page whole (200); everyone else gets 404 (out of scope) or 403 (a role without the action).
TERRITORY_M1 = {"admin", "methodologist", "observer", "region_observer"}
TERRITORY_M2 = {"admin", "region_observer"}
SCHOOL_A = {"admin", "methodologist", "observer", "region_observer", "coordinator"}
SCHOOL_C = {"admin", "region_observer"}
CLASS_A1 = SCHOOL_A | {"teacher"}  # the teacher teaches 6А of school A in mathematics
CLASS_A2 = SCHOOL_A  # ... but not 6Б
CLASS_C1 = SCHOOL_C
NO_ASSESSMENTS = {"mentor", "expert", "association_head", "nobody"}


def _pages(results):
    w, p = results.world, results.procedure.pk
    return [
        ("territory m1", reverse("analysis:territory", args=[p, w.m1.pk]), TERRITORY_M1),
        ("territory m2", reverse("analysis:territory", args=[p, w.m2.pk]), TERRITORY_M2),
        ("territory region", reverse("analysis:territory", args=[p, w.region.pk]), TERRITORY_M2),
        ("school a", reverse("analysis:school", args=[p, w.org_a.pk]), SCHOOL_A),
        ("school c", reverse("analysis:school", args=[p, w.org_c.pk]), SCHOOL_C),
        ("class a1", reverse("analysis:class", args=[results.a1.pk]), CLASS_A1),
        ("class a2", reverse("analysis:class", args=[results.a2.pk]), CLASS_A2),
        ("class c1", reverse("analysis:class", args=[results.c1.pk]), CLASS_C1),
        ("territory export", reverse("analysis:territory_export", args=[p, w.m1.pk]) + "?table=tasks", TERRITORY_M1),
        ("school export", reverse("analysis:school_export", args=[p, w.org_a.pk]) + "?table=gaps", SCHOOL_A),
        ("school report", reverse("analysis:school_report", args=[p, w.org_a.pk]), SCHOOL_A),
        ("school c report", reverse("analysis:school_report", args=[p, w.org_c.pk]), SCHOOL_C),
        ("class export", reverse("analysis:class_export", args=[results.a1.pk]) + "?table=students", CLASS_A1),
        ("class c export", reverse("analysis:class_export", args=[results.c1.pk]) + "?table=students", CLASS_C1),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_exports_by_role(client, results, role):
    client.force_login(results.world.users[role])
    for name, url, allowed in _pages(results):
        response = client.get(url)
        if role in allowed:
            assert response.status_code == 200, (name, role, response.status_code)
        else:
            expected = {403, 404} if role in NO_ASSESSMENTS else {404}
            assert response.status_code in expected, (name, role, response.status_code)


def test_anonymous_is_sent_to_the_login(client, results):
    for name, url, _allowed in _pages(results):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], name


def test_a_municipality_page_names_no_school_of_another_municipality(client, results):
    client.force_login(results.world.users["methodologist"])
    body = client.get(reverse("analysis:territory", args=[results.procedure.pk, results.world.m1.pk])).content.decode()
    assert "Школа А" in body and "Школа Б" in body
    assert "Школа В" not in body


def test_a_teacher_sees_only_their_class_in_the_index(client, results):
    client.force_login(results.world.users["teacher"])
    body = client.get(reverse("analysis:index")).content.decode()
    assert reverse("analysis:class", args=[results.a1.pk]) in body
    assert reverse("analysis:class", args=[results.a2.pk]) not in body
    assert f"/analysis/{results.procedure.pk}/school/" not in body


def test_exports_write_the_audit_row(client, results):
    user = results.world.users["coordinator"]
    client.force_login(user)
    url = reverse("analysis:school_export", args=[results.procedure.pk, results.world.org_a.pk])
    response = client.get(url + "?table=tasks")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = DataExport.objects.get(user=user, file_format="xlsx")
    assert entry.outcome == DataExport.Outcome.DONE
    assert "Выполнение заданий" in entry.what and "Школа А" in entry.what
    assert entry.row_count == 2 + 1 + 2  # two classes, the school, the municipality and the region
    response = client.get(reverse("analysis:school_report", args=[results.procedure.pk, results.world.org_a.pk]))
    b"".join(response.streaming_content)
    docx = DataExport.objects.get(user=user, file_format="docx")
    assert docx.outcome == DataExport.Outcome.DONE


@pytest.mark.parametrize(
    ("role", "territory", "status"),
    [
        ("admin", "m1", 200),
        ("methodologist", "m1", 200),
        ("methodologist", "m2", 404),
        ("methodologist", "region", 404),
        ("observer", "m1", 403),
        ("coordinator", "m1", 403),
        ("teacher", "m1", 403),
        ("nobody", "m1", 403),
    ],
)
def test_thresholds_are_changed_by_methodologists_of_the_territory(client, results, role, territory, status):
    client.force_login(results.world.users[role])
    place = getattr(results.world, territory)
    response = client.get(reverse("analysis:thresholds_edit", args=[place.pk]))
    assert response.status_code == status


def test_global_thresholds_are_the_administrators(client, results):
    client.force_login(results.world.users["methodologist"])
    assert client.get(reverse("analysis:thresholds_global")).status_code == 404
    client.force_login(results.world.users["admin"])
    assert client.get(reverse("analysis:thresholds_global")).status_code == 200
