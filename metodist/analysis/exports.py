"""Every table of the analysis pages as XLSX (or CSV), and a school's analysis as a DOCX report.

Tables reuse core's exports (:func:`metodist.core.exports.audited_export`): the same cell safety and
the same ``DataExport`` audit row (STARTED → DONE / FAILED). The DOCX report writes its audit row
through :func:`metodist.core.audit.record_export` the same way.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import FileResponse, HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.core.audit import export_failed, export_finished, record_export, request_query
from metodist.core.exports import FORMATS, Column, audited_export
from metodist.core.lists import UNKNOWN_EXPORT_FORMAT
from metodist.core.models import DataExport

from . import figures as fig
from .reports import Analysis, Row, StudentRow

if TYPE_CHECKING:
    from metodist.registry.models import Territory

    from .selectors import Reference

UNKNOWN_TABLE = _("Неизвестная таблица.")
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pct(value: float | None) -> float | None:
    """A percentage as a number with one decimal for a spreadsheet cell (empty when unknown)."""
    return None if value is None else round(value, 1)


def mastery_text(figure: fig.TaskFigure | None) -> str:
    return "" if figure is None or figure.mastery is None else str(figure.mastery.label)


# Table rows: a group of the page, or a comparison column turned into a row.


@dataclass
class TableRow:
    label: str
    participants: int | None
    overall: float | None
    rates: dict[int, float | None]
    marks: fig.MarkFigures | None = None
    reference: Reference | None = None
    note: str = ""


def _group_rows(analysis: Analysis) -> list[TableRow]:
    def of(row: Row, note: str = "") -> TableRow:
        informative = row.informative(analysis.thresholds)
        return TableRow(
            label=row.label,
            participants=row.participants,
            overall=row.overall,
            rates={pk: f.rate for pk, f in row.figures.items()},
            marks=row.marks,
            note=note or ("" if informative else str(_("не информативно"))),
        )

    rows = [of(r) for r in analysis.rows]
    rows.append(of(analysis.total))
    for reference in analysis.references:
        rows.append(
            TableRow(
                label=reference.label,
                participants=reference.participants,
                overall=reference.overall(analysis.tasks),
                rates={t.pk: reference.rate(t.pk) for t in analysis.tasks},
                reference=reference,
                note=reference.origin,
            )
        )
    return rows


def _tasks_columns(analysis: Analysis) -> list[Column]:
    columns = [
        Column(_("Группа"), lambda r: r.label, 30),
        Column(_("Участников"), lambda r: r.participants, 12),
        Column(_("Средний % выполнения"), lambda r: pct(r.overall), 14),
    ]
    for task in analysis.tasks:
        columns.append(Column(f"{task.number} ({task.max_score} б.)", _rate_getter(task.pk), 9))
    columns.append(Column(_("Примечание"), lambda r: r.note, 30))
    return columns


def _rate_getter(task_pk: int) -> Callable[[TableRow], float | None]:
    return lambda r: pct(r.rates.get(task_pk))


def _mark_share(mark: int) -> Callable[[TableRow], float | None]:
    def value(row: TableRow) -> float | None:
        if row.marks is not None:
            return pct(row.marks.share(mark))
        if row.reference is not None:
            return pct(row.reference.marks.get(mark))
        return None

    return value


def _marks_columns() -> list[Column]:
    def quality(r: TableRow) -> float | None:
        return pct(r.marks.quality if r.marks else (r.reference.quality if r.reference else None))

    def progress(r: TableRow) -> float | None:
        return pct(r.marks.progress if r.marks else (r.reference.progress if r.reference else None))

    return [
        Column(_("Группа"), lambda r: r.label, 30),
        Column(_("С отметкой"), lambda r: r.marks.total if r.marks else r.participants, 12),
        *(Column(f"«{m}», %", _mark_share(m), 9) for m in fig.MARKS),
        Column(_("Качество (4 и 5), %"), quality, 14),
        Column(_("Успеваемость (3, 4 и 5), %"), progress, 16),
        Column(_("Понизили"), lambda r: r.marks.lower if r.marks else None, 11),
        Column(_("Подтвердили"), lambda r: r.marks.same if r.marks else None, 11),
        Column(_("Повысили"), lambda r: r.marks.higher if r.marks else None, 11),
        Column(_("Понизили, %"), lambda r: pct(_cmp_share(r, "lower")), 11),
        Column(_("Подтвердили, %"), lambda r: pct(_cmp_share(r, "same")), 11),
        Column(_("Повысили, %"), lambda r: pct(_cmp_share(r, "higher")), 11),
    ]


def _cmp_share(row: TableRow, kind: str) -> float | None:
    if row.marks is None:
        return None
    return next((c["share"] for c in row.marks.comparison() if c["kind"] == kind), None)


def _deficit_rows(analysis: Analysis) -> list[fig.TaskFigure]:
    return [analysis.total.figures[t.pk] for t in analysis.tasks if t.pk in analysis.total.figures]


def _deficit_columns(analysis: Analysis) -> list[Column]:
    columns = [
        Column(_("Задание"), lambda f: f.task.number, 9),
        Column(_("Уровень"), lambda f: str(f.task.get_level_display()), 12),
        Column(_("Макс. балл"), lambda f: f.task.max_score, 9),
        Column(_("Проверяемое умение / элемент"), lambda f: f.task.checked_element, 40),
        Column(_("Планируемый результат"), lambda f: f.task.planned_result, 40),
        Column(_("Коды кодификатора"), lambda f: f.task.codifier_codes, 14),
        Column(_("Вид грамотности"), lambda f: f.task.get_literacy_type_display() if f.task.literacy_type else "", 16),
        Column(_("% выполнения"), lambda f: pct(f.rate), 12),
        Column(_("Уровень выполнения"), mastery_text, 16),
    ]
    for reference in analysis.references:
        columns.append(Column(f"{reference.label}, %", _ref_getter(reference), 12))
    return columns


def _ref_getter(reference: Reference) -> Callable[[fig.TaskFigure], float | None]:
    return lambda f: pct(reference.rate(f.task.pk))


def _flag_rows(analysis: Analysis) -> list[tuple[str, str, str]]:
    rows = []
    for school in analysis.flagged or ([analysis.total] if analysis.flags else []):
        for flag in school.flags:
            rows.append((school.label, flag.label, " ".join(flag.reasons)))
    return rows


FLAG_COLUMNS = [
    Column(_("Школа"), lambda r: r[0], 30),
    Column(_("Признак"), lambda r: r[1], 40),
    Column(_("Основания"), lambda r: r[2], 80),
]


def _low_rows(analysis: Analysis) -> list[Row]:
    return analysis.low_results


LOW_COLUMNS = [
    Column(_("Школа"), lambda r: r.label, 30),
    Column(_("По правилу (эта процедура)"), lambda r: "; ".join(r.low_results_reasons), 60),
    Column(_("ШНОР в реестре"), lambda r: r.low_results, 14),
]

GAP_COLUMNS = [
    Column(_("Класс"), lambda g: g.class_label, 10),
    Column(_("Код участника"), lambda g: g.student_code, 16),
    Column(_("Отметка"), lambda g: g.mark, 10),
    Column(_("Отметка по журналу"), lambda g: g.journal_mark, 12),
    Column(_("Разница"), lambda g: g.difference, 10),
]


def _distribution_rows(analysis: Analysis) -> list[tuple[int, int, str]]:
    boundaries = {score: mark for mark, score in analysis.boundaries.items()}
    top = max([*analysis.distribution, *analysis.boundaries.values(), 0])
    return [
        (score, analysis.distribution.get(score, 0), f"«{boundaries[score]}»" if score in boundaries else "")
        for score in range(top + 1)
    ]


DISTRIBUTION_COLUMNS = [
    Column(_("Первичный балл"), lambda r: r[0], 14),
    Column(_("Участников"), lambda r: r[1], 12),
    Column(_("Граница отметки"), lambda r: r[2], 14),
]


def _journal_rows(analysis: Analysis) -> list[tuple[str, Any, Any]]:
    marks = analysis.total.marks or fig.MarkFigures()
    return [(str(c["label"]), c["count"], pct(c["share"])) for c in marks.comparison()]


JOURNAL_COLUMNS = [
    Column(_("Отметка ВПР и журнал"), lambda r: r[0], 50),
    Column(_("Участников"), lambda r: r[1], 12),
    Column(_("Доля, %"), lambda r: r[2], 10),
]


def _student_columns(analysis: Analysis) -> list[Column]:
    columns = [Column(_("Код участника"), lambda s: s.code, 16)]
    for task in analysis.tasks:
        columns.append(Column(f"{task.number} ({task.max_score} б.)", _score_getter(task.pk), 9))
    columns += [
        Column(_("Первичный балл"), lambda s: s.primary_score, 12),
        Column(_("Отметка"), lambda s: s.mark, 10),
        Column(_("Отметка по журналу"), lambda s: s.journal_mark, 12),
        Column(_("Сравнение с журналом"), lambda s: _comparison_text(s), 16),
    ]
    return columns


def _comparison_text(student: StudentRow) -> str:
    if student.absent:
        return str(_("отсутствовал"))
    kind = fig.compare_with_journal(student.mark, student.journal_mark)
    return "" if kind is None else {"lower": "понизил", "same": "подтвердил", "higher": "повысил"}[str(kind)]


def _score_getter(task_pk: int) -> Callable[[StudentRow], Any]:
    def value(student: StudentRow) -> Any:
        if student.absent:
            return None
        score = student.scores.get(task_pk)
        if score is None:
            return None
        return "X" if score[1] else score[0]

    return value


@dataclass(frozen=True)
class Table:
    title: Any
    rows: Callable[[Analysis], Iterable[Any]]
    columns: Callable[[Analysis], list[Column]]


def _const(columns: list[Column]) -> Callable[[Analysis], list[Column]]:
    return lambda analysis: columns


TASKS = Table(_("Выполнение заданий"), _group_rows, _tasks_columns)
MARKS = Table(_("Отметки"), _group_rows, lambda a: _marks_columns())
DEFICITS = Table(_("Задания и дефициты"), _deficit_rows, _deficit_columns)
FLAGS = Table(_("Признаки необъективности"), _flag_rows, _const(FLAG_COLUMNS))
GAPS = Table(_("Расхождение с журналом на 2 и более"), lambda a: a.gaps, _const(GAP_COLUMNS))
DISTRIBUTION = Table(_("Распределение первичных баллов"), _distribution_rows, _const(DISTRIBUTION_COLUMNS))
JOURNAL = Table(_("Сравнение с отметками по журналу"), _journal_rows, _const(JOURNAL_COLUMNS))

TERRITORY_TABLES = {
    "tasks": TASKS,
    "marks": MARKS,
    "deficits": DEFICITS,
    "flags": FLAGS,
    "low_results": Table(_("Школы с низкими результатами"), _low_rows, _const(LOW_COLUMNS)),
    "distribution": DISTRIBUTION,
}
SCHOOL_TABLES = {
    "tasks": TASKS,
    "marks": MARKS,
    "journal": JOURNAL,
    "gaps": GAPS,
    "deficits": DEFICITS,
    "flags": FLAGS,
    "distribution": DISTRIBUTION,
}
CLASS_TABLES = {
    "students": Table(_("Результаты участников"), lambda a: a.extra["students"], _student_columns),
    "deficits": DEFICITS,
    "marks": MARKS,
    "journal": JOURNAL,
    "gaps": GAPS,
    "distribution": DISTRIBUTION,
}


def table_response(request: HttpRequest, analysis: Analysis, name: str, tables: dict[str, Table]) -> HttpResponseBase:
    table = tables.get(name)
    if table is None:
        return HttpResponseBadRequest(UNKNOWN_TABLE)
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(UNKNOWN_EXPORT_FORMAT)
    rows = list(table.rows(analysis))
    what = f"{table.title}: {analysis.procedure.title}, {analysis.title}"
    return audited_export(
        request,
        rows,
        table.columns(analysis),
        file_format=file_format,
        stem=f"analiz-{name}",
        what=what,
        row_count=len(rows),
    )


def low_results_response(
    request: HttpRequest, data: dict[str, Any], territory: Territory, year: int
) -> HttpResponseBase:
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(UNKNOWN_EXPORT_FORMAT)
    columns = [
        Column(_("Школа"), lambda r: r.organisation.short_name, 30),
        Column(_("Муниципалитет"), lambda r: r.organisation.territory.name, 24),
        Column(_("ШНОР по правилу"), lambda r: r.by_rule, 14),
        Column(_("Процедур с условием"), lambda r: len(r.procedures), 12),
        Column(_("Процедур написано"), lambda r: r.written, 12),
        Column(
            _("Основания"),
            lambda r: "; ".join(f"{p.title}: {', '.join(reasons)}" for p, reasons in r.procedures),
            80,
        ),
        Column(_("ШНОР в реестре (вручную)"), lambda r: r.organisation.low_results, 14),
    ]
    rows = data["rows"]
    return audited_export(
        request,
        rows,
        columns,
        file_format=file_format,
        stem="shnor",
        what=f"{_('Школы с низкими результатами')}: {territory.name}, {year}/{(year + 1) % 100:02d}",
        row_count=len(rows),
    )


# DOCX -------------------------------------------------------------------------------------------


def docx_response(request: HttpRequest, analysis: Analysis) -> FileResponse:
    """The school's analysis as a DOCX with ФИОКО's sections; audited as an export (STARTED → DONE)."""
    from .report_docx import build_school_report

    entry = record_export(
        request,
        what=f"{_('Анализ результатов (DOCX)')}: {analysis.procedure.title}, {analysis.title}",
        file_format="docx",
        row_count=len(analysis.rows),
        query=request_query(request),
        outcome=DataExport.Outcome.STARTED,
    )
    handle = io.BytesIO()
    try:
        build_school_report(analysis).save(handle)
    except BaseException:
        export_failed(entry)
        raise
    export_finished(entry, row_count=len(analysis.rows))
    handle.seek(0)
    filename = f"analiz-{analysis.procedure.pk}-{analysis.total.key}-{timezone.localdate():%Y-%m-%d}.docx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=DOCX_CONTENT_TYPE)
