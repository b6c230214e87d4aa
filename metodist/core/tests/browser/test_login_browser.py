"""Logging in and out through the real forms, and what a teacher (own profile only) sees."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metodist.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("#mainnav .navbar-nav.me-auto .nav-link").all_inner_texts()]


def test_wrong_password_then_login_returns_to_the_requested_page_and_logout(page, live_world):
    page.goto("/registry/people/")
    expect(page).to_have_url("/accounts/login/?next=/registry/people/")
    expect(page.get_by_role("heading", name="Вход в систему")).to_be_visible()

    page.get_by_label("Имя пользователя").fill("teacher")
    page.get_by_label("Пароль").fill("not-the-password")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator(".alert-danger")).to_have_text("Неверное имя пользователя или пароль.")

    page.get_by_label("Имя пользователя").fill("teacher")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url("/registry/people/")
    expect(page.get_by_role("heading", name="Педагогические работники")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="Вход в систему")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")


def test_teacher_sees_only_own_profile(page, live_world, login):
    login(page, "teacher")
    labels = _nav_labels(page)
    assert "Мой профиль" in labels
    assert not {"Педагоги", "Организации", "Загрузка списков", "Аудит"} & set(labels), labels
    expect(page.get_by_role("link", name="Аничкова Мария Петровна")).to_be_visible()

    page.locator("#mainnav").get_by_role("link", name="Мой профиль").click()
    expect(page).to_have_url(f"/registry/people/{live_world.pa.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Аничкова Мария Петровна")
    expect(page.get_by_role("link", name="Изменить")).to_have_count(0)
    expect(page.get_by_role("link", name="+ добавить")).to_have_count(0)

    for other in (live_world.pa2, live_world.pb, live_world.pc):
        response = page.goto(f"/registry/people/{other.pk}/")
        assert response.status == 404, other.last_name
        expect(page.locator("body")).not_to_contain_text(other.last_name)

    page.goto("/registry/people/")
    expect(page.get_by_test_id("total")).to_have_text("1")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Аничкова Мария Петровна")
    expect(page.get_by_role("link", name="XLSX")).to_have_count(0)
    expect(page.get_by_role("link", name="Добавить")).to_have_count(0)
    assert page.goto("/registry/people/export/?format=xlsx").status == 403
