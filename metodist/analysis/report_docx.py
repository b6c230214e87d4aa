"""A school's analysis as a DOCX (python-docx) in the sections of ФИОКО's analysis of ВПР results.

1. Общие сведения. 2. Статистика по отметкам. 3. Соответствие отметок за работу отметкам по журналу.
4. Распределение первичных баллов. 5. Достижение планируемых результатов (выполнение заданий).
6. Дефициты обучающихся. 7. Признаки необъективности результатов. 8. Выводы.
Every figure comes from the same :class:`~metodist.analysis.reports.Analysis` as the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from . import figures as fig
from .choices import Mastery

if TYPE_CHECKING:
    from docx.document import Document as DocumentType

    from .reports import Analysis


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _table(document: DocumentType, header: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    document.add_paragraph()


def build_school_report(analysis: Analysis) -> DocumentType:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(12)  # type: ignore[attr-defined]
    procedure = analysis.procedure
    thresholds = analysis.thresholds
    title = document.add_heading(f"Анализ результатов: {procedure.title}", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(analysis.title).alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading("1. Общие сведения", level=1)
    total = analysis.total
    intro = [
        f"Процедура: {procedure.title} ({procedure.get_kind_display()}), предмет: {procedure.subject}, "
        f"класс: {procedure.grade}, учебный год {procedure.academic_year_display}"
        + (f", дата проведения {procedure.held_on:%d.%m.%Y}" if procedure.held_on else "")
        + ".",
        f"Классов: {len(analysis.rows)}; участников (выполняли работу): {total.participants}.",
        f"Пороги ({getattr(thresholds, 'origin', '')}): задание базового уровня освоено при выполнении "
        f"от {_p(float(thresholds.basic_sufficient))} %, неустойчиво от {_p(float(thresholds.basic_uncertain))} %; "
        f"повышенного и высокого уровня — от {_p(float(thresholds.advanced_sufficient))} % и "
        f"{_p(float(thresholds.advanced_uncertain))} %. Группа меньше {thresholds.min_group} участников — "
        f"«не информативно»; распределение баллов меньше {thresholds.min_distribution} участников — «ограниченно».",
    ]
    for text in intro:
        document.add_paragraph(text)
    if not analysis.informative:
        document.add_paragraph("Участников меньше порога: выводы по группе не информативны.")

    document.add_heading("2. Статистика по отметкам", level=1)
    rows: list[list[Any]] = []
    for row in [*analysis.rows, total]:
        marks = row.marks or fig.MarkFigures()
        rows.append(
            [row.label, marks.total, *(_p(marks.share(m)) for m in fig.MARKS), _p(marks.quality), _p(marks.progress)]
        )
    for reference in analysis.references:
        rows.append(
            [
                reference.label,
                reference.participants or "",
                *(_p(reference.marks.get(m)) for m in fig.MARKS),
                _p(reference.quality),
                _p(reference.progress),
            ]
        )
    _table(
        document,
        ["Группа", "Участников", "«2», %", "«3», %", "«4», %", "«5», %", "Качество, %", "Успеваемость, %"],
        rows,
    )

    document.add_heading("3. Соответствие отметок за работу отметкам по журналу", level=1)
    marks = total.marks or fig.MarkFigures()
    _table(
        document,
        ["", "Участников", "Доля, %"],
        [[str(c["label"]), c["count"], _p(c["share"])] for c in marks.comparison()],
    )
    if analysis.gaps:
        document.add_paragraph("Расхождение на две и более отметки (коды участников):")
        _table(
            document,
            ["Класс", "Код участника", "Отметка", "По журналу"],
            [[g.class_label, g.student_code, g.mark, g.journal_mark] for g in analysis.gaps],
        )

    document.add_heading("4. Распределение первичных баллов", level=1)
    if analysis.distribution_limited:
        document.add_paragraph(
            f"Участников меньше {thresholds.min_distribution}: распределение показательно ограниченно."
        )
    boundaries = {score: mark for mark, score in analysis.boundaries.items()}
    top = max([*analysis.distribution, *analysis.boundaries.values(), 0])
    _table(
        document,
        ["Балл", "Участников", "Граница отметки"],
        [[s, analysis.distribution.get(s, 0), f"«{boundaries[s]}»" if s in boundaries else ""] for s in range(top + 1)],
    )
    for peak in analysis.peaks:
        document.add_paragraph(
            f"Пик на границе отметки «{peak.mark}»: {peak.at_boundary} участников с {peak.score} баллами "
            f"при {peak.below} с {peak.score - 1}."
        )

    document.add_heading("5. Достижение планируемых результатов", level=1)
    header = ["Задание", "Уровень", "Планируемый результат", *[r.label for r in analysis.rows], total.label]
    header += [r.label for r in analysis.references]
    task_rows = []
    for task in analysis.tasks:
        line: list[Any] = [task.number, task.get_level_display(), task.planned_result or task.checked_element]
        line += [_p(r.figures[task.pk].rate) if task.pk in r.figures else "—" for r in analysis.rows]
        line.append(_p(total.figures[task.pk].rate) if task.pk in total.figures else "—")
        line += [_p(r.rate(task.pk)) for r in analysis.references]
        task_rows.append(line)
    _table(document, header, task_rows)

    document.add_heading("6. Дефициты обучающихся", level=1)
    insufficient = analysis.insufficient
    if insufficient:
        document.add_paragraph("Задания, выполненные на недостаточном уровне:")
        _table(
            document,
            ["Задание", "Уровень", "Проверяемое умение", "Вид грамотности", "% выполнения"],
            [
                [
                    f.task.number,
                    f.task.get_level_display(),
                    f.task.checked_element or f.task.planned_result,
                    f.task.get_literacy_type_display() if f.task.literacy_type else "",
                    _p(f.rate),
                ]
                for f in insufficient
            ],
        )
    else:
        document.add_paragraph("Заданий, выполненных на недостаточном уровне, нет.")
    for skill in analysis.systemic:
        document.add_paragraph(
            f"Системный дефицит ({fig.SKILL_KINDS[skill.kind]}): «{skill.label}» — недостаточно выполнено "
            f"{len(skill.insufficient)} из {len(skill.tasks)} заданий "
            f"({', '.join(f.task.number for f in skill.insufficient)})."
        )

    document.add_heading("7. Признаки необъективности результатов", level=1)
    if analysis.flags:
        for flag in analysis.flags:
            document.add_paragraph(flag.label, style="List Bullet")
            for reason in flag.reasons:
                document.add_paragraph(reason)
    else:
        document.add_paragraph("Признаков необъективности по заданным порогам не выявлено.")
    organisation = analysis.extra.get("organisation")
    if organisation is not None:
        document.add_paragraph(
            "В реестре школа отмечена как ШНОР."
            if organisation.low_results
            else "В реестре школа не отмечена как ШНОР."
        )
    if total.low_results_reasons:
        document.add_paragraph(
            "Условие ШНОР по этой процедуре выполнено: " + "; ".join(total.low_results_reasons) + "."
        )

    document.add_heading("8. Выводы", level=1)
    sufficient = [f for f in total.figures.values() if f.mastery == Mastery.SUFFICIENT]
    document.add_paragraph(
        f"На достаточном уровне выполнено {len(sufficient)} из {len(total.figures)} заданий, "
        f"на недостаточном — {len(insufficient)}."
    )
    if insufficient:
        document.add_paragraph(
            "Рекомендуется спланировать поддержку обучающихся по умениям недостаточно выполненных заданий "
            "и методическую поддержку педагогов по связанным с ними компетенциям (без оценки работы педагогов: "
            "результаты ВПР не предназначены для оценки учителей)."
        )
    return document
