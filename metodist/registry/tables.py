"""Tables of the registry lists (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import Case, F, When
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRows

from metodist.core.fields import PERSONAL_ACCESS, with_personal_access
from metodist.core.plurals import years_text

from .choices import QualificationCategory
from .models import Organisation, Person


class PersonTable(tables.Table):
    """The people list. It sorts and pages only the people's ids (with an id tie-breaker, so page
    boundaries are stable among namesakes); the 25 rows of the page are then loaded by ``load_rows``
    (``selectors.person_rows``) with their derived figures and employments."""

    full_name = tables.Column(
        verbose_name=_("ФИО"),
        linkify=True,
        order_by=("last_name", "first_name", "patronymic", "id"),
        accessor="full_name",
    )
    work = tables.Column(verbose_name=_("Место работы, должность"), empty_values=(), orderable=False)
    category = tables.Column(verbose_name=_("Категория"), empty_values=(), orderable=False)
    age = tables.Column(verbose_name=_("Возраст"), empty_values=(), order_by=("-birth_date", "id"))
    experience = tables.Column(verbose_name=_("Пед. стаж"), empty_values=(), order_by=("-experience_start", "id"))
    young = tables.Column(verbose_name=_("Молодой педагог"), empty_values=(), orderable=False)
    recent_courses = tables.Column(
        verbose_name=_("Курсы за 3 года"), empty_values=(), order_by=("-has_recent_courses_flag", "id")
    )

    class Meta:
        model = Person
        fields = ("full_name", "work", "category", "age", "experience", "young", "recent_courses")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("full_name",)

    def __init__(self, *args, load_rows=None, user=None, **kwargs):
        self.user = user  # set before super(): django-tables2 orders the data while it initialises
        super().__init__(*args, **kwargs)
        self.load_rows = load_rows
        if load_rows is not None:
            self.template_name = "registry/person_table.html"  # rows rendered by row_html()

    def _order_by_personal(self, queryset, field: str, descending: bool, is_descending: bool):
        """Order by a personal field; rows whose personal data the viewer may not see sort last, as
        unknown, so that the order of a public card never tells its hidden birth date or experience."""
        key: F | Case = F(field)
        if self.user is not None:
            queryset = with_personal_access(queryset, self.user, "sort_personal_visible")
            key = Case(When(sort_personal_visible=True, then=F(field)), default=None)
        order = key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
        return queryset.order_by(order, "-id" if is_descending else "id"), True

    def order_age(self, queryset, is_descending: bool):
        # A greater age is an earlier date.
        return self._order_by_personal(queryset, "birth_date", not is_descending, is_descending)

    def order_experience(self, queryset, is_descending: bool):
        return self._order_by_personal(queryset, "experience_start", not is_descending, is_descending)

    def order_recent_courses(self, queryset, is_descending: bool):
        # The course flag is a subquery: computed over all the people only when the list is sorted by it.
        if "has_recent_courses_flag" not in queryset.query.annotations:
            queryset = queryset.with_recent_courses()
        flag = "-has_recent_courses_flag" if is_descending else "has_recent_courses_flag"
        return queryset.order_by(flag, "-id" if is_descending else "id"), True

    def paginate(self, *args, **kwargs):
        super().paginate(*args, **kwargs)
        rows = self.page.object_list
        if self.load_rows is not None and hasattr(rows.data, "values_list"):
            ids = list(rows.data.values_list("pk", flat=True))  # the page's ids: a narrow sort, no wide rows
            records = self.load_rows(ids)
            for record in records:
                record.row_html = self.row_html(record)
            self.page.object_list = BoundRows(data=records, table=self)
        return self

    def row_html(self, record):
        """The cells of one row, rendered here rather than by django-tables2's per-cell machinery
        (which inspects each render method's signature for every cell: most of the page's time)."""
        cells = (
            format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.full_name),
            self.render_work(record),
            self.render_category(record),
            self.render_age(record),
            self.render_experience(record),
            self.render_young(record),
            self.render_recent_courses(record),
        )
        return format_html_join("", "<td>{}</td>", ((cell,) for cell in cells))

    def render_work(self, record):
        employments = getattr(record, "current_employments", [])
        return format_html_join(
            mark_safe("<br>"),
            "{}<span class='text-muted'>, {}</span>",
            ((e.organisation.short_name, e.position.name.lower()) for e in employments),
        )

    def render_category(self, record):
        employments = getattr(record, "current_employments", [])
        labels = self._category_labels()
        return format_html_join(mark_safe("<br>"), "{}", ((labels.get(e.category, e.category),) for e in employments))

    def _category_labels(self) -> dict[str, str]:
        # get_category_display() normalises the choices and translates the label for every cell.
        if not hasattr(self, "_labels"):
            self._labels = {value: str(label) for value, label in QualificationCategory.choices}
        return self._labels

    def render_age(self, record):
        if not _personal(record):
            return "—"
        return _derived(record, "age_years", record.age)

    def render_experience(self, record):
        if not _personal(record):
            return "—"
        return years_text(_derived(record, "experience_full_years", record.experience_years))

    def render_young(self, record):
        young = _personal(record) and _derived(record, "is_young_flag", record.is_young)
        return format_html('<span class="badge text-bg-info">{}</span>', _("да")) if young else ""

    def render_recent_courses(self, record):
        if not _personal(record):
            return "—"
        if _derived(record, "has_recent_courses_flag", record.has_recent_courses):
            return format_html('<i class="bi bi-check-circle-fill text-success" title="{}"></i>', _("есть"))
        return format_html('<i class="bi bi-x-circle text-danger" title="{}"></i>', _("нет"))


def _personal(record) -> bool:
    """Whether the row's personal data may be shown (``PERSONAL_ACCESS``, annotated by ``selectors.person_rows``);
    a row reached only through a relation (a mentor's mentee) shows the public card (metodist.core.fields)."""
    return bool(getattr(record, PERSONAL_ACCESS, False))


def _derived(record, annotation: str, method):
    """A figure of ``PersonQuerySet.with_derived_figures``; the model's method only for a row loaded without it."""
    value = getattr(record, annotation, _MISSING)
    if value is _MISSING:
        value = method()
    return "—" if value is None and annotation == "age_years" else value


_MISSING = object()


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


def organisation_badges(organisation: Organisation) -> SafeString:
    badges: list[tuple[str, str | Promise]] = []
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
