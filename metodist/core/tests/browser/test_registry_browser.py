"""The registry as its users work with it: a methodologist finding and exporting people, a coordinator
adding a teacher, the pages on a phone, and loading a staff list from a spreadsheet."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from metodist.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}  # an iPhone 12-15 in portrait

# A СНИЛС with a wrong checksum and the same number with the right one (123-456-789 → 64).
BAD_SNILS = "123-456-789 00"
GOOD_SNILS = "123-456-789 64"


def _nav(page):
    return page.locator("#mainnav")


def _card(page, heading: str):
    """The card of a detail page whose heading is ``heading``."""
    return page.locator(".card").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _term(page, term: str):
    """The value (``<dd>``) of ``term`` in a description list."""
    return page.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def _column(page, index: int) -> list[str]:
    return [text.strip() for text in page.locator(f"table tbody tr td:nth-child({index})").all_inner_texts()]


def _no_page_overflow(page) -> None:
    """Nothing sticks out of the window. A phone zooms out to show an overflowing page, which widens
    ``window.innerWidth`` too, so the width is compared with the viewport the test asked for."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    viewport = min(inner, page.viewport_size["width"])
    assert width <= viewport + 1, f"the page scrolls sideways: {width}px wide in a {viewport}px window"


def test_methodologist_finds_sorts_opens_and_exports_people(page, live_world, login, screenshot):
    # Different ages so that sorting by age is not the alphabetical order: Архипова is the youngest.
    Person.objects.filter(pk=live_world.pa.pk).update(birth_date=datetime.date(1971, 2, 3))
    Person.objects.filter(pk=live_world.pa2.pk).update(birth_date=datetime.date(1994, 6, 7))

    login(page, "methodologist")
    expect(page.locator("[data-figure=people]")).to_have_text("3")
    expect(page.locator("[data-figure=organisations]")).to_have_text("2")
    expect(page.get_by_text("Методист ММС — Первый район")).to_be_visible()
    screenshot(page, "dashboard-desktop")

    _nav(page).get_by_role("link", name="Педагоги", exact=True).click()
    expect(page.get_by_role("heading", name="Педагогические работники")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("3")
    expect(_nav(page).locator(".nav-link.active")).to_have_text("Педагоги")
    _no_page_overflow(page)
    screenshot(page, "people-desktop")

    # The organisation filter is a search box (tom-select) fed by the scoped autocomplete endpoint.
    page.get_by_role("combobox", name="Организация").fill("Школа")
    page.get_by_role("option", name="Школа А").click()
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("total")).to_have_text("2")
    expect(page.locator("table tbody tr")).to_have_count(2)
    assert _column(page, 1) == ["Аничкова Мария Петровна", "Архипова Мария Петровна"]
    expect(page.locator("table tbody")).not_to_contain_text("Борисова")
    expect(page.locator("select#id_organisation")).to_have_value(str(live_world.org_a.pk))

    page.get_by_role("columnheader", name="Возраст").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=age(&|$)"))
    assert f"organisation={live_world.org_a.pk}" in page.url, "sorting lost the filter"
    expect(page.locator("table tbody tr").first).to_contain_text("Архипова")
    ages = [int(age) for age in _column(page, 4)]
    assert ages == sorted(ages), ages
    page.get_by_role("columnheader", name="Возраст").get_by_role("link").click()
    expect(page.locator("table tbody tr").first).to_contain_text("Аничкова")

    page.get_by_role("link", name="Архипова Мария Петровна").click()
    expect(page).to_have_url(f"/registry/people/{live_world.pa2.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Архипова Мария Петровна")
    expect(_card(page, "Места работы")).to_contain_text("Школа А")
    expect(_term(page, "Дата рождения")).to_contain_text("07.06.1994")

    page.go_back()
    expect(page.get_by_test_id("total")).to_have_text("2")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("pedagogi-")
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:  # the saved download has no .xlsx suffix for openpyxl to check
        header, *rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    column = {name: index for index, name in enumerate(header)}
    assert {"Фамилия", "Имя", "Отчество", "Организация", "Должность"} <= set(column)
    assert [row[column["Фамилия"]] for row in rows] == ["Аничкова", "Архипова"]
    assert {row[column["Организация"]] for row in rows} == {"Школа А"}
    assert {row[column["Должность"]] for row in rows} == {"Учитель"}


def test_coordinator_adds_a_teacher_and_their_courses(page, live_world, login):
    today = timezone.localdate()
    login(page, "coordinator")
    _nav(page).get_by_role("link", name="Педагоги", exact=True).click()
    page.get_by_role("link", name="Добавить").click()
    expect(page).to_have_url("/registry/people/add/")
    expect(page.get_by_role("heading", name="Новый педагог")).to_be_visible()

    page.locator("#id_person-last_name").fill("Григорьева")
    page.locator("#id_person-first_name").fill("Анна")
    page.locator("#id_person-patronymic").fill("Сергеевна")
    page.locator("#id_person-gender").select_option(label="Женский")
    page.locator("#id_person-birth_date").fill(f"{today.year - 26}-04-12")
    page.locator("#id_person-experience_start").fill(f"{today - datetime.timedelta(days=200):%Y-%m-%d}")
    page.locator("#id_person-snils").fill(BAD_SNILS)
    page.locator("#id_employment-organisation").select_option(label="Школа А")
    page.locator("#id_employment-position").select_option(label="Учитель")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_text("СНИЛС должен состоять из 11 цифр и иметь верную контрольную сумму.")).to_be_visible()
    expect(page.locator("#id_person-last_name")).to_have_value("Григорьева")
    assert not Person.objects.filter(last_name="Григорьева").exists()

    page.locator("#id_person-snils").fill(GOOD_SNILS)
    page.get_by_role("button", name="Сохранить").click()
    # A coordinator's new teacher waits for the methodologist (the same answer whether or not the person
    # exists elsewhere); the coordinator sees the request among the ones they sent.
    expect(page.get_by_role("alert")).to_contain_text("переданы на подтверждение методисту")
    assert not Person.objects.filter(last_name="Григорьева").exists()

    page.context.clear_cookies()
    login(page, "methodologist")
    _nav(page).get_by_role("link", name="Заявки на подтверждение").click()
    page.get_by_role("link", name="Григорьева Анна Сергеевна").click()
    expect(page.locator("body")).to_contain_text(GOOD_SNILS)
    page.get_by_role("button", name="Подтвердить нового педагога").click()
    expect(page.get_by_role("alert")).to_contain_text("Григорьева")
    person = Person.objects.get(last_name="Григорьева")

    page.context.clear_cookies()
    login(page, "coordinator")
    page.goto(f"/registry/people/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Григорьева Анна Сергеевна")
    expect(page.get_by_role("heading", level=1)).to_contain_text("молодой педагог")
    expect(_term(page, "СНИЛС")).to_have_text(GOOD_SNILS)
    expect(_card(page, "Места работы")).to_contain_text("Школа А")

    # The employment: subjects and grades, then a category, which needs the date it was given.
    _card(page, "Места работы").get_by_title("Изменить").click()
    page.get_by_label("Предметы").select_option(label=["Математика"])
    page.get_by_label("Классы (параллели)").fill("5-7, 9")
    page.get_by_label("Квалификационная категория").select_option(label="Первая")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Укажите дату присвоения категории.")).to_be_visible()
    page.get_by_label("Дата присвоения категории").fill(f"{today - datetime.timedelta(days=30):%Y-%m-%d}")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert")).to_contain_text("Место работы сохранено.")
    employments = _card(page, "Места работы")
    expect(employments).to_contain_text("Математика")
    expect(employments).to_contain_text("классы: 5, 6, 7, 9")
    expect(employments).to_contain_text("Первая")

    # A course of further training, added from the «Повышение квалификации» card.
    courses = _card(page, "Повышение квалификации")
    expect(courses).to_contain_text("Курсов нет.")
    expect(_term(page, "Курсы за 3 года")).to_have_text("нет")
    courses.get_by_role("link", name="+ добавить").click()
    expect(page.get_by_role("heading", name="Пройденные курсы")).to_be_visible()
    page.get_by_label("Организация, проводившая обучение").fill("Институт развития образования")
    page.get_by_label("Программа").fill("Функциональная грамотность школьников")
    page.get_by_label("Объём, часов").fill("36")
    page.get_by_label("Начало").fill(f"{today - datetime.timedelta(days=60):%Y-%m-%d}")
    page.get_by_label("Окончание").fill(f"{today - datetime.timedelta(days=50):%Y-%m-%d}")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert")).to_contain_text("Курсы добавлены.")
    expect(courses).to_contain_text("Функциональная грамотность школьников")
    expect(_term(page, "Курсы за 3 года")).to_have_text("есть")

    _nav(page).get_by_role("link", name="Педагоги", exact=True).click()
    expect(page.get_by_test_id("total")).to_have_text("3")
    expect(page.get_by_role("link", name="Григорьева Анна Сергеевна")).to_be_visible()


def test_mobile_menu_and_scrollable_people_table(new_page, live_world, login, screenshot):
    page = new_page(viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login(page, "methodologist")
    _no_page_overflow(page)
    screenshot(page, "dashboard-mobile")

    toggler = page.get_by_role("button", name="Меню")
    expect(toggler).to_be_visible()
    people_link = _nav(page).get_by_role("link", name="Педагоги", exact=True)
    expect(people_link).to_be_hidden()
    toggler.click()
    expect(people_link).to_be_visible()
    expect(_nav(page).get_by_role("link", name="Организации", exact=True)).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    people_link.click()

    expect(page.get_by_role("heading", name="Педагогические работники")).to_be_visible()
    expect(people_link).to_be_hidden()
    expect(page.locator("table tbody tr")).to_have_count(3)
    _no_page_overflow(page)
    wrapper = page.locator(".table-responsive").filter(has=page.locator("table"))
    scroll_width, client_width, overflow = wrapper.evaluate(
        "e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]"
    )
    assert overflow == "auto"
    assert scroll_width > client_width, "the table fits the phone: nothing to check"
    assert wrapper.evaluate("e => { e.scrollLeft = 200; return e.scrollLeft }") > 0
    wrapper.evaluate("e => { e.scrollLeft = 0 }")
    screenshot(page, "people-mobile")


def _staff_list(template: bytes, people: list[dict[str, object]]) -> bytes:
    """A staff list written the way a coordinator would: the template's header row, then one row a person."""
    header = [cell.value for cell in load_workbook(io.BytesIO(template))["Список"][1]]
    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    sheet.append(header)
    for person in people:
        unknown = set(person) - set(header)
        assert not unknown, f"the template has no columns {unknown}; it has {header}"
        sheet.append([person.get(title) for title in header])
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def test_coordinator_loads_a_staff_list_from_the_template(page, live_world, login, screenshot):
    login(page, "coordinator")
    _nav(page).get_by_role("link", name="Загрузка списков").click()
    expect(page).to_have_url("/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Загрузка списков из Excel и CSV")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Шаблон списка работников").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        template = file.read()
    content = _staff_list(
        template,
        [
            {
                "Фамилия": "Дмитриева",
                "Имя": "Ольга",
                "Отчество": "Николаевна",
                "Дата рождения": datetime.date(1990, 3, 12),
                "Должность": "Учитель",
                "Предметы": "Математика",
                "Классы": "5-9",
                "Категория": "высшая",
                "Дата присвоения категории": datetime.date(2024, 2, 1),
            },
            {
                "Фамилия": "Егорова",
                "Имя": "Ирина",
                "Отчество": "Павловна",
                "Дата рождения": "04.11.1978",
                "Должность": "Педагог-психолог",
                "Категория": "без категории",
            },
        ],
    )

    expect(page.get_by_label("Список педагогических работников")).to_be_checked()
    expect(page.get_by_label("Организация")).to_have_value(str(live_world.org_a.pk))
    page.get_by_label("Файл").set_input_files(
        files=[
            {
                "name": "spisok-shkola-a.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ]
    )
    page.get_by_role("button", name="Проверить файл").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Список педагогических работников")
    expect(page.get_by_text("spisok-shkola-a.xlsx").first).to_be_visible()
    expect(page.get_by_text("Проверен, ждёт подтверждения")).to_be_visible()
    expect(page.get_by_role("heading", name="Корректные строки")).to_be_visible()
    expect(page.locator(".text-danger", has_text="строк с ошибками")).to_have_count(0)
    preview = page.locator("table", has=page.get_by_role("columnheader", name="Что будет"))
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview).to_contain_text("Дмитриева")
    expect(preview).to_contain_text("Егорова")
    # Neither is among the school's people yet: a coordinator's new people wait for the methodologist.
    expect(preview.get_by_text("на подтверждении у методиста")).to_have_count(2)
    assert not Person.objects.filter(last_name__in=["Дмитриева", "Егорова"]).exists(), "loaded before confirmation"
    screenshot(page, "import-preview-desktop")

    page.get_by_role("button", name="Подтвердить загрузку").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Список загружен: новых строк — 0, изменённых — 0, без изменений — 0. Переданы на подтверждение методисту: 2"
    )
    expect(page.get_by_text("Загружен", exact=True)).to_be_visible()
    assert not Person.objects.filter(last_name__in=["Дмитриева", "Егорова"]).exists()

    page.context.clear_cookies()
    login(page, "methodologist")
    _nav(page).get_by_role("link", name="Заявки на подтверждение").click()
    page.get_by_role("link", name="Дмитриева Ольга Николаевна").click()
    page.get_by_role("button", name="Подтвердить нового педагога").click()
    expect(page.get_by_role("alert")).to_contain_text("Дмитриева")
    _nav(page).get_by_role("link", name="Педагоги", exact=True).click()
    page.get_by_role("textbox", name="Поиск").fill("Дмитриева")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("link", name="Дмитриева Ольга Николаевна").click()
    expect(_term(page, "Дата рождения")).to_contain_text("12.03.1990")
    employments = _card(page, "Места работы")
    expect(employments).to_contain_text("Школа А")
    expect(employments).to_contain_text("Математика")
    expect(employments).to_contain_text("Высшая")
