"""Tables of the assessments list pages (django-tables2)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ClassAssessment, Procedure, ResultUpload

_RIGHT = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}


class ProcedureTable(tables.Table):
    title = tables.Column(verbose_name=_("Процедура"), linkify=True)
    kind = tables.Column(verbose_name=_("Вид"))
    subject = tables.Column(verbose_name=_("Предмет"), accessor="subject__name")
    grade = tables.Column(verbose_name=_("Класс"), attrs=_RIGHT)
    academic_year = tables.Column(verbose_name=_("Учебный год"))
    held_on = tables.DateColumn(verbose_name=_("Дата"), format="d.m.Y")
    task_count = tables.Column(verbose_name=_("Заданий"), attrs=_RIGHT)
    max_total = tables.Column(verbose_name=_("Макс. балл"), attrs=_RIGHT)
    classes_loaded = tables.Column(verbose_name=_("Классов загружено"), attrs=_RIGHT)

    class Meta:
        model = Procedure
        fields = (
            "title",
            "kind",
            "subject",
            "grade",
            "academic_year",
            "held_on",
            "task_count",
            "max_total",
            "classes_loaded",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-academic_year", "title")

    def render_academic_year(self, record: Procedure) -> str:
        return record.academic_year_display

    def render_title(self, record: Procedure, value: str) -> Any:
        if record.organisation_id:
            return format_html(
                '<a href="{}">{}</a> <span class="badge text-bg-light">{}</span>',
                record.get_absolute_url(),
                value,
                record.organisation.short_name if record.organisation else "",
            )
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)


class ClassResultsTable(tables.Table):
    organisation = tables.Column(verbose_name=_("Школа"), accessor="organisation__short_name")
    class_label = tables.Column(verbose_name=_("Класс"), linkify=("assessments:class_detail", {"pk": tables.A("pk")}))
    participants = tables.Column(verbose_name=_("Выполняли"), attrs=_RIGHT)
    absent = tables.Column(verbose_name=_("Отсутствовали"), attrs=_RIGHT)
    success = tables.Column(verbose_name=_("Средний % выполнения"), empty_values=(), orderable=False, attrs=_RIGHT)
    loaded_at = tables.DateTimeColumn(verbose_name=_("Загружено"), format="d.m.Y H:i")

    class Meta:
        model = ClassAssessment
        fields = ("organisation", "class_label", "participants", "absent", "success", "loaded_at")
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args: Any, max_total: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_total = max_total

    def render_success(self, record: Any) -> str:
        possible = record.participants * self.max_total
        if not possible:
            return "—"
        return f"{100 * record.points / possible:.1f}".replace(".", ",") + " %"


class UploadTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Когда"), format="d.m.Y H:i", linkify=True)
    original_filename = tables.Column(verbose_name=_("Файл"))
    procedure = tables.Column(verbose_name=_("Процедура"), accessor="procedure__title")
    file_format = tables.Column(verbose_name=_("Формат"))
    status = tables.Column(verbose_name=_("Состояние"))
    classes_count = tables.Column(verbose_name=_("Классов"), attrs=_RIGHT)
    students_count = tables.Column(verbose_name=_("Участников"), attrs=_RIGHT)

    class Meta:
        model = ResultUpload
        fields = (
            "created_at",
            "original_filename",
            "procedure",
            "file_format",
            "status",
            "classes_count",
            "students_count",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-created_at",)
