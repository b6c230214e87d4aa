"""Who reaches what: every role of the test world × in-scope / out-of-scope, on pages and the API.

The world (metodist/core/tests/fixtures.py): municipality M1 with schools A and B, M2 with school C. Each school
has class results in a shared ВПР; schools A and C have a diagnostic of their own. The teacher (pa) teaches
mathematics in A's class.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.assessments.choices import ProcedureKind
from metodist.assessments.loading import ClassResults
from metodist.assessments.models import ClassAssessment, Procedure
from metodist.assessments.readers.base import StudentRow
from metodist.assessments.services import class_results_load
from metodist.registry.tests.factories import SchoolClassFactory, TeachingAssignmentFactory, subject

from .factories import ProcedureFactory, procedure_with_tasks

pytestmark = pytest.mark.django_db

ROLES = ["admin", "methodologist", "observer", "region_observer", "coordinator", "teacher", "mentor", "expert",
         "association_head", "nobody"]  # fmt: skip
# Which schools' class results each role sees (by the world's keys).
SEES_CLASSES = {
    "admin": {"a", "b", "c"},
    "methodologist": {"a", "b"},
    "observer": {"a", "b"},
    "region_observer": {"a", "b", "c"},
    "coordinator": {"a"},
    "teacher": {"a"},  # the class they teach, in its subject
    "mentor": set(),
    "expert": set(),
    "association_head": set(),
    "nobody": set(),
}
VIEWS_ASSESSMENTS = {"admin", "methodologist", "observer", "region_observer", "coordinator", "teacher"}
# Whose own diagnostics (A's, C's) each role sees; shared procedures are seen by every role that views.
SEES_OWN = {"admin": {"a", "c"}, "methodologist": {"a"}, "observer": {"a"}, "region_observer": {"a", "c"},
            "coordinator": {"a"}}  # fmt: skip
CHANGES_SHARED = {"admin", "methodologist"}
CHANGES_OWN = {"admin": {"a", "c"}, "methodologist": {"a"}, "coordinator": {"a"}}
IMPORTS = {"admin", "methodologist", "coordinator"}


@pytest.fixture
def data(world):
    shared = procedure_with_tasks(spec=[("1", 1, "basic"), ("2", 2, "basic")])
    schools = {"a": world.org_a, "b": world.org_b, "c": world.org_c}
    classes = {
        key: SchoolClassFactory(organisation=org, academic_year=2025, grade=6, letter="А")
        for key, org in schools.items()
    }
    TeachingAssignmentFactory(person=world.pa, school_class=classes["a"], subject=subject("Математика"))
    class_results_load(
        procedure=shared,
        classes=[
            ClassResults(organisation=org, class_label="6А", school_class=classes[key],
                         students=[StudentRow(line=0, code=f"{key}-1", scores=[1, 2])])
            for key, org in schools.items()
        ],
    )  # fmt: skip
    own = {
        key: ProcedureFactory(kind=ProcedureKind.SCHOOL, organisation=schools[key], title=f"Диагностика {key}")
        for key in ("a", "c")
    }
    results = {ca.organisation_id: ca for ca in ClassAssessment.objects.all()}
    return {
        "shared": shared,
        "own": own,
        "classes": {key: results[org.pk] for key, org in schools.items()},
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_per_role(client, world, data, role):
    user = world.users[role]
    client.force_login(user)
    listing = client.get(reverse("assessments:procedure_list"))
    assert listing.status_code == (200 if role in VIEWS_ASSESSMENTS else 403)
    if role in VIEWS_ASSESSMENTS:
        titles = {row.record.title for row in listing.context["table"].rows}
        assert data["shared"].title in titles
        assert {k for k, p in data["own"].items() if p.title in titles} == SEES_OWN.get(role, set())

    for key, assessment in data["classes"].items():
        page = client.get(reverse("assessments:class_detail", args=[assessment.pk]))
        assert page.status_code == (200 if key in SEES_CLASSES[role] else 404), (role, key)
        api = client.get(reverse("api:class-result-detail", args=[assessment.pk]))
        assert api.status_code == (200 if key in SEES_CLASSES[role] else 404), (role, key)
    api_list = client.get(reverse("api:class-result-list"), {"procedure": data["shared"].pk})
    assert api_list.status_code == 200
    seen = {row["organisation"] for row in api_list.json()["results"]}
    assert seen == {data["classes"][k].organisation_id for k in SEES_CLASSES[role]}

    detail = client.get(reverse("assessments:procedure_detail", args=[data["shared"].pk]))
    assert detail.status_code == (200 if role in VIEWS_ASSESSMENTS else 404)
    if detail.status_code == 200:
        shown = {row.record.organisation_id for row in detail.context["table"].rows}
        assert shown == {data["classes"][k].organisation_id for k in SEES_CLASSES[role]}
    for key, procedure in data["own"].items():
        visible = key in SEES_OWN.get(role, set())
        assert client.get(reverse("assessments:procedure_detail", args=[procedure.pk])).status_code == (
            200 if visible else 404
        )
        assert client.get(reverse("api:assessment-procedure-detail", args=[procedure.pk])).status_code == (
            200 if visible else 404
        )

    edit_shared = client.get(reverse("assessments:procedure_edit", args=[data["shared"].pk]))
    if role in CHANGES_SHARED:
        assert edit_shared.status_code == 200
    else:
        assert edit_shared.status_code in (403, 404)  # 404: a coordinator may change procedures, not shared ones
    for key, procedure in data["own"].items():
        response = client.get(reverse("assessments:procedure_tasks", args=[procedure.pk]))
        if key in CHANGES_OWN.get(role, set()):
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404)
    upload = client.get(reverse("assessments:upload"))
    assert upload.status_code == (200 if role in IMPORTS else 403)


def test_anonymous_users_are_sent_to_log_in(client, data):
    for url in (
        reverse("assessments:procedure_list"),
        reverse("assessments:upload"),
        reverse("assessments:class_detail", args=[data["classes"]["a"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("api:class-result-list")).status_code in (401, 403)


def test_an_observer_cannot_create_or_post_anything(client, world, data):
    client.force_login(world.users["observer"])
    assert client.get(reverse("assessments:procedure_create")).status_code == 403
    assert client.post(reverse("assessments:procedure_create"), {"title": "x"}).status_code == 403
    assert Procedure.objects.filter(title="x").count() == 0


def test_uploads_are_seen_only_by_their_author(client, world, data):
    from metodist.assessments.models import ResultUpload

    upload = ResultUpload.objects.create(
        procedure=data["shared"], file_format="long", original_filename="x.csv", created_by=world.users["coordinator"]
    )
    for role, status in (("coordinator", 200), ("methodologist", 404), ("admin", 200)):
        client.force_login(world.users[role])
        assert client.get(reverse("assessments:upload_preview", args=[upload.pk])).status_code == status, role
        if status == 404:
            assert client.post(reverse("assessments:upload_apply", args=[upload.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "query"),
    [("api:class-result-list", {}), ("api:assessment-procedure-list", {})],
)
def test_api_lists_run_a_constant_number_of_queries(client, world, data, django_assert_max_num_queries, name, query):
    client.force_login(world.users["methodologist"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name), query).status_code == 200
    more = procedure_with_tasks(spec=[("1", 1, "basic"), ("2", 2, "basic"), ("3", 1, "basic")])
    classes = [
        SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter=letter) for letter in "БВГД"
    ]
    class_results_load(
        procedure=more,
        classes=[
            ClassResults(organisation=world.org_a, class_label=c.name, school_class=c,
                         students=[StudentRow(line=0, code=f"{c.pk}-{i}", scores=[1, 1, 0]) for i in range(3)])
            for c in classes
        ],
    )  # fmt: skip
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse(name), query)
    assert response.status_code == 200 and response.json()["count"] >= 3


def test_class_detail_runs_a_bounded_number_of_queries(client, world, data, django_assert_max_num_queries):
    client.force_login(world.users["methodologist"])
    assessment = data["classes"]["a"]
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assessments:class_detail", args=[assessment.pk]))
    class_results_load(
        procedure=data["shared"],
        classes=[
            ClassResults(organisation=world.org_a, class_label="6А", school_class=assessment.school_class,
                         students=[StudentRow(line=0, code=f"s{i}", scores=[1, i % 3]) for i in range(30)])
        ],
    )  # fmt: skip
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("assessments:class_detail", args=[assessment.pk]))
    assert response.status_code == 200 and "s29" in response.content.decode()


def test_the_api_detail_gives_codes_and_scores_never_names(client, world, data):
    client.force_login(world.users["methodologist"])
    body = client.get(reverse("api:class-result-detail", args=[data["classes"]["a"].pk])).json()
    assert body["students"] == [
        {"student_code": "a-1", "variant": "", "absent": False, "gender": "", "primary_score": 3, "stated_score": None,
         "mark": 2, "journal_mark": None, "scores": [1, 2]}
    ]  # fmt: skip
    assert [t["points"] for t in body["tasks"]] == [1, 2]
