"""The diagnostics as people use them: a teacher fills the self-assessment on a phone; a coordinator records a
lesson observation with the card and confirms the deficit it checked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from metodist.competences.choices import DeficitState
from metodist.competences.models import TeacherDeficit
from metodist.core.tests.browser.fixtures import menu_link
from metodist.diagnostics import services
from metodist.diagnostics.choices import ParticipantState
from metodist.diagnostics.models import Observation, Participant, Result
from metodist.diagnostics.tests.factories import campaign_for, card_for, framework_with_nodes
from metodist.registry.tests.factories import SchoolClassFactory, TeachingAssignmentFactory, subject

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}


def _no_page_overflow(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    viewport = min(inner, page.viewport_size["width"])
    assert width <= viewport + 1, f"the page scrolls sideways: {width}px wide in a {viewport}px window"


@pytest.fixture
def diagnostic(live_world):
    framework, nodes = framework_with_nodes()
    campaign = campaign_for(
        [(live_world.pa, live_world.org_a), (live_world.pa2, live_world.org_a)],
        framework=framework,
        nodes=nodes,
        territory=live_world.m1,
        uses_observation=True,
        title="Диагностика учителей школы А",
    )
    return campaign, framework, nodes


def test_teacher_fills_the_self_assessment_on_a_phone(new_page, live_world, login, screenshot, diagnostic):
    campaign, _framework, nodes = diagnostic
    page = new_page(viewport=MOBILE, is_mobile=True, has_touch=True)
    login(page, "teacher")
    page.get_by_role("link", name="Диагностика учителей школы А").click()  # the dashboard reminds them
    expect(page.get_by_role("heading", name="Диагностика учителей школы А")).to_be_visible()
    expect(page.get_by_test_id("answered")).to_have_text("0 / 3")
    _no_page_overflow(page)
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(3)
    for index, point in enumerate((4, 1, 3)):
        question = questions.nth(index)
        question.locator("label.scale-point").nth(point).tap()
        expect(question.get_by_role("status")).to_contain_text("Сохранено")
        expect(page.get_by_test_id("answered")).to_have_text(f"{index + 1} / 3")
    questions.nth(1).get_by_text("Комментарий (по желанию)").tap()
    questions.nth(1).get_by_role("textbox").fill("Трудно с задачами на проценты")
    questions.nth(1).get_by_role("textbox").blur()
    expect(questions.nth(1).get_by_role("status")).to_contain_text("Сохранено")
    screenshot(page, "diagnostics-questionnaire-mobile")
    # the answers are kept: a reload shows them chosen
    page.reload()
    expect(page.get_by_test_id("answered")).to_have_text("3 / 3")
    expect(questions.nth(0).locator("input[type=radio]").nth(4)).to_be_checked()
    page.get_by_role("button", name="Отправить анкету").tap()
    expect(page.get_by_text("Анкета отправлена. Спасибо!")).to_be_visible()
    expect(page.locator(".list-group-item .badge")).to_have_text("анкета отправлена")
    _no_page_overflow(page)
    participant = Participant.objects.get(campaign=campaign, person=live_world.pa)
    assert participant.state == ParticipantState.SUBMITTED
    assert {(r.node_id, r.level) for r in Result.objects.filter(participant=participant)} == {
        (nodes[0].pk, Decimal(4)),
        (nodes[1].pk, Decimal(1)),
        (nodes[2].pk, Decimal(3)),
    }
    deficit = TeacherDeficit.objects.get(person=live_world.pa)
    assert deficit.node == nodes[1] and deficit.state == DeficitState.PROPOSED
    assert "Трудно с задачами на проценты" in deficit.evidence


def test_coordinator_records_an_observation_and_confirms_the_deficit(page, live_world, login, screenshot, diagnostic):
    campaign, framework, nodes = diagnostic
    card_for(territory=live_world.m1, framework=framework, nodes=nodes[:2], title="Карта урока математики")
    school_class = SchoolClassFactory(organisation=live_world.org_a, academic_year=2025, grade=6, letter="А")
    TeachingAssignmentFactory(person=live_world.pa, school_class=school_class, subject=subject("Математика"))
    participant = Participant.objects.get(campaign=campaign, person=live_world.pa)
    for node, level in zip(nodes, (1, 4, 4), strict=True):
        services.Answer.objects.create(participant=participant, node=node, level=level)
    services.self_assessment_results(
        participant=participant, author=None, submitted_at=datetime.datetime(2025, 9, 5, 12, tzinfo=datetime.UTC)
    )
    deficit = TeacherDeficit.objects.get(person=live_world.pa)

    login(page, "coordinator")
    menu_link(page, "Наблюдения уроков").click()
    page.get_by_role("link", name="Новое наблюдение").click()
    page.get_by_label("Педагог").select_option(label=live_world.pa.full_name)
    page.get_by_role("button", name="Дальше").click()
    page.get_by_label("Карта наблюдения").select_option(label="Карта урока математики")
    page.get_by_label("Кампания").select_option(label=campaign.title)
    page.get_by_label("Дата урока").fill("2025-09-20")
    page.get_by_label("Класс").select_option(label=str(school_class))
    page.get_by_label("Тема урока").fill("Задачи на проценты")
    page.get_by_label(f"{nodes[0].code}", exact=False).check()
    page.get_by_role("button", name="Сохранить и перейти к карте").click()
    expect(page.get_by_text("Наблюдение сохранено")).to_be_visible()

    criteria = page.locator("fieldset.criterion")
    expect(criteria).to_have_count(3)
    criteria.nth(0).get_by_text("0", exact=True).click()
    criteria.nth(0).get_by_role("textbox").fill("Задача решена учителем у доски")
    criteria.nth(1).get_by_text("2", exact=True).click()
    criteria.nth(2).get_by_text("1", exact=True).click()
    screenshot(page, "diagnostics-observation-card")
    page.get_by_role("button", name="Завершить наблюдение").click()
    expect(page.get_by_text("Наблюдение завершено")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("завершено")

    # two on this indicator: the self-assessment's, checked on the lesson, and the one the lesson itself proposed
    expect(page.locator(".deficit", has_text=nodes[0].code)).to_have_count(2)
    block = page.locator(f'.deficit[data-deficit-id="{deficit.pk}"]')
    expect(block.get_by_test_id("deficit-state")).to_have_text("предложен")
    block.get_by_label("Комментарий к решению").fill("На уроке подтвердилось: работа с задачей не организована")
    block.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Дефицит подтверждён.")).to_be_visible()
    expect(block.get_by_test_id("deficit-state")).to_have_text("подтверждён")
    screenshot(page, "diagnostics-observation-decided")
    observation = Observation.objects.get()
    deficit.refresh_from_db()
    assert deficit.state == DeficitState.CONFIRMED
    proposed_by_lesson = TeacherDeficit.objects.get(person=live_world.pa, source="observation")
    assert proposed_by_lesson.node == nodes[0] and proposed_by_lesson.level == Decimal(0)
    assert deficit.decision_ref == f"diagnostics.Observation:{observation.pk}"
    assert observation.school_class == school_class and observation.observer.username == "coordinator"
