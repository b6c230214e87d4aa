"""Reading an external test's results (внешнее тестирование) for a campaign: one row per teacher and indicator.

The file is an XLSX or CSV with the columns «СНИЛС», «ФИО» (or «Фамилия», «Имя», «Отчество»),
«Организация», «Код показателя», «Уровень» and optionally «Комментарий». A teacher is found among the
campaign's participants that the user may see: by СНИЛС, else by full name and organisation. Every bad
row is reported with its line, column and reason, and nothing is written until the whole file is right.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from metodist.competences.models import code_key
from metodist.imports.limits import ORGANISATION_LIMITS
from metodist.imports.parsing import ColumnSpec, FileError, ParsedTable, SheetRow, digits, normalise, read_table

from .models import Campaign, Participant
from .services import TestRow

COLUMNS = (
    ColumnSpec("snils", "СНИЛС", ("страховой номер", "снилс педагога")),
    ColumnSpec("full_name", "ФИО", ("фио педагога", "ф и о", "педагог", "фамилия имя отчество")),
    ColumnSpec("last_name", "Фамилия"),
    ColumnSpec("first_name", "Имя"),
    ColumnSpec("patronymic", "Отчество"),
    ColumnSpec("organisation", "Организация", ("оо", "школа", "образовательная организация", "место работы")),
    ColumnSpec("indicator", "Код показателя", ("показатель", "код", "компетенция", "код компетенции"), required=True),
    ColumnSpec("level", "Уровень", ("балл", "результат", "баллы", "уровень освоения", "оценка"), required=True),
    ColumnSpec("comment", "Комментарий", ("примечание", "основание")),
)
TITLES = {column.key: column.title for column in COLUMNS}

MISSING_COLUMNS = _("В файле нет столбцов: %(columns)s.")
NO_PERSON_COLUMNS = _("Нужен столбец «СНИЛС» или «ФИО» (или «Фамилия» и «Имя») с «Организацией».")
NO_ROWS = _("В файле нет ни одной строки с результатами.")
PERSON_EMPTY = _("не указан педагог: СНИЛС или ФИО с организацией")
PERSON_UNKNOWN = _("педагог не найден среди участников кампании в вашей зоне доступа")
PERSON_AMBIGUOUS = _("под ФИО и организацию подходят несколько участников: укажите СНИЛС")
ORGANISATION_EMPTY = _("без СНИЛС нужна организация")
INDICATOR_EMPTY = _("не указан код показателя")
INDICATOR_UNKNOWN = _("показателя «%(code)s» нет в кампании")
LEVEL_EMPTY = _("не указан уровень")
LEVEL_NOT_NUMBER = _("«%(value)s» — не число")
LEVEL_OUT_OF_SCALE = _("уровень %(value)s вне шкалы рамки (%(min)s–%(max)s)")
DUPLICATE_ROW = _("повтор: этот педагог и показатель уже были в строке %(line)s")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str


@dataclass
class TestCheck:
    """What a file gives: the rows to load, or every problem found (then nothing is loaded)."""

    rows: list[TestRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)


def _full_name(row: SheetRow) -> str:
    if row.text("full_name"):
        return normalise(row.text("full_name"))
    return normalise(" ".join(row.text(k) for k in ("last_name", "first_name", "patronymic") if row.text(k)))


def _level(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", "."))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def check_test_file(*, user: Any, campaign: Campaign, content: bytes, filename: str) -> TestCheck:
    """Read and check a test results file for ``campaign`` as ``user`` sees it (nothing is written)."""
    result = TestCheck()
    try:
        table: ParsedTable = read_table(content=content, filename=filename, columns=COLUMNS, limits=ORGANISATION_LIMITS)
    except FileError as error:
        result.file_errors = error.messages
        return result
    missing = [TITLES[key] for key in ("indicator", "level") if not table.has(key)]
    if missing:
        result.file_errors.append(str(MISSING_COLUMNS) % {"columns": ", ".join(f"«{m}»" for m in missing)})
    by_name = table.has("full_name") or (table.has("last_name") and table.has("first_name"))
    if not table.has("snils") and not (by_name and table.has("organisation")):
        result.file_errors.append(str(NO_PERSON_COLUMNS))
    if result.file_errors:
        return result
    if not table.rows:
        result.file_errors.append(str(NO_ROWS))
        return result

    participants = list(
        Participant.objects.visible_to(user).filter(campaign=campaign).select_related("person", "organisation")
    )
    by_snils = {digits(p.person.snils): p for p in participants if p.person.snils}
    by_name_org: dict[tuple[str, str], list[Participant]] = {}
    for p in participants:
        for org_name in {p.organisation.short_name, p.organisation.full_name}:
            by_name_org.setdefault((normalise(p.person.full_name), normalise(org_name)), []).append(p)
    indicators = {code_key(node.code): node for node in campaign.indicators.all()}
    framework = campaign.framework
    seen: dict[tuple[int, int], int] = {}

    for row in table.rows:
        errors: list[RowError] = []
        participant = None
        snils = digits(row.get("snils"))
        name = _full_name(row)
        if snils:
            participant = by_snils.get(snils)
            if participant is None:
                errors.append(RowError(row.line, TITLES["snils"], str(PERSON_UNKNOWN)))
        elif name:
            organisation = normalise(row.text("organisation"))
            if not organisation:
                errors.append(RowError(row.line, TITLES["organisation"], str(ORGANISATION_EMPTY)))
            else:
                found = by_name_org.get((name, organisation), [])
                if len(found) == 1:
                    participant = found[0]
                elif found:
                    errors.append(RowError(row.line, TITLES["full_name"], str(PERSON_AMBIGUOUS)))
                else:
                    errors.append(RowError(row.line, TITLES["full_name"], str(PERSON_UNKNOWN)))
        else:
            errors.append(RowError(row.line, TITLES["snils"], str(PERSON_EMPTY)))

        code = row.text("indicator")
        node = indicators.get(code_key(code)) if code else None
        if not code:
            errors.append(RowError(row.line, TITLES["indicator"], str(INDICATOR_EMPTY)))
        elif node is None:
            errors.append(RowError(row.line, TITLES["indicator"], str(INDICATOR_UNKNOWN) % {"code": code}))

        level_text = row.text("level")
        level = None
        if not level_text:
            errors.append(RowError(row.line, TITLES["level"], str(LEVEL_EMPTY)))
        else:
            try:
                level = _level(level_text)
            except InvalidOperation:
                errors.append(RowError(row.line, TITLES["level"], str(LEVEL_NOT_NUMBER) % {"value": level_text}))
            else:
                if not level.is_finite() or not framework.scale_min <= level <= framework.scale_max:
                    errors.append(
                        RowError(
                            row.line,
                            TITLES["level"],
                            str(LEVEL_OUT_OF_SCALE)
                            % {
                                "value": level_text,
                                "min": _number(framework.scale_min),
                                "max": _number(framework.scale_max),
                            },
                        )
                    )
                    level = None
        if participant is not None and node is not None:
            key = (participant.pk, node.pk)
            if key in seen:
                errors.append(RowError(row.line, TITLES["indicator"], str(DUPLICATE_ROW) % {"line": seen[key]}))
            else:
                seen[key] = row.line
        if errors:
            result.errors.extend(errors)
        elif participant is not None and node is not None and level is not None:
            result.rows.append(
                TestRow(line=row.line, participant=participant, node=node, level=level, comment=row.text("comment"))
            )
    if result.errors:
        result.rows = []
    return result


def template_workbook(campaign: Campaign, participants: Sequence[Participant]) -> bytes:
    """The file to fill in: a row per visible participant and indicator, levels empty."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Результаты"
    header = [TITLES[k] for k in ("snils", "full_name", "organisation", "indicator", "level", "comment")]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    indicators = list(campaign.indicators.order_by("position", "id"))
    for participant in participants:
        for node in indicators:
            sheet.append(
                [
                    participant.person.snils,
                    participant.person.full_name,
                    participant.organisation.short_name,
                    node.code,
                    None,
                    None,
                ]
            )
    for letter, width in zip("ABCDEF", (16, 36, 30, 18, 10, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()
