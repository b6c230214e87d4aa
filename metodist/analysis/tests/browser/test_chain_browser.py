"""The chain as a coordinator walks it: a class's weak tasks → «Предложить дефициты учителям» → the teacher's
proposed deficit, and the teacher's page with «Слабые задания классов педагога»."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metodist.analysis.tests.test_chain import build_chain, expected_proposals
from metodist.competences.models import TeacherDeficit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_proposes_the_classes_deficits_to_its_teachers(page, live_world, login, screenshot, live_server):
    c = build_chain(live_world)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/analysis/class/{c.six_a.pk}/")
    chain = page.get_by_test_id("chain")
    expect(chain).to_contain_text("Кому будет предложено")
    expect(chain).to_contain_text(live_world.pa.short_name)
    expect(chain).to_contain_text(live_world.pa2.short_name)
    screenshot(page, "chain-class-before")

    chain.get_by_test_id("propose").click()
    want = expected_proposals(c, [c.six_a])
    expect(page.get_by_test_id("proposals").locator("tbody tr")).to_have_count(len(want))
    expect(page.locator(".alert, .toast, [role=alert]").first).to_contain_text(f"{len(want)} новых")
    screenshot(page, "chain-class-after")

    deficit = TeacherDeficit.objects.filter(person=live_world.pa).order_by("pk").first()
    page.locator(f'[data-deficit="{deficit.pk}"]').get_by_role("link", name="Открыть").click()
    expect(page.locator("body")).to_contain_text("результаты обучающихся")
    expect(page.locator("body")).to_contain_text("Задания, выполненные классом на недостаточном уровне")
    screenshot(page, "chain-deficit")

    page.goto(f"{live_server.url}/competences/people/{live_world.pa.pk}/")
    panel = page.get_by_test_id("weak-tasks-panel")
    expect(panel).to_contain_text("Слабые задания классов педагога")
    expect(panel.locator(f'[data-class="{c.six_a.pk}"]')).to_be_visible()
    screenshot(page, "chain-teacher-panel")
