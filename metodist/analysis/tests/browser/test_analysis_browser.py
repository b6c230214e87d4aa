"""The analysis as a methodologist walks it: the municipality → a school → a class, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metodist.analysis import figures as fig
from metodist.analysis.tests import expected
from metodist.analysis.tests.conftest import build_results
from metodist.core.tests.browser.fixtures import menu_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def test_methodologist_walks_from_the_municipality_to_a_class(page, live_world, login, screenshot):
    results = build_results(live_world)
    login(page, "methodologist")
    menu_link(page, "Анализ результатов").click()
    expect(page.get_by_role("heading", name="Анализ результатов", exact=True)).to_be_visible()
    screenshot(page, "analysis-index")

    page.get_by_role("link", name="Первый район").click()
    expect(page.get_by_role("heading", name="Первый район: ВПР 2025 математика 6")).to_be_visible()
    municipality = [results.a1.pk, results.a2.pk, results.b1.pk]
    expect(page.locator("p [data-figure=overall]")).to_have_text(f"{_pct(expected.overall(municipality))} %")
    expect(page.get_by_test_id("thresholds")).to_contain_text("по умолчанию")
    # The heatmap is drawn (a canvas), and the other municipality's school is not listed.
    expect(page.locator("[data-chart=chart-heatmap] canvas").first).to_be_visible()
    expect(page.get_by_test_id("matrix")).not_to_contain_text("Школа В")
    screenshot(page, "analysis-municipality")

    page.get_by_test_id("matrix").get_by_role("link", name="Школа А").click()
    expect(page.get_by_role("heading", name="Школа А: ВПР 2025 математика 6")).to_be_visible()
    school = [results.a1.pk, results.a2.pk]
    expect(page.locator("p [data-figure=overall]")).to_have_text(f"{_pct(expected.overall(school))} %")
    marks = expected.marks(school)
    expect(page.locator("[data-testid=marks] [data-figure=quality]")).to_have_text(_pct(marks["quality"]))
    expect(page.locator("[data-testid=journal] [data-kind=lower] td").first).to_have_text(str(marks["lower"]))
    expect(page.locator("[data-chart=chart-distribution] canvas").first).to_be_visible()
    screenshot(page, "analysis-school")

    page.get_by_test_id("matrix").get_by_role("link", name="6А").click()
    expect(page.get_by_role("heading", name="6А, Школа А: ВПР 2025 математика 6")).to_be_visible()
    rates = expected.task_rates([results.a1.pk])
    tasks = {t.pk: t for t in results.procedure.tasks.all()}
    weak = sorted(
        (tasks[pk].position, tasks[pk].number)
        for pk, rate in rates.items()
        if expected.level_of(rate, tasks[pk].level) == "insufficient"
    )
    if weak:
        expect(page.get_by_test_id("deficits").locator("tbody tr")).to_have_count(len(weak))
    else:
        expect(page.get_by_test_id("no-deficits")).to_be_visible()
    expect(page.get_by_test_id("students").locator("tbody tr[data-student]")).to_have_count(24)
    expect(page.get_by_test_id("students")).to_contain_text("A1-002")
    screenshot(page, "analysis-class")
    assert fig.MARKS == (2, 3, 4, 5)


def test_school_page_on_a_phone(new_page, live_world, login, screenshot):
    results = build_results(live_world)
    page = new_page(viewport=MOBILE, is_mobile=True)
    login(page, "coordinator")
    page.goto(f"/analysis/{results.procedure.pk}/school/{live_world.org_a.pk}/")
    expect(page.get_by_role("heading", name="Школа А: ВПР 2025 математика 6")).to_be_visible()
    expect(page.locator("[data-chart=chart-tasks] canvas").first).to_be_visible()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= min(inner, MOBILE["width"]) + 1, f"the page scrolls sideways: {width}px"
    screenshot(page, "analysis-school-phone")
