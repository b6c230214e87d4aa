"""The downloadable templates: a sheet with the header and an example row, and a sheet «Инструкция»."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from metodist.registry.models import Position, Subject, Territory

from .columns import ORGANISATION_COLUMNS, STAFF_COLUMNS
from .models import ImportKind
from .parsing import INSTRUCTION_SHEET, ColumnSpec

DATE_FORMAT = "DD.MM.YYYY"
DATA_ROWS = 1000  # rows below the example that get the drop-down lists
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="595959")
_BOLD = Font(bold=True)

CATEGORY_CHOICES = [
    "без категории",
    "соответствие занимаемой должности",
    "первая",
    "высшая",
    "педагог-методист",
    "педагог-наставник",
]
YES_NO = ["да", "нет"]
# Columns the importer understands but the templates do not offer: alternatives to a template column.
STAFF_TEMPLATE_COLUMNS = tuple(
    c for c in STAFF_COLUMNS if c.key not in {"full_name", "experience_years", "total_experience_years"}
)
ORGANISATION_TEMPLATE_COLUMNS = tuple(c for c in ORGANISATION_COLUMNS if c.key not in {"kpp", "district"})
ORGANISATION_KIND_CHOICES = ["школа", "гимназия", "лицей", "детский сад", "ДО", "колледж", "методический центр"]
INNOVATION_CHOICES = ["нет", "МИП", "РИП", "ФИП"]

_STAFF_NOTES = [
    "Заполните лист «Список»: одна строка — одна должность работника в организации.",
    "Строку-образец можно удалить или заменить; если она останется без изменений, она будет пропущена.",
    "Названия столбцов можно менять в разумных пределах (например, «ФИО» вместо трёх столбцов, «Д.р.» "
    "вместо «Дата рождения»), лишние столбцы не мешают, порядок столбцов не важен.",
    "Обязательны: фамилия, имя, должность, а также дата рождения или СНИЛС.",
    "Работник, который уже есть в системе, узнаётся по СНИЛС, а без СНИЛС — по ФИО и дате рождения: "
    "повторная загрузка обновляет данные и не создаёт дубликатов. Пустая ячейка не стирает уже внесённые данные.",
    "Если работник занимает две должности (например, учитель и заместитель директора), укажите его в двух строках.",
    "Даты — в виде ДД.ММ.ГГГГ или как даты Excel. Если известен только год начала работы или стажа, "
    "он будет прочитан как 1 сентября этого года.",
    "Вместо даты начала стажа можно дать столбец «Пед. стаж, лет» (например, «12» или «12 лет 3 мес.»): "
    "дата начала будет посчитана от даты, на которую составлен список, — её указывают при загрузке.",
]
_ORGANISATION_NOTES = [
    "Заполните лист «Список»: одна строка — одна организация.",
    "Строку-образец можно удалить или заменить; если она останется без изменений, она будет пропущена.",
    "Названия столбцов можно менять в разумных пределах, лишние столбцы не мешают, порядок столбцов не важен.",
    "Обязательно краткое наименование; муниципалитет — если вам доступно несколько муниципалитетов.",
    "Организация, которая уже есть в системе, узнаётся по ИНН, а без ИНН — по краткому наименованию "
    "в муниципалитете: повторная загрузка обновляет данные и не создаёт дубликатов.",
    "Признаки (ШНОР, неблагоприятные условия, Точка роста, стажировочная площадка): да/нет, 1/0, +/−; "
    "пустая ячейка — «нет».",
]


def _write_header(sheet, columns: Sequence[ColumnSpec]) -> dict[str, str]:
    letters: dict[str, str] = {}
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        letters[column.key] = letter
        sheet.column_dimensions[letter].width = max(14, min(45, len(column.title) + 6))
    sheet.freeze_panes = "A2"
    return letters


def _write_example(sheet, columns: Sequence[ColumnSpec], overrides: dict[str, object]) -> None:
    for index, column in enumerate(columns, start=1):
        value = overrides.get(column.key, column.example)
        cell = sheet.cell(row=2, column=index, value=value if value != "" else None)
        cell.font = _EXAMPLE_FONT
        if isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str):
            cell.number_format = "@"


def _text_columns(sheet, letters: Sequence[str]) -> None:
    """Keep СНИЛС, ИНН and classes as text so that Excel does not turn them into numbers or dates."""
    for letter in letters:
        for row in range(3, DATA_ROWS + 2):
            sheet[f"{letter}{row}"].number_format = "@"


def _list_validation(sheet, letter: str, formula: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
    sheet.add_data_validation(validation)


def _quoted_list(values: Sequence[str]) -> str:
    return '"' + ",".join(values) + '"'


def _write_instruction(
    book: Workbook, *, title: str, notes: Sequence[str], columns: Sequence[ColumnSpec], lists: dict[str, list[str]]
) -> dict[str, str]:
    """Write the «Инструкция» sheet; returns, for each list, the cell range holding its values."""
    sheet = book.create_sheet(INSTRUCTION_SHEET)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 80
    sheet.column_dimensions["D"].width = 60
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for note in notes:
        sheet.cell(row=row, column=1, value=f"• {note}")
        row += 1
    row += 1
    for index, heading in enumerate(("Столбец", "Обязательный", "Что указывать", "Можно назвать и так"), start=1):
        cell = sheet.cell(row=row, column=index, value=heading)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    row += 1
    for column in columns:
        sheet.cell(row=row, column=1, value=column.title).font = _BOLD
        sheet.cell(row=row, column=2, value="да" if column.required else "")
        sheet.cell(row=row, column=3, value=str(column.help)).alignment = Alignment(wrap_text=True)
        sheet.cell(row=row, column=4, value=", ".join(column.synonyms)).alignment = Alignment(wrap_text=True)
        row += 1
    ranges: dict[str, str] = {}
    for heading, values in lists.items():
        row += 1
        sheet.cell(row=row, column=1, value=heading).font = Font(bold=True, size=12)
        row += 1
        first = row
        for value in values:
            sheet.cell(row=row, column=1, value=value)
            row += 1
        if values:
            ranges[heading] = f"'{INSTRUCTION_SHEET}'!$A${first}:$A${row - 1}"
    return ranges


def staff_template() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    # The template offers separate name columns; «ФИО» is an alternative described in the instruction.
    columns = list(STAFF_TEMPLATE_COLUMNS)
    letters = _write_header(sheet, columns)
    _write_example(sheet, columns, {})
    _text_columns(sheet, [letters["snils"], letters["grades"]])
    for key in ("birth_date", "experience_start", "start_date", "category_assigned_on"):
        for row in range(3, DATA_ROWS + 2):
            sheet[f"{letters[key]}{row}"].number_format = DATE_FORMAT
    positions = list(Position.objects.order_by("group", "sort_order", "name").values_list("name", flat=True))
    subjects = list(Subject.objects.order_by("sort_order", "name").values_list("name", flat=True))
    ranges = _write_instruction(
        book,
        title="Список педагогических работников организации — как заполнить",
        notes=_STAFF_NOTES,
        columns=STAFF_COLUMNS,
        lists={
            "Должности (номенклатура, постановление Правительства РФ № 225)": positions,
            "Предметы": subjects,
            "Категории": CATEGORY_CHOICES,
        },
    )
    position_range = ranges.get("Должности (номенклатура, постановление Правительства РФ № 225)")
    if position_range:
        _list_validation(sheet, letters["position"], position_range)
    _list_validation(sheet, letters["category"], _quoted_list(CATEGORY_CHOICES))
    _list_validation(sheet, letters["is_manager"], _quoted_list(YES_NO))
    _list_validation(sheet, letters["employment_kind"], _quoted_list(["нет", "внешний", "внутренний"]))
    _list_validation(sheet, letters["gender"], _quoted_list(["ж", "м"]))
    return _save(book)


def organisations_template(*, municipalities: Sequence[Territory] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    columns = list(ORGANISATION_TEMPLATE_COLUMNS)
    letters = _write_header(sheet, columns)
    example_municipality = municipalities[0].name if municipalities else "Наименование муниципалитета"
    _write_example(sheet, columns, {"municipality": example_municipality})
    _text_columns(sheet, [letters["inn"], letters["ogrn"]])
    ranges = _write_instruction(
        book,
        title="Список образовательных организаций — как заполнить",
        notes=_ORGANISATION_NOTES,
        columns=ORGANISATION_COLUMNS,
        lists={
            "Муниципалитеты, доступные вам": [t.name for t in municipalities],
            "Типы организаций": ORGANISATION_KIND_CHOICES,
            "Инновационная площадка": INNOVATION_CHOICES,
        },
    )
    if "Муниципалитеты, доступные вам" in ranges:
        _list_validation(sheet, letters["municipality"], ranges["Муниципалитеты, доступные вам"])
    _list_validation(sheet, letters["kind"], _quoted_list(ORGANISATION_KIND_CHOICES))
    _list_validation(sheet, letters["innovation_site"], _quoted_list(INNOVATION_CHOICES))
    for key in ("low_results", "unfavourable_conditions", "growth_point", "internship_site"):
        _list_validation(sheet, letters[key], _quoted_list(YES_NO))
    return _save(book)


def build_template(*, kind: str, municipalities: Sequence[Territory] = ()) -> bytes:
    """The XLSX template of ``kind`` (ImportKind)."""
    if kind == ImportKind.STAFF:
        return staff_template()
    return organisations_template(municipalities=municipalities)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
