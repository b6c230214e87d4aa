"""Columns of the registry exports (XLSX and CSV share them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from metodist.core.exports import Column


def _employments(person) -> list[dict]:
    return getattr(person, "export_employments", [])


def _joined(person, key: str) -> str:
    return "; ".join(str(e[key]) for e in _employments(person))


# Rows come from ``selectors.person_export_rows``: people with their current employments as dicts.
PERSON_COLUMNS: list[Column] = [
    Column(_("Фамилия"), lambda p: p.last_name, 18),
    Column(_("Имя"), lambda p: p.first_name, 14),
    Column(_("Отчество"), lambda p: p.patronymic, 18),
    Column(_("Дата рождения"), lambda p: p.birth_date, 12),
    Column(_("Возраст"), lambda p: p.export_age, 8),
    Column(_("Организация"), lambda p: _joined(p, "organisation__short_name"), 30),
    Column(_("Должность"), lambda p: _joined(p, "position__name"), 24),
    Column(_("Предметы"), lambda p: "; ".join(s for e in _employments(p) for s in e["subjects"]), 24),
    Column(_("Классы"), lambda p: "; ".join(", ".join(map(str, e["grades"])) for e in _employments(p)), 12),
    Column(_("Категория"), lambda p: _joined(p, "category_label"), 18),
    Column(
        _("Категория действует до"),
        lambda p: "; ".join(
            f"{e['category_expires_on']:%d.%m.%Y}" for e in _employments(p) if e["category_expires_on"]
        ),
        14,
    ),
    Column(_("Начало пед. стажа"), lambda p: p.experience_start, 12),
    Column(_("Пед. стаж, лет"), lambda p: p.export_experience, 8),
    Column(_("Молодой педагог"), lambda p: p.export_young, 10),
    Column(_("Курсы за 3 года"), lambda p: p.has_recent_courses_flag, 10),
    Column(_("Электронная почта"), lambda p: p.email, 24),
    Column(_("Телефон"), lambda p: p.phone, 16),
]

ORGANISATION_COLUMNS: list[Column] = [
    Column(_("Краткое наименование"), lambda o: o.short_name, 30),
    Column(_("Полное наименование"), lambda o: o.full_name, 50),
    Column(_("Тип"), lambda o: o.get_kind_display(), 24),
    Column(_("Муниципалитет"), lambda o: o.territory.name, 24),
    Column(_("ИНН"), lambda o: o.inn, 12),
    Column(_("ОГРН"), lambda o: o.ogrn, 15),
    Column(_("Адрес"), lambda o: o.address, 40),
    Column(_("Педагогов"), lambda o: o.staff_count, 10),
    Column(_("ШНОР"), lambda o: o.low_results, 8),
    Column(_("Неблагоприятные условия"), lambda o: o.unfavourable_conditions, 10),
    Column(_("Инновационная площадка"), lambda o: o.get_innovation_site_display() if o.innovation_site else "", 14),
    Column(_("Точка роста"), lambda o: o.growth_point, 8),
    Column(_("Стажировочная площадка"), lambda o: o.internship_site, 10),
]
