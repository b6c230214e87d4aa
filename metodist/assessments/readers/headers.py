"""Columns of result files, recognised by what their header means rather than where they stand.

Header texts are compared after :func:`metodist.imports.parsing.normalise` (lower case, «ё» as «е»,
punctuation as spaces): «Код участника», «код  участника:» and «КОД УЧАСТНИКА» are one column.
"""

from __future__ import annotations

from typing import Any

from metodist.imports.parsing import normalise

CODE = "code"
VARIANT = "variant"
CLASS = "class"  # an ordinal in the collection form, a label («6А») elsewhere
GENDER = "gender"
JOURNAL = "journal"
TOTAL = "total"
MARK = "mark"
SCHOOL_LOGIN = "school_login"
SCHOOL_NAME = "school_name"
MUNICIPALITY = "municipality"
TASK = "task"
SCORE = "score"
SHORT_ANSWERS = "short_answers"
LONG_ANSWERS = "long_answers"
PERSONAL = "personal"  # names, birth dates, documents: dropped as the upload is received
IGNORED = "ignored"  # row numbers, test scores, dates: known and not needed

_EXACT: dict[str, str] = {}
for _key, _names in {
    CODE: (
        "код",
        "код участника",
        "код обучающегося",
        "код ученика",
        "код работы",
        "код участника впр",
        "идентификатор участника",
        "уникальный код участника",
        "номер бланка",
        "код бланка",
        "номер работы",
    ),
    CLASS: ("класс", "порядковый номер класса", "номер класса", "класс литера", "класс буква"),
    GENDER: ("пол",),
    MARK: ("отметка", "оценка", "отметка за работу", "отметка впр", "отметка по пятибалльной шкале"),
    SCHOOL_LOGIN: ("оо", "логин оо", "логин", "код оо", "логин фис око", "логин организации"),
    SCHOOL_NAME: (
        "название оо",
        "наименование оо",
        "образовательная организация",
        "школа",
        "организация",
        "наименование организации",
        "полное наименование оо",
    ),
    MUNICIPALITY: ("муниципалитет", "мо", "муниципальное образование", "ато", "район", "муниципальный район"),
    TASK: ("задание", "номер задания", "задания", "задача", "номер задачи"),
    SCORE: ("балл", "баллы", "балл за задание", "баллов", "количество баллов"),
    PERSONAL: (
        "фио",
        "ф и о",
        "фамилия",
        "имя",
        "отчество",
        "фамилия имя отчество",
        "фамилия имя",
        "фамилия и о",
        "фио участника",
        "фио обучающегося",
        "фио ученика",
        "участник",
        "дата рождения",
        "снилс",
        "документ",
        "серия",
        "номер",
        "серия документа",
        "номер документа",
        "серия и номер документа",
        "паспорт",
    ),
    IGNORED: ("n", "п п", "n п п", "номер п п", "тестовый балл", "дата", "предмет", "примечание", "тип"),
}.items():
    for _name in _names:
        _EXACT[_name] = _key

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("вариант", VARIANT),
    ("порядковый номер класса", CLASS),
    ("класс ", CLASS),
    ("отметка за предыдущ", JOURNAL),
    ("отметка по журналу", JOURNAL),
    ("отметка в журнале", JOURNAL),
    ("оценка по журналу", JOURNAL),
    ("отметка за четверть", JOURNAL),
    ("отметка за триместр", JOURNAL),
    ("отметка за полугодие", JOURNAL),
    ("четвертная отметка", JOURNAL),
    ("итого", TOTAL),
    ("сумма баллов", TOTAL),
    ("первичный балл", TOTAL),
    ("всего баллов", TOTAL),
    ("общий балл", TOTAL),
    ("балл за работу", TOTAL),
    ("фамилия", PERSONAL),
    ("фио", PERSONAL),
    ("имя ", PERSONAL),
    ("отчество", PERSONAL),
    ("дата рождения", PERSONAL),
    ("паспорт", PERSONAL),
    ("документ", PERSONAL),
    ("снилс", PERSONAL),
    ("кол во участников", IGNORED),
)


def classify(value: Any) -> str | None:
    """The column a header names, or ``None`` when it names none we know (it may still be a task)."""
    if not isinstance(value, str):
        return None
    text = normalise(value)
    if not text:
        return None
    if text.startswith("номер п п") or text.startswith("n п п"):
        return IGNORED
    # «Код ОО» is the school; «Задания с кратким ответом» is a mask, not a task column.
    if "кратк" in text and ("ответ" in text or "задани" in text):
        return SHORT_ANSWERS
    if "развернут" in text and ("ответ" in text or "задани" in text):
        return LONG_ANSWERS
    if text in _EXACT:
        return _EXACT[text]
    for prefix, key in _PREFIXES:
        if text.startswith(prefix):
            return key
    return None


def variant_part(value: Any) -> int:
    """«Вариант (часть 1)» → 1, «Вариант (часть 2)» → 2, «Вариант» → 0."""
    text = normalise(value)
    if "часть 2" in text or "2 часть" in text:
        return 2
    if "часть 1" in text or "1 часть" in text:
        return 1
    return 0


def is_personal(value: Any) -> bool:
    return classify(value) == PERSONAL
