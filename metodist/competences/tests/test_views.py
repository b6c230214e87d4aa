"""The competences pages as people use them: deciding a deficit, a teacher's own page, the filters, the report
and its figures (against an independent count), the export audit, extension points and query counts."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.accounts.choices import Role
from metodist.accounts.models import RoleAssignment
from metodist.competences import services
from metodist.competences.choices import DeficitSource, DeficitState
from metodist.competences.models import TeacherDeficit
from metodist.competences.panels import register_teacher_panel, unregister_teacher_panel
from metodist.competences.tests.factories import DeficitFactory, NodeFactory, small_standard
from metodist.core.models import DataExport
from metodist.registry.tests.factories import EmploymentFactory, PersonFactory, subject

pytestmark = pytest.mark.django_db


def _deficit(world, key="pa", **values):
    person = world.people()[key]
    organisation = {"pa": world.org_a, "pa2": world.org_a, "pb": world.org_b, "pc": world.org_c}[key]
    values.setdefault("node", NodeFactory())
    return DeficitFactory(person=person, organisation=organisation, **values)


# Deciding ------------------------------------------------------------------------------------------------


def test_methodologist_confirms_with_a_note_and_an_observation(client, world):
    deficit = _deficit(world)
    client.force_login(world.users["methodologist"])
    url = reverse("competences:deficit_decide", args=[deficit.pk])
    empty = client.post(url, {"decision": "confirm", "note": " "})
    assert empty.status_code == 200
    assert "Обязательное поле" in empty.content.decode() or str(services.NOTE_REQUIRED) in empty.content.decode()
    assert TeacherDeficit.objects.get(pk=deficit.pk).state == DeficitState.PROPOSED
    response = client.post(
        url, {"decision": "confirm", "note": "Посетила урок 14.10", "decision_ref": "diagnostics.Observation:17"}
    )
    assert response.status_code == 302
    deficit.refresh_from_db()
    assert (deficit.state, deficit.decision_note, deficit.decision_ref) == (
        DeficitState.CONFIRMED,
        "Посетила урок 14.10",
        "diagnostics.Observation:17",
    )
    assert deficit.decided_by == world.users["methodologist"]
    page = client.get(reverse("competences:deficit_detail", args=[deficit.pk])).content.decode()
    assert "Посетила урок 14.10" in page and "diagnostics.Observation:17" in page


def test_a_coordinator_who_is_the_teacher_cannot_decide_their_own(client, world):
    deficit = _deficit(world)
    teacher = world.users["teacher"]
    RoleAssignment.objects.create(user=teacher, role=Role.COORDINATOR, organisation=world.org_a)
    client.force_login(teacher)
    page = client.get(reverse("competences:deficit_detail", args=[deficit.pk]))
    assert page.status_code == 200 and 'data-testid="decide-form"' not in page.content.decode()
    response = client.post(
        reverse("competences:deficit_decide", args=[deficit.pk]), {"decision": "reject", "note": "x"}
    )
    assert response.status_code == 403
    assert TeacherDeficit.objects.get(pk=deficit.pk).state == DeficitState.PROPOSED


def test_closing_a_confirmed_deficit(client, world):
    deficit = _deficit(world)
    services.deficit_decide(deficit=deficit, user=world.users["coordinator"], confirm=True, note="Да")
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("competences:deficit_close", args=[deficit.pk]), {"note": "Повторная диагностика 80 %"}
    )
    assert response.status_code == 302
    assert TeacherDeficit.objects.get(pk=deficit.pk).state == DeficitState.CLOSED


# A teacher's page ----------------------------------------------------------------------------------------


def test_teacher_sees_own_deficits_read_only_and_never_others(client, world):
    nodes = small_standard()
    own = _deficit(world, node=nodes["A/01.6.ТД.1"], evidence="Своё основание")
    _deficit(world, "pa2", node=nodes["A/01.6.ТД.1"], evidence="Чужое основание")
    client.force_login(world.users["teacher"])
    response = client.get(reverse("competences:my_deficits"))
    assert response.status_code == 302 and response.url == reverse("competences:person_deficits", args=[world.pa.pk])
    page = client.get(response.url).content.decode()
    assert "Своё основание" in page and "Чужое основание" not in page
    assert "Подтвердить или отклонить" not in page
    assert client.get(reverse("competences:person_deficits", args=[world.pa2.pk])).status_code == 404
    assert client.get(reverse("competences:deficit_list")).status_code == 200
    assert client.get(reverse("competences:deficit_report")).status_code == 403  # a municipality's view
    assert client.get(reverse("competences:deficit_export")).status_code == 403
    assert f"/competences/deficits/{own.pk}/" in page


def test_my_deficits_without_a_profile_is_404(client, world):
    client.force_login(world.users["methodologist"])
    assert client.get(reverse("competences:my_deficits")).status_code == 404


def test_the_person_page_links_to_the_deficits(client, world):
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("registry:person_detail", args=[world.pa.pk])).content.decode()
    assert reverse("competences:person_deficits", args=[world.pa.pk]) in page
    client.force_login(world.users["mentor"])  # no right to deficits: no link on their own profile
    page = client.get(reverse("registry:person_detail", args=[world.pa2.pk])).content.decode()
    assert "/competences/people/" not in page


def test_other_apps_add_panels_to_the_teachers_page(client, world):
    seen = []

    def context(request, person):
        seen.append(person.pk)
        return {"weak": ["Задание 5"]} if person.pk == world.pa.pk else None

    template = engines["django"].from_string('<section>Слабые задания: {{ panel.weak|join:", " }}</section>')
    register_teacher_panel("test.weak", template=template, context=context, order=5)
    try:
        client.force_login(world.users["coordinator"])
        page = client.get(reverse("competences:person_deficits", args=[world.pa.pk])).content.decode()
        assert "Слабые задания: Задание 5" in page
        page = client.get(reverse("competences:person_deficits", args=[world.pa2.pk])).content.decode()
        assert "Слабые задания" not in page
    finally:
        unregister_teacher_panel("test.weak")
    assert seen == [world.pa.pk, world.pa2.pk]


# The list, its filters and the export --------------------------------------------------------------------


def test_filters_and_the_count(client, world):
    nodes = small_standard()
    maths = subject("Математика")
    _deficit(world, node=nodes["A/01.6.НУ.1"], state=DeficitState.CONFIRMED, decided_at="2025-10-01T10:00Z")
    _deficit(world, "pa2", node=nodes["A/02.6.ТД.1"], source=DeficitSource.SELF_ASSESSMENT)
    _deficit(world, "pb", node=nodes["ПМ-М.1"], subject=maths)
    _deficit(world, "pc", node=nodes["ПМ-М.1"], subject=maths)  # outside the methodologist's municipality
    client.force_login(world.users["methodologist"])

    def total(**query):
        response = client.get(reverse("competences:deficit_list"), query)
        assert response.status_code == 200
        return response.context["table"].paginator.count

    assert total() == 3
    assert total(state="confirmed") == 1
    assert total(source="self_assessment") == 1
    assert total(area="digital") == 1  # the skill's own tag
    assert total(area="methodological") == 1  # inherited from A/01.6
    assert total(area="communicative") == 1  # inherited from A/02.6
    assert total(subject=maths.pk) == 1
    assert total(organisation=world.org_a.pk) == 2
    assert total(organisation=world.org_c.pk) == 0  # out of scope: a form error, an empty list
    assert total(academic_year="garbage") == 0


def test_export_is_audited(client, world):
    _deficit(world, evidence="Основание для выгрузки")
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("competences:deficit_export"), {"format": "csv", "state": "proposed"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Основание для выгрузки" in body and "Области компетенций" in body
    entry = DataExport.objects.get()
    assert entry.user == world.users["coordinator"] and entry.row_count == 1 and "state=proposed" in entry.query
    assert client.get(reverse("competences:deficit_export"), {"format": "pdf"}).status_code == 400


# The report: figures against an independent count ---------------------------------------------------------


def test_report_figures_equal_a_count_over_the_raw_rows(client, world):
    nodes = small_standard()
    rng = random.Random(3)
    keys = ["pa", "pa2", "pb", "pc"]
    for index in range(40):
        _deficit(
            world,
            rng.choice(keys),
            node=rng.choice([n for n in nodes.values() if n.parent_id]),
            state=rng.choice(DeficitState.values),
            source_ref=f"r{index}",
            decided_at="2025-10-01T10:00Z",
            closed_at="2025-12-01T10:00Z",
        )
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("competences:deficit_report"))
    funnel = response.context["funnel"]
    in_scope = {world.pa.pk, world.pa2.pk, world.pb.pk}
    rows = [(p, s) for p, s in TeacherDeficit.objects.values_list("person_id", "state") if p in in_scope]
    assert funnel.surveyed == len({p for p, _ in rows})
    assert funnel.confirmed == len({p for p, s in rows if s in ("confirmed", "closed")})
    counts = Counter(s for _p, s in rows)
    assert (funnel.deficits_proposed, funnel.deficits_confirmed, funnel.deficits_rejected, funnel.deficits_closed) == (
        counts["proposed"],
        counts["confirmed"],
        counts["rejected"],
        counts["closed"],
    )
    page = response.content.decode()
    assert f'data-testid="funnel-3">{funnel.confirmed}<' in page


# Query counts: they do not grow with the rows ------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _many(world, count, start=0):
    nodes = small_standard() if start == 0 else None
    node_list = list(TeacherDeficit._meta.get_field("node").related_model.objects.filter(parent__isnull=False))
    for index in range(start, start + count):
        person = PersonFactory()
        EmploymentFactory(person=person, organisation=world.org_a)
        DeficitFactory(
            person=person,
            organisation=world.org_a,
            node=node_list[index % len(node_list)],
            state=DeficitState.CONFIRMED if index % 2 else DeficitState.PROPOSED,
            decided_at="2025-10-01T10:00Z",
            decided_by=world.users["methodologist"] if index % 2 else None,
        )
    return nodes


@pytest.mark.parametrize(
    "url_name", ["competences:deficit_list", "competences:deficit_report", "api:teacher-deficit-list"]
)
def test_list_query_counts_do_not_grow(client, world, url_name):
    _many(world, 5)
    client.force_login(world.users["methodologist"])
    url = reverse(url_name)
    few = _queries(client, url)
    _many(world, 30, start=5)
    assert _queries(client, url) == few


def test_teacher_page_and_tree_query_counts_do_not_grow(client, world):
    nodes = small_standard()
    client.force_login(world.users["coordinator"])
    for index, node in enumerate(list(nodes.values())[:3]):
        _deficit(world, node=node, source_ref=f"a{index}")
    person_url = reverse("competences:person_deficits", args=[world.pa.pk])
    tree_url = reverse("competences:framework_detail", args=[nodes["A"].framework_id])
    few_person, few_tree = _queries(client, person_url), _queries(client, tree_url)
    for index, node in enumerate(nodes.values()):
        _deficit(world, node=node, source_ref=f"b{index}")
        NodeFactory(framework=nodes["A"].framework, parent=nodes["A/01.6"])
    assert _queries(client, person_url) == few_person
    assert _queries(client, tree_url) == few_tree
