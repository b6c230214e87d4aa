"""A methodologist loads a school's collection form in the browser: upload → preview → confirm → the class."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metodist.assessments.models import ClassAssessment
from metodist.assessments.tests.factories import procedure_with_tasks
from metodist.assessments.tests.files import collection_form, pupils
from metodist.registry.tests.factories import SchoolClassFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_methodologist_uploads_a_collection_form_sees_the_preview_confirms_and_sees_the_class(
    page, live_world, login, screenshot
):
    SchoolClassFactory(organisation=live_world.org_a, academic_year=2025, grade=6, letter="А")
    class_b = SchoolClassFactory(organisation=live_world.org_a, academic_year=2025, grade=6, letter="Б")
    procedure = procedure_with_tasks(title="ВПР 2025/26, математика, 6 класс")
    rows = pupils(14, seed=7, absent=2, x_mark="х")
    not_attempted = sum(1 for p in rows for s in p.scores if s == "х")

    login(page, "methodologist")
    # The menu has the item (it may sit in a dropdown section); the page is opened by its address.
    expect(page.locator("nav a[href='/assessments/']").first).to_have_text("Оценочные процедуры")
    page.goto("/assessments/")
    expect(page.get_by_role("heading", name="Оценочные процедуры")).to_be_visible()
    page.get_by_role("link", name="ВПР 2025/26, математика, 6 класс").click()
    page.get_by_role("link", name="Загрузить результаты").click()
    page.get_by_label("Школа").select_option(label=f"{live_world.org_a.short_name} ({live_world.m1.name})")
    page.locator("#id_file").set_input_files(
        files=[{"name": "Форма сбора 6 класс.xlsx", "mimeType": "application/octet-stream",
                "buffer": collection_form(rows)}]
    )  # fmt: skip
    screenshot(page, "assessments-upload")
    page.get_by_role("button", name="Проверить файл").click()

    expect(page.get_by_role("heading", name="Классы в файле")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("participants")).to_have_text("12")
    expect(page.get_by_test_id("absent")).to_have_text("2")
    expect(page.get_by_test_id("not-attempted")).to_have_text(str(not_attempted))
    select = page.get_by_label("Класс № 1 в файле")
    expect(select).to_have_value(str(select.locator("option", has_text="6А").get_attribute("value")))
    select.select_option(label="6Б")  # the file's class № 1 is in fact 6Б
    screenshot(page, "assessments-preview")
    page.get_by_role("button", name="Подтвердить загрузку").click()

    expect(page.get_by_role("heading", name="Загруженные классы")).to_be_visible(timeout=30_000)
    page.locator("#loaded").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=f"{live_world.org_a.short_name}, 6Б")).to_be_visible()
    expect(page.locator("#students tbody tr")).to_have_count(14)
    screenshot(page, "assessments-class")
    assessment = ClassAssessment.objects.get()
    assert assessment.school_class == class_b and assessment.procedure == procedure
    assert assessment.participants == 12 and assessment.absent == 2
