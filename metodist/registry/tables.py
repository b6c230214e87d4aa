"""Tables of the registry lists (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Person


class PersonTable(tables.Table):
    full_name = tables.Column(
        verbose_name=_("ФИО"), linkify=True, order_by=("last_name", "first_name", "patronymic"), accessor="full_name"
    )
    work = tables.Column(verbose_name=_("Место работы, должность"), empty_values=(), orderable=False)
    category = tables.Column(verbose_name=_("Категория"), empty_values=(), orderable=False)
    age = tables.Column(verbose_name=_("Возраст"), empty_values=(), order_by=("-birth_date",))
    experience = tables.Column(verbose_name=_("Пед. стаж, лет"), empty_values=(), order_by=("-experience_start",))
    young = tables.Column(verbose_name=_("Молодой педагог"), empty_values=(), orderable=False)
    recent_courses = tables.Column(
        verbose_name=_("Курсы за 3 года"), empty_values=(), order_by=("-has_recent_courses_flag",)
    )

    class Meta:
        model = Person
        fields = ("full_name", "work", "category", "age", "experience", "young", "recent_courses")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("full_name",)

    def render_work(self, record):
        employments = getattr(record, "current_employments", [])
        return format_html_join(
            mark_safe("<br>"),
            "{}<span class='text-muted'>, {}</span>",
            ((e.organisation.short_name, e.position.name.lower()) for e in employments),
        )

    def render_category(self, record):
        employments = getattr(record, "current_employments", [])
        return format_html_join(mark_safe("<br>"), "{}", ((e.get_category_display(),) for e in employments))

    def render_age(self, record):
        return record.age() if record.birth_date else "—"

    def render_experience(self, record):
        years = record.experience_years()
        return "—" if years is None else years

    def render_young(self, record):
        return format_html('<span class="badge text-bg-info">{}</span>', _("да")) if record.is_young() else ""

    def render_recent_courses(self, record):
        if record.has_recent_courses_flag:
            return format_html('<i class="bi bi-check-circle-fill text-success" title="{}"></i>', _("есть"))
        return format_html('<i class="bi bi-x-circle text-danger" title="{}"></i>', _("нет"))


class OrganisationTable(tables.Table):
    short_name = tables.Column(verbose_name=_("Организация"), linkify=True)
    territory = tables.Column(verbose_name=_("Муниципалитет"), accessor="territory__name")
    kind = tables.Column(verbose_name=_("Тип"))
    staff_count = tables.Column(
        verbose_name=_("Педагогов"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    flags = tables.Column(verbose_name=_("Признаки"), empty_values=(), orderable=False)

    class Meta:
        model = Organisation
        fields = ("short_name", "territory", "kind", "staff_count", "flags")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("short_name",)

    def render_flags(self, record):
        return organisation_badges(record)


def organisation_badges(organisation: Organisation):
    badges = []
    if organisation.low_results:
        badges.append(("danger", _("ШНОР")))
    if organisation.unfavourable_conditions:
        badges.append(("warning", _("неблагоприятные условия")))
    if organisation.innovation_site:
        badges.append(("primary", str(organisation.get_innovation_site_display()).split(" —")[0]))
    if organisation.growth_point:
        badges.append(("success", _("Точка роста")))
    if organisation.internship_site:
        badges.append(("secondary", _("стажировочная площадка")))
    return format_html_join(" ", '<span class="badge text-bg-{}">{}</span>', badges)
