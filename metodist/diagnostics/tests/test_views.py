"""The diagnostics' pages as users meet them: figures checked against a separate computation, the
questionnaire by htmx, the test file (good and bad), the export, the permission matrix and query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from metodist.competences.models import TeacherDeficit
from metodist.core.models import DataExport
from metodist.core.tests.fixtures import EXPECTED_SCOPE
from metodist.diagnostics.choices import Method, ParticipantState
from metodist.diagnostics.models import Answer, Campaign, CardTemplate, Observation, Participant, Result
from metodist.diagnostics.testimport import INDICATOR_UNKNOWN, LEVEL_OUT_OF_SCALE, PERSON_UNKNOWN
from metodist.registry.tests.factories import EmploymentFactory, PersonFactory

from .factories import START, campaign_for, card_for, framework_with_nodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    framework, nodes = framework_with_nodes()
    campaign = campaign_for(
        [(world.pa, world.org_a), (world.pa2, world.org_a), (world.pb, world.org_b), (world.pc, world.org_c)],
        framework=framework,
        nodes=nodes,
        territory=world.m1,
        uses_test=True,
        uses_observation=True,
    )
    card = card_for(territory=world.m1, framework=framework, nodes=nodes[:1])
    return campaign, framework, nodes, card


def _result(campaign, person, org, node, level, method=Method.TEST):
    participant = Participant.objects.get(campaign=campaign, person=person)
    return Result.objects.create(
        campaign=campaign,
        participant=participant,
        person=person,
        organisation=org,
        node=node,
        method=method,
        level=Decimal(level),
        threshold=campaign.framework.proficiency_threshold,
        measured_on=START,
    )


def _login(client, world, role):
    client.force_login(world.users[role])


# Figures -------------------------------------------------------------------------------------------


def test_campaign_figures_match_a_separate_computation(client, world, setup):
    campaign, framework, nodes, _card = setup
    levels = {
        (world.pa, world.org_a): [1, 3, 4],
        (world.pa2, world.org_a): [2, 2, 0],
        (world.pb, world.org_b): [4, 1, 3],
        (world.pc, world.org_c): [0, 0, 0],  # school C lies outside the methodologist's municipality
    }
    for (person, org), values in levels.items():
        for node, level in zip(nodes, values, strict=True):
            _result(campaign, person, org, node, level)
    Participant.objects.filter(person=world.pa).update(state=ParticipantState.SUBMITTED, submitted_at=timezone.now())
    Answer.objects.create(participant=Participant.objects.get(person=world.pa2), node=nodes[0], level=1)
    for role, visible in (
        ("methodologist", [world.pa, world.pa2, world.pb]),
        ("coordinator", [world.pa, world.pa2]),
        ("admin", [world.pa, world.pa2, world.pb, world.pc]),
    ):
        _login(client, world, role)
        page = client.get(reverse("diagnostics:campaign_detail", args=[campaign.pk]))
        assert page.status_code == 200
        summary = page.context["summary"]
        threshold = 3
        for index, node in enumerate(nodes):
            expected = [levels[(p, o)][index] for (p, o) in levels if p in visible]
            row = next(r for r in summary if r.node == node and r.method == Method.TEST)
            assert row.count == len(expected)
            assert row.below == sum(1 for v in expected if v < threshold)
            assert row.average == (Decimal(sum(expected)) / len(expected)).quantize(Decimal("0.1"))
        progress = page.context["progress"]
        assert progress.invited == len(visible)
        assert progress.submitted == (1 if world.pa in visible else 0)
        assert progress.answered == sum(1 for p in (world.pa, world.pa2) if p in visible)
        below = {(r.person_id, r.node_id) for r in page.context["below"]}
        assert below == {
            (p.pk, nodes[i].pk)
            for (p, _o), values in levels.items()
            if p in visible
            for i, v in enumerate(values)
            if v < 3
        }
        assert "Порог освоения" in page.content.decode()


# The questionnaire -----------------------------------------------------------------------------------


def test_teacher_fills_the_questionnaire_by_htmx_and_submits(client, world, setup):
    campaign, framework, nodes, _card = setup
    participant = Participant.objects.get(campaign=campaign, person=world.pa)
    _login(client, world, "teacher")
    Answer.objects.create(
        participant=Participant.objects.get(campaign=campaign, person=world.pa), node=nodes[2], level=2
    )
    page = client.get(reverse("diagnostics:my_diagnostics"))
    assert campaign.title in page.content.decode()
    assert "ответов 1 из 3" in page.content.decode()
    Answer.objects.filter(node=nodes[2]).delete()
    url = reverse("diagnostics:questionnaire", args=[participant.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["editable"]
    answer_url = reverse("diagnostics:answer_save", args=[participant.pk])
    reply = client.post(answer_url, {"node": nodes[0].pk, f"level_{nodes[0].pk}": "1"}, HTTP_HX_REQUEST="true")
    assert "Сохранено" in reply.content.decode() and "1 / 3" in reply.content.decode()
    reply = client.post(answer_url, {"node": nodes[1].pk, f"level_{nodes[1].pk}": "9"}, HTTP_HX_REQUEST="true")
    assert "от 0 до 4" in reply.content.decode()
    response = client.post(
        url,
        {
            f"level_{nodes[1].pk}": "4",
            f"level_{nodes[2].pk}": "2",
            f"comment_{nodes[2].pk}": "нужны курсы",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.state == ParticipantState.SUBMITTED
    assert set(TeacherDeficit.objects.filter(person=world.pa).values_list("node_id", flat=True)) == {
        nodes[0].pk,
        nodes[2].pk,
    }
    # nobody reaches another teacher's questionnaire
    other = Participant.objects.get(campaign=campaign, person=world.pb)
    assert client.get(reverse("diagnostics:questionnaire", args=[other.pk])).status_code == 404
    _login(client, world, "methodologist")
    assert client.get(url).status_code == 404
    assert client.post(answer_url, {"node": nodes[0].pk, f"level_{nodes[0].pk}": "1"}).status_code == 404


# The test file -----------------------------------------------------------------------------------------


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    handle.name = "test.xlsx"
    return handle


def test_test_file_bad_rows_listed_and_nothing_written(client, world, setup):
    campaign, framework, nodes, _card = setup
    world.pa.snils = "112-233-445 95"
    world.pa.save()
    _login(client, world, "methodologist")
    url = reverse("diagnostics:campaign_test_upload", args=[campaign.pk])
    bad = _xlsx(
        [
            ["СНИЛС", "ФИО", "Организация", "Код показателя", "Уровень"],
            ["112-233-445 95", "", "", "TEST-FW.1", "2"],
            ["", "Васильева Мария Петровна", "Школа В", "TEST-FW.1", "2"],  # out of scope: same answer as unknown
            ["", world.pa2.full_name, "Школа А", "XX.9", "2"],
            ["", world.pa2.full_name, "Школа А", "TEST-FW.2", "7"],
        ]
    )
    page = client.post(url, {"file": bad, "measured_on": "2025-09-10"})
    assert page.status_code == 200
    errors = [(e.line, e.column, e.reason) for e in page.context["check"].errors]
    assert errors == [
        (3, "ФИО", str(PERSON_UNKNOWN)),
        (4, "Код показателя", str(INDICATOR_UNKNOWN) % {"code": "XX.9"}),
        (5, "Уровень", str(LEVEL_OUT_OF_SCALE) % {"value": "7", "min": "0", "max": "4"}),
    ]
    assert not Result.objects.exists()
    good = _xlsx(
        [
            ["Результаты тестирования"],
            ["СНИЛС", "ФИО", "Организация", "Код показателя", "Уровень", "Комментарий"],
            ["11223344595", "", "", "tEST-fw.1", "2,5", "вариант 2"],
            ["", world.pa2.full_name, "Школа А", "TEST-FW.2", 4, ""],
        ]
    )
    response = client.post(url, {"file": good, "measured_on": "2025-09-10"})
    assert response.status_code == 302
    results = {(r.person_id, r.node_id): r.level for r in Result.objects.all()}
    assert results == {(world.pa.pk, nodes[0].pk): Decimal("2.5"), (world.pa2.pk, nodes[1].pk): Decimal(4)}
    assert TeacherDeficit.objects.filter(person=world.pa, node=nodes[0]).exists()
    # a coordinator may load only into campaigns of their own school
    _login(client, world, "coordinator")
    assert client.get(url).status_code == 404


def test_export_is_audited_and_holds_the_visible_results(client, world, setup):
    campaign, framework, nodes, _card = setup
    _result(campaign, world.pa, world.org_a, nodes[0], 1)
    _result(campaign, world.pc, world.org_c, nodes[0], 1)
    _login(client, world, "methodologist")
    response = client.get(reverse("diagnostics:campaign_export", args=[campaign.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Педагог", "Организация", "Код показателя")
    assert [r[0] for r in rows[1:]] == [world.pa.full_name]
    entry = DataExport.objects.get()
    assert entry.row_count == 1 and entry.outcome == DataExport.Outcome.DONE
    _login(client, world, "teacher")
    assert client.get(reverse("diagnostics:campaign_export", args=[campaign.pk])).status_code == 403


# Permissions --------------------------------------------------------------------------------------------

ROLES = sorted(EXPECTED_SCOPE)


@pytest.mark.parametrize("role", ROLES)
def test_campaign_pages_by_role(client, world, setup, role):
    campaign, _framework, _nodes, _card = setup
    outside = campaign_for(
        [(world.pc, world.org_c)],
        framework=campaign.framework,
        nodes=list(campaign.indicators.all()),
        territory=world.m2,
    )
    outside.title = "Чужая кампания"
    outside.save()
    _login(client, world, role)
    people = EXPECTED_SCOPE[role]["people"]
    sees_m1 = role != "nobody"  # school C's teacher takes part too: the association head sees it through her
    detail = client.get(reverse("diagnostics:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == (200 if sees_m1 else 404), role
    detail_out = client.get(reverse("diagnostics:campaign_detail", args=[outside.pk]))
    sees_m2 = role in {"admin", "region_observer", "association_head"}
    assert detail_out.status_code == (200 if sees_m2 else 404), role
    listing = client.get(reverse("diagnostics:campaign_list")).content.decode()
    assert (campaign.title in listing) == sees_m1, role
    assert ("Чужая кампания" in listing) == sees_m2, role
    if detail.status_code == 200:
        shown = {p.person_id for p in detail.context["participants"]}
        expected = {getattr(world, name).pk for name in people} & {world.pa.pk, world.pa2.pk, world.pb.pk, world.pc.pk}
        assert shown == expected, role
    export = client.get(reverse("diagnostics:campaign_export", args=[campaign.pk]))
    may_export = role in {"admin", "methodologist", "observer", "region_observer", "coordinator"}
    assert export.status_code == (200 if may_export else 403), role
    opening = client.post(reverse("diagnostics:campaign_close", args=[campaign.pk]))
    assert opening.status_code == (302 if role in {"admin", "methodologist"} else 404 if sees_m1 else 404), role


@pytest.mark.parametrize("role", ROLES)
def test_observation_pages_by_role(client, world, setup, role):
    campaign, framework, nodes, card = setup
    in_a = Observation.objects.create(
        template=card,
        observer=world.users["methodologist"],
        person=world.pa,
        organisation=world.org_a,
        lesson_date=datetime.date(2025, 9, 20),
        topic="Тема А",
    )
    in_c = Observation.objects.create(
        template=card,
        observer=world.users["admin"],
        person=world.pc,
        organisation=world.org_c,
        lesson_date=datetime.date(2025, 9, 21),
        topic="Тема В",
    )
    _login(client, world, role)
    sees_a = role in {"admin", "methodologist", "observer", "region_observer", "coordinator", "teacher"}
    sees_c = role in {"admin", "region_observer", "association_head"}
    assert client.get(in_a.get_absolute_url()).status_code == (200 if sees_a else 404), role
    assert client.get(in_c.get_absolute_url()).status_code == (200 if sees_c else 404), role
    listing = client.get(reverse("diagnostics:observation_list")).content.decode()
    assert ("Тема А" in listing or world.pa.full_name in listing) == sees_a, role
    edit = client.get(reverse("diagnostics:observation_edit", args=[in_a.pk]))
    may_change = role in {"admin", "methodologist", "coordinator"}
    never = role in {"observer", "region_observer", "teacher", "mentor", "association_head", "nobody"}
    assert edit.status_code == (200 if may_change else 403 if never else 404), role


@pytest.mark.parametrize("role", ROLES)
def test_card_templates_by_role(client, world, setup, role):
    _campaign, _framework, _nodes, card = setup
    _login(client, world, role)
    sees = role in {
        "admin",
        "methodologist",
        "observer",
        "region_observer",
        "coordinator",
        "teacher",
        "mentor",
        "expert",
    }
    assert client.get(card.get_absolute_url()).status_code == (200 if sees else 404), role
    edit = client.get(reverse("diagnostics:card_edit", args=[card.pk]))
    if role in {"admin", "methodologist"}:
        assert edit.status_code == 200
    else:
        assert edit.status_code in {403, 404}, role
    create = client.get(reverse("diagnostics:card_create"))
    assert create.status_code == (200 if role in {"admin", "methodologist"} else 403), role


# Query counts -----------------------------------------------------------------------------------------


def _more_people(world, campaign, count):
    for _ in range(count):
        person = PersonFactory()
        EmploymentFactory(person=person, organisation=world.org_a)
        Participant.objects.create(campaign=campaign, person=person, organisation=world.org_a)
        _result(campaign, person, world.org_a, campaign.indicators.first(), 1)


@pytest.mark.parametrize(
    "name,args",
    [
        ("diagnostics:campaign_list", False),
        ("diagnostics:campaign_detail", True),
        ("diagnostics:observation_list", False),
        ("diagnostics:my_diagnostics", False),
    ],
)
def test_query_count_does_not_grow_with_rows(client, world, setup, django_assert_max_num_queries, name, args):
    campaign, _framework, _nodes, card = setup
    url = reverse(name, args=[campaign.pk] if args else [])
    _login(client, world, "methodologist")

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _more_people(world, campaign, 2)
    few = count_queries()
    _more_people(world, campaign, 15)
    for person in Participant.objects.filter(campaign=campaign).values_list("person", flat=True)[:10]:
        Observation.objects.create(
            template=card,
            observer=world.users["methodologist"],
            person_id=person,
            organisation=world.org_a,
            lesson_date=datetime.date(2025, 9, 22),
        )
    assert count_queries() <= few + 1  # the first page may add one query for a new kind of row
    with django_assert_max_num_queries(30):
        client.get(url)


def test_methodologist_creates_a_campaign_and_a_card_through_the_pages(client, world):
    framework, nodes = framework_with_nodes(code="NEW")
    _login(client, world, "methodologist")
    url = reverse("diagnostics:campaign_create")
    assert client.get(url, {"framework": framework.pk}).status_code == 200
    data = {
        "framework": framework.pk,
        "title": "Диагностика молодых",
        "territory": world.m1.pk,
        "starts_on": "2025-09-01",
        "ends_on": "2025-09-30",
        "uses_self_assessment": "on",
        "indicators": [nodes[0].pk, nodes[2].pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get(title="Диагностика молодых")
    assert list(campaign.indicators.order_by("position")) == [nodes[0], nodes[2]]
    assert set(campaign.participants.values_list("person_id", flat=True)) == {world.pa.pk, world.pa2.pk, world.pb.pk}
    # a municipality outside the scope is not offered, and a bad period is reported
    bad = client.post(url, {**data, "territory": world.m2.pk, "ends_on": "2025-08-01"})
    assert bad.status_code == 200 and "territory" in bad.context["form"].errors

    card_url = reverse("diagnostics:card_create")
    form = {
        "title": "Карта посещения",
        "purpose": "lesson",
        "territory": world.m1.pk,
        "framework": framework.pk,
        "is_active": "on",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "60",
        "criteria-0-title": "Цель урока",
        "criteria-0-node_code": "new.1",
        "criteria-0-scale_min": "0",
        "criteria-0-scale_max": "3",
        "criteria-0-scale_labels": "нет; слабо; частично; полностью",
        "criteria-1-title": "Неизвестный показатель",
        "criteria-1-node_code": "NEW.99",
        "criteria-1-scale_min": "0",
        "criteria-1-scale_max": "2",
    }
    page = client.post(card_url, form)
    assert page.status_code == 200
    assert "Показателя «NEW.99» нет в рамке карты." in page.content.decode()
    form["criteria-1-node_code"] = ""
    assert client.post(card_url, form).status_code == 302
    card = CardTemplate.objects.get(title="Карта посещения")
    first = card.criteria.order_by("position").first()
    assert (first.node, first.scale_max, first.scale_labels) == (nodes[0], 3, ["нет", "слабо", "частично", "полностью"])
    _login(client, world, "coordinator")
    assert client.post(card_url, form).status_code == 403


def test_teachers_deficits_page_shows_the_diagnostics_panel(client, world, setup):
    campaign, _framework, nodes, card = setup
    _result(campaign, world.pa, world.org_a, nodes[0], 1)
    Observation.objects.create(
        template=card,
        observer=world.users["methodologist"],
        person=world.pa,
        organisation=world.org_a,
        lesson_date=datetime.date(2025, 9, 20),
    )
    _login(client, world, "coordinator")
    page = client.get(reverse("competences:person_deficits", args=[world.pa.pk])).content.decode()
    assert 'data-testid="diagnostics-panel"' in page
    assert campaign.title in page and "ниже порога: 1" in page and "20.09.2025" in page
    _login(client, world, "coordinator")
    other = client.get(reverse("competences:person_deficits", args=[world.pb.pk]))
    assert other.status_code == 404
