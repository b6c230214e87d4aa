"""Deficits as people work with them in a real browser: a methodologist finds a proposed deficit and confirms it
with a note after a lesson visit; a teacher opens their own deficits on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metodist.competences.choices import DeficitSource, DeficitState
from metodist.competences.models import TeacherDeficit
from metodist.competences.standard import load_professional_standard
from metodist.core.tests.browser.fixtures import menu_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}


def _deficits(world):
    standard = load_professional_standard()
    nodes = {n.code: n for n in standard.nodes.all()}
    proposed = TeacherDeficit.objects.create(
        person=world.pa,
        organisation=world.org_a,
        node=nodes["A/01.6.ТД.5"],
        source=DeficitSource.ASSESSMENT,
        source_ref="assessments.ClassTask:5",
        source_label="ВПР, математика, 5А",
        evidence="Задание 7: выполнили 31 % при пороге 60 %",
        academic_year=2025,
    )
    TeacherDeficit.objects.create(
        person=world.pa2,
        organisation=world.org_a,
        node=nodes["A/02.6.ТД.1"],
        source=DeficitSource.SELF_ASSESSMENT,
        source_ref="diagnostics.Answer:1",
        evidence="Чужой дефицит",
        academic_year=2025,
    )
    return proposed


def _no_page_overflow(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    viewport = min(inner, page.viewport_size["width"])
    assert width <= viewport + 1, f"the page scrolls sideways: {width}px wide in a {viewport}px window"


def test_methodologist_confirms_a_proposed_deficit_with_a_note(page, live_world, login, screenshot):
    deficit = _deficits(live_world)
    login(page, "methodologist")
    menu_link(page, "Дефициты педагогов").click()
    expect(page.get_by_test_id("total")).to_have_text("2")
    page.get_by_label("Состояние").select_option("proposed")
    page.get_by_label("Источник").select_option("assessment")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("total")).to_have_text("1")
    screenshot(page, "deficit-list")
    page.get_by_role("link", name="A/01.6.ТД.5").click()
    expect(page.get_by_test_id("state")).to_have_text("предложен")
    expect(page.get_by_text("Задание 7: выполнили 31 % при пороге 60 %")).to_be_visible()
    form = page.get_by_test_id("decide-form")
    form.get_by_label("Подтвердить дефицит").check()
    form.get_by_role("button", name="Сохранить решение").click()  # without a note: the browser asks for one
    expect(page.get_by_test_id("state")).to_have_text("предложен")
    form.get_by_label("Комментарий").fill("Посетила урок 14.10: анализ урока не проводится.")
    form.get_by_label("Основание (наблюдение урока)").fill("diagnostics.Observation:17")
    form.get_by_role("button", name="Сохранить решение").click()
    expect(page.get_by_text("Дефицит подтверждён.")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("подтверждён")
    expect(page.get_by_test_id("decision")).to_contain_text("Посетила урок 14.10")
    screenshot(page, "deficit-confirmed")
    deficit.refresh_from_db()
    assert deficit.state == DeficitState.CONFIRMED
    assert deficit.decision_note == "Посетила урок 14.10: анализ урока не проводится."
    assert deficit.decided_by.username == "methodologist"
    # The funnel now counts the teacher as confirmed.
    page.goto("/competences/deficits/report/")
    expect(page.get_by_test_id("funnel-1")).to_have_text("2")
    expect(page.get_by_test_id("funnel-3")).to_have_text("1")
    screenshot(page, "deficit-report")


def test_teacher_sees_own_deficits_on_a_phone(new_page, live_world, login, screenshot):
    _deficits(live_world)
    page = new_page(viewport=MOBILE, is_mobile=True, has_touch=True)
    login(page, "teacher")
    page.get_by_role("button", name="Меню").click()
    page.locator("#mainnav").get_by_role("link", name="Мои дефициты").click()
    expect(page.get_by_role("heading", name="Мои профессиональные дефициты")).to_be_visible()
    expect(page.get_by_text("Задание 7: выполнили 31 % при пороге 60 %")).to_be_visible()
    expect(page.get_by_text("Чужой дефицит")).to_have_count(0)
    expect(page.get_by_role("link", name="Подтвердить или отклонить")).to_have_count(0)
    expect(page.get_by_role("heading", name="методическая")).to_be_visible()
    _no_page_overflow(page)
    screenshot(page, "my-deficits-phone")
    page.get_by_role("link", name="A/01.6.ТД.5").click()
    expect(page.get_by_test_id("state")).to_have_text("предложен")
    expect(page.get_by_test_id("decide-form")).to_have_count(0)
    _no_page_overflow(page)


def test_the_standards_tree_searches_and_filters_by_area(page, live_world, login, screenshot):
    load_professional_standard()
    login(page, "coordinator")
    page.goto("/competences/frameworks/")
    page.get_by_role("link", name="Профессиональный стандарт «Педагог»").click()
    expect(page.get_by_test_id("scale")).to_contain_text("ниже 60")
    action = page.locator('.tree-item[data-code="A/01.6.ТД.3"]')
    expect(action).to_be_hidden()  # inside a closed labour function
    page.get_by_label("Поиск по рамке").fill("планирование уроков")
    expect(action).to_be_visible()  # its labour function opened
    expect(page.locator('.tree-item[data-code="A/02.6.ТД.1"]')).to_be_hidden()
    page.get_by_label("Поиск по рамке").fill("")
    page.get_by_label("Область компетенций").select_option("digital")
    expect(page.locator('.tree-item[data-code="A/01.6.НУ.5"]')).to_be_visible()
    expect(page.locator('.tree-item[data-code="A/02.6.ТД.1"]')).to_be_hidden()
    screenshot(page, "standard-tree")
    expect(page.get_by_role("link", name="Параметры")).to_have_count(0)  # coordinators read frameworks only
