"""The Content-Security-Policy in a real browser: no violation, and the behaviour moved out of templates works.

The ``page`` fixture fails a test on any CSP violation reported in the console (conftest.PageProblems),
so every browser test also guards the policy; this file covers the pieces that used inline code:
the confirmation before deleting (was ``onsubmit=``) and the progress bars (were ``style=``).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from metodist.registry.models import CourseCompletion
from metodist.registry.tests.factories import CourseCompletionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_bars_are_drawn_without_style_attributes(page, live_world, login):
    today = timezone.localdate()
    CourseCompletionFactory(
        person=live_world.pa,
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=20),
    )
    login(page, "methodologist")
    bar = page.locator(".progress-bar[data-progress]").first
    expect(bar).to_be_visible()
    share = float(bar.get_attribute("data-progress").replace(",", "."))
    assert share > 0
    width = bar.evaluate("el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width")
    assert abs(width * 100 - share) < 2


def test_deleting_a_course_asks_first(page, live_world, login):
    course = CourseCompletionFactory(person=live_world.pa, programme="Курс для удаления")
    login(page, "coordinator")
    page.goto(f"/registry/people/{live_world.pa.pk}/")
    row = page.locator("tr", has_text="Курс для удаления", has=page.get_by_role("button", name="Удалить"))
    expect(row).to_be_visible()

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Удалить").click()
    page.wait_for_timeout(300)
    assert messages == ["Удалить запись о курсах?"]
    assert CourseCompletion.objects.filter(pk=course.pk).exists()  # dismissed: nothing sent

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Удалить").click()
    expect(row).to_have_count(0)
    assert not CourseCompletion.objects.filter(pk=course.pk).exists()
