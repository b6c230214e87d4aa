"""Helpers of the import tests: spreadsheets built in memory, uploads through the test client."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from metodist.imports.models import ImportBatch
from metodist.registry.models import Employment, Organisation, Person
from metodist.registry.validators import inn_with_checksum, ogrn_with_checksum, snils_with_checksum


def snils(number: int) -> str:
    """A valid СНИЛС for a 9-digit number (above 001-001-998, so that it carries a checksum)."""
    return snils_with_checksum(f"{number:09d}")


def inn(number: int) -> str:
    return inn_with_checksum(f"52{number:07d}")


def ogrn(number: int) -> str:
    return ogrn_with_checksum(f"{105200000000 + number:012d}")


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def xlsx(rows: list[list], *, title_rows: list[list] | None = None, sheet: str = "Лист1") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in (title_rows or []) + rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ";", encoding: str = "cp1251") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.strftime("%d.%m.%Y") if isinstance(v, datetime.date) else v) for v in row]
        )
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, filename: str = "list.xlsx", *, kind: str = "staff", organisation=None):
    """Post a file to the upload page and follow to the preview."""
    data = {"kind": kind, "file": _named(content, filename)}
    if organisation is not None:
        data["organisation"] = organisation.pk
    return client.post(reverse("imports:upload"), data, follow=True)


def _named(content: bytes, filename: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(filename, content)


def last_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-pk").first()


def apply(client, batch: ImportBatch, *, only_valid: bool = False):
    data = {"only_valid": "on"} if only_valid else {}
    return client.post(reverse("imports:apply", args=[batch.pk]), data, follow=True)


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "employments": Employment.objects.count(),
        "organisations": Organisation.objects.count(),
        "log": LogEntry.objects.count(),
    }


def text(response) -> str:
    return response.content.decode()


STAFF_HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "СНИЛС",
    "Должность",
    "Предметы",
    "Классы",
    "Пед. стаж с",
    "Дата приёма",
    "Категория",
    "Дата присвоения категории",
    "Руководитель",
    "Email",
    "Телефон",
]


def staff_rows() -> list[list]:
    return [
        [
            "Петрова",
            "Анна",
            "Сергеевна",
            datetime.date(1990, 4, 12),
            snils(123456789),
            "Учитель",
            "Математика, Информатика",
            "5-9, 11",
            datetime.date(2012, 9, 1),
            datetime.date(2015, 9, 1),
            "высшая",
            datetime.date(2023, 2, 15),
            "нет",
            "petrova@example.org",
            "+7 900 111-22-33",
        ],
        [
            "Смирнов",
            "Игорь",
            "Павлович",
            datetime.date(1978, 11, 3),
            "",
            "Заместитель директора",
            "",
            "",
            datetime.date(2000, 9, 1),
            datetime.date(2010, 9, 1),
            "СЗД",
            datetime.date(2022, 5, 20),
            "да",
            "",
            "",
        ],
        [
            "Кузнецова",
            "Ольга",
            "",
            datetime.date(1995, 1, 30),
            snils(234567891),
            "Учитель-логопед",
            "Коррекционная педагогика",
            "1-4",
            datetime.date(2019, 9, 1),
            datetime.date(2019, 9, 1),
            "без категории",
            None,
            "нет",
            "",
            "",
        ],
    ]
