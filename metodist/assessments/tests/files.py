"""Result files as schools and municipalities really send them, generated with openpyxl and csv.

What real files do and these builders can do too: extra sheets, 300 prepared empty rows with a 0 in «Итого»,
formula totals without a cached value (openpyxl writes none) or with a stale one, Cyrillic «х» for a task not
attempted, «отсутствовал», merged title cells, a header under a title, «Вариант (часть 1)/(часть 2)» in the
middle of the tasks, name columns in protocols.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

from .factories import VPR_MATH_6

Spec = list[tuple[str, int, str]]


@dataclass
class Pupil:
    code: str
    scores: list[Any] = field(default_factory=list)  # ints, «X»/«х»; empty for an absent pupil
    variant: Any = 1
    ordinal: int = 1
    gender: str = "м"
    journal: Any = 4
    label: str = "6А"

    @property
    def absent(self) -> bool:
        return self.variant == "отсутствовал"

    @property
    def total(self) -> int:
        return sum(s for s in self.scores if isinstance(s, int))


def pupils(
    count: int,
    *,
    seed: int = 1,
    spec: Spec = VPR_MATH_6,
    first_code: int = 61001,
    absent: int = 2,
    x_mark: str = "X",
    ordinal: int = 1,
    label: str = "6А",
    strength: float = 0.6,
) -> list[Pupil]:
    """``count`` pupils with plausible scores; the last ``absent`` of them absent."""
    rng = random.Random(seed)
    result = []
    for i in range(count):
        code = str(first_code + i)
        if i >= count - absent:
            result.append(Pupil(code=code, variant="отсутствовал", ordinal=ordinal, journal=None, label=label))
            continue
        scores: list[Any] = []
        for _number, maximum, _level in spec:
            if rng.random() < 0.07:
                scores.append(x_mark)
            else:
                scores.append(sum(1 for _ in range(maximum) if rng.random() < strength))
        result.append(
            Pupil(
                code=code,
                scores=scores,
                variant=rng.choice([1, 2]),
                ordinal=ordinal,
                gender=rng.choice("мж"),
                journal=rng.choice([3, 4, 4, 5, "нет отметки"]),
                label=label,
            )
        )
    return result


def header_of(number: str, maximum: int) -> str:
    return f"{number} ({maximum}б)"


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def collection_form(
    rows: list[Pupil],
    *,
    spec: Spec = VPR_MATH_6,
    code_header: str = "Код участника",
    class_header: str = "Порядковый номер класса",
    split_variant: bool = False,
    empty_rows: int = 300,
    extra_sheets: bool = True,
    total: str = "formula",  # "formula" (no cached value), "number" (as stated by the pupil's .total), "none"
    stated_totals: dict[str, int] | None = None,
    extra_headers: dict[int, str] | None = None,  # column position -> header inserted among the tasks
    headers: list[str] | None = None,  # the task headers as written (default «N (Mб)»)
) -> bytes:
    """«Форма сбора результатов» of one class, as ФИС ОКО gives it and a school fills it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Протокол"
    task_headers = headers or [header_of(number, maximum) for number, maximum, _level in spec]
    half = len(task_headers) // 2
    columns: list[str] = [code_header]
    if split_variant:
        columns += ["Вариант (часть 1)", *task_headers[:half], "Вариант (часть 2)", *task_headers[half:]]
    else:
        columns += ["Вариант", *task_headers]
    for position, title in sorted((extra_headers or {}).items()):
        columns.insert(position, title)
    columns += [class_header, "Пол", "Отметка за предыдущий триместр/ четверть/полугодие"]
    if total != "none":
        columns.append("Итого баллов")
    sheet.append(columns)
    index = {title: i for i, title in enumerate(columns)}
    first_task = index[task_headers[0]] + 1
    last_task = index[task_headers[-1]] + 1
    for line, pupil in enumerate(rows, start=2):
        values: list[Any] = [None] * len(columns)
        values[0] = int(pupil.code) if pupil.code.isdigit() else pupil.code
        if split_variant:
            values[index["Вариант (часть 1)"]] = pupil.variant
            values[index["Вариант (часть 2)"]] = pupil.variant
        else:
            values[index["Вариант"]] = pupil.variant
        for title, score in zip(task_headers, pupil.scores, strict=False):
            values[index[title]] = score
        values[index[class_header]] = pupil.ordinal
        if not pupil.absent:
            values[index["Пол"]] = pupil.gender
            values[index["Отметка за предыдущий триместр/ четверть/полугодие"]] = pupil.journal
        if total == "formula":
            if pupil.absent:
                values[index["Итого баллов"]] = 0
            else:
                first, last = _letter(first_task), _letter(last_task)
                values[index["Итого баллов"]] = f'=IF(LEN({first}{line})>0, SUM({first}{line}:{last}{line}), "")'
        elif total == "number":
            values[index["Итого баллов"]] = (stated_totals or {}).get(pupil.code, pupil.total)
        sheet.append(values)
    for _ in range(empty_rows):
        row: list[Any] = [None] * len(columns)
        if total != "none":
            row[-1] = 0
        sheet.append(row)
    if extra_sheets:
        service = book.create_sheet("Служебный")
        service.append(["Вариант", "Балл", "Отметка"])
        for value in ("1", "2", "отсутствовал"):
            service.append([value])
        ordinals = book.create_sheet("Порядковый номер класса")
        ordinals.append(["Порядковый номер класса"])
        ordinals.append([1])
    return save(book)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def with_cached_values(content: bytes, values: dict[str, Any], sheet: int = 1) -> bytes:
    """Give formula cells a cached value, as Excel leaves one when it saves (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{sheet}.xml":
                text = data.decode()
                for ref, value in values.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(<v\s*/>|<v></v>)?',
                        lambda m, v=value: f"{m.group(1)}{m.group(2)}<v>{v}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return output.getvalue()


@dataclass
class SchoolRows:
    name: str
    login: str
    pupils: list[Pupil]


def analytics_export(
    schools: list[SchoolRows],
    *,
    spec: Spec = VPR_MATH_6,
    subject: str = "Математика",
    grade: int = 6,
    max_total: int | None = None,
    marks: dict[str, int] | None = None,
    municipality: str = "Первый район",
    merged_title: bool = True,
) -> bytes:
    """«Индивидуальные результаты» of a municipality, as ФИС ОКО's analytics gives it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Индивидуальные результаты"
    width = 6 + len(spec) + 3
    sheet.append(["Индивидуальные результаты"])
    if merged_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append([])
    sheet.append([f"ВПР 2026 {subject} {grade} класс"])
    sheet.append(["Предмет:", subject])
    sheet.append(["Максимальный первичный балл:", max_total if max_total is not None else sum(m for _n, m, _l in spec)])
    sheet.append(["Дата:", "22.04.2026"])
    letters = {"basic": "Б", "advanced": "П", "high": "В"}
    sheet.append(
        ["Уровень сложности задания", None, None, None, None, None, *[letters[str(level)] for _n, _m, level in spec]]
    )
    sheet.append(
        [
            "ОО",
            "Муниципалитет",
            "Название ОО",
            "Код участника",
            "Класс",
            "Вариант",
            *[header_of(n, m) for n, m, _l in spec],
            "Первичный балл",
            "Отметка",
            "Отметка по журналу",
        ]
    )
    scale = marks or {"3": 6, "4": 10, "5": 14}
    for school in schools:
        present = [p for p in school.pupils if not p.absent]
        sheet.append([f"{school.name}({school.login})", f"Кол-во участников: {len(present)}"])
        for pupil in present:
            mark = 2
            for value, lowest in sorted(((int(k), v) for k, v in scale.items()), key=lambda p: p[1]):
                if pupil.total >= lowest:
                    mark = value
            sheet.append(
                [
                    school.login,
                    municipality,
                    school.name,
                    int(pupil.code),
                    pupil.label,
                    pupil.variant,
                    *pupil.scores,
                    pupil.total,
                    mark,
                    pupil.journal,
                ]
            )
    return save(book)


def protocol(
    rows: list[dict[str, Any]], *, as_csv: bool = False, title: str = "Протокол проверки ОГЭ по математике"
) -> bytes:
    """A regional ОГЭ/ЕГЭ protocol with names: a mask of short answers and «2(3)» long answers."""
    header = [
        "№ п/п",
        "Код ОО",
        "Класс",
        "Фамилия",
        "Имя",
        "Отчество",
        "Код участника",
        "Вариант",
        "Задания с кратким ответом",
        "Задания с развёрнутым ответом",
        "Первичный балл",
        "Отметка",
    ]
    records = [
        [
            i,
            r["school"],
            r["class"],
            r["last"],
            r["first"],
            r["middle"],
            r["code"],
            r.get("variant", 301),
            r["mask"],
            r["long"],
            r.get("primary"),
            r.get("mark"),
        ]
        for i, r in enumerate(rows, start=1)
    ]
    if as_csv:
        output = io.StringIO()
        writer = csv.writer(output, delimiter=";")
        writer.writerow(header)
        for record in records:
            writer.writerow(["" if v is None else v for v in record])
        return output.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    sheet.title = "Протокол"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for record in records:
        sheet.append(record)
    return save(book)


def long_csv(
    rows: list[tuple[Any, ...]], *, encoding: str = "utf-8-sig", header: tuple[str, ...] | None = None
) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(header or ("Школа", "Класс", "Код участника", "Задание", "Балл"))
    for row in rows:
        writer.writerow(row)
    return output.getvalue().encode(encoding)


def long_rows(school: str, pupils_: list[Pupil], spec: Spec = VPR_MATH_6) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for pupil in pupils_:
        if pupil.absent:
            rows.append((school, pupil.label, pupil.code, "", "отсутствовал"))
            continue
        for (number, _maximum, _level), score in zip(spec, pupil.scores, strict=True):
            rows.append((school, pupil.label, pupil.code, number, score))
    return rows
