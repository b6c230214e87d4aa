"""What every reader of a result file shares: the parsed result, problems, headers read by meaning, cells.

A reader turns one uploaded file into a :class:`ReadResult`: the tasks it names (or the procedure's, for the
formats that do not name them), the classes it holds with their anonymous students, and every problem with
its line and column. Nothing is written by a reader; the services decide.

Scores are kept as plain ints per student, in the order of :attr:`ReadResult.tasks`: a score, or
:data:`NOT_ATTEMPTED` for «X» (0 points, counted separately). A region's file holds a million of them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from metodist.imports.parsing import cell_text, normalise

from .. import messages
from ..choices import TaskLevel

NOT_ATTEMPTED = -1  # «X»: the student did not attempt the task — 0 points, counted as not attempted
# Codes :func:`score_of` returns for a cell that holds no score.
_BAD_TEXT = -2
BAD_TEXT = _BAD_TEXT  # text that is not a score (it may be «отсутствовал»)
_EMPTY = -3
_NEGATIVE = -4
_FRACTION = -5

HEADER_SEARCH_ROWS = 15
MAX_PROBLEMS = 500  # beyond this the list says «и ещё N»: a broken region file must not make a 100 MB report
X_MARKS = frozenset({"x", "х", "X", "Х"})  # Latin and Cyrillic, either case
ABSENT_WORDS = ("отсутств", "не явил", "неявка", "не писал", "болел")
NO_MARK_WORDS = frozenset({"нет отметки", "нет", "не аттестован", "н а", "-", "—", "–"})


@dataclass(slots=True)
class Problem:
    """One thing wrong with the file: where (line of the file, column as headed) and why, in Russian."""

    line: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(slots=True)
class FileTask:
    """A task as the file names it: «11.3 k1 (2б)» → number «11.3 k1», key «11.3к1», maximum 2."""

    number: str
    key: str
    max_score: int | None = None
    level: str = ""  # a TaskLevel value when the file states it (the analytics export's Б/П row)
    header: str = ""


@dataclass(slots=True)
class SpecTask:
    """A task of the procedure's specification, as the readers need it."""

    number: str
    key: str
    max_score: int
    level: str = TaskLevel.BASIC


@dataclass(slots=True)
class StudentRow:
    """One anonymous participant: code, variant, scores by task (in :attr:`ReadResult.tasks` order)."""

    line: int
    code: str
    variant: str = ""
    absent: bool = False
    gender: str = ""
    scores: list[int] = field(default_factory=list)
    journal_mark: int | None = None
    stated_score: int | None = None  # «Итого баллов» / «Первичный балл» as the file states it
    stated_mark: int | None = None  # «Отметка» as the file states it (the analytics export)

    @property
    def primary_score(self) -> int | None:
        if self.absent:
            return None
        return sum(s for s in self.scores if s > 0)


@dataclass
class ClassBlock:
    """The students of one class of one school as the file groups them."""

    school_key: str  # how the file names the school: a ФИС ОКО login, a name; "" — the school chosen on upload
    class_key: str  # «1» (an ordinal of the collection form) or a class label «6А»
    ordinal: int | None = None
    students: list[StudentRow] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.school_key}\x1f{self.class_key}"


@dataclass
class SchoolInFile:
    """A school the file names (analytics export, protocol, long format)."""

    key: str
    name: str = ""
    login: str = ""
    stated_count: int | None = None
    rows: int = 0


@dataclass
class ReadResult:
    file_format: str
    tasks: list[FileTask] = field(default_factory=list)
    classes: dict[str, ClassBlock] = field(default_factory=dict)
    schools: dict[str, SchoolInFile] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    title: dict[str, Any] = field(default_factory=dict)  # subject, grade, max_total, date from title rows
    sheet_name: str = ""
    header_line: int | None = None
    tasks_from_spec: bool = False  # the format names no tasks: scores follow the procedure's specification
    more_errors: int = 0

    def error(self, line: int | None, column: str, message: str | Promise, /, **params: Any) -> None:
        if len(self.errors) >= MAX_PROBLEMS:
            self.more_errors += 1
            return
        self.errors.append(Problem(line, column, str(message % params) if params else str(message)))

    def warn(self, line: int | None, column: str, message: str | Promise, /, **params: Any) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(Problem(line, column, str(message % params) if params else str(message)))

    def block(self, school_key: str, class_key: str, ordinal: int | None = None) -> ClassBlock:
        key = f"{school_key}\x1f{class_key}"
        found = self.classes.get(key)
        if found is None:
            found = self.classes[key] = ClassBlock(school_key=school_key, class_key=class_key, ordinal=ordinal)
        return found

    def students(self) -> int:
        return sum(len(block.students) for block in self.classes.values())


class ReaderRefused(Exception):
    """The file as a whole cannot be read in this format; ``messages`` say why, in Russian."""

    def __init__(self, *texts: str | Promise) -> None:
        self.messages = [str(t) for t in texts]
        super().__init__("; ".join(self.messages))


# --- Headers -----------------------------------------------------------------------------------------------

_TASK_HEADER = re.compile(
    r"^(?:задание|зад\.?|№)?\s*"
    r"(?P<number>\d{1,3}(?:[.,]\d{1,2}){0,2}(?:\s*\(\d{1,2}\))?(?:\s*[кkКK]\s*\d{1,2})?)"
    r"\s*(?:\(\s*(?:max\s*)?(?P<max>\d{1,3})\s*(?:б|балл|балла|баллов)?\.?\s*\))?$",
    re.IGNORECASE,
)


def task_key(number: str) -> str:
    """The number of a task as it is compared: «11.3 k1» and «11.3К1» are one task, «5,1» is «5.1»."""
    return re.sub(r"\s+", "", str(number)).lower().replace(",", ".").replace("k", "к")


def parse_task_header(value: Any) -> FileTask | None:
    """«1 (1б)», «5.1 (1б)», «4К1 (3б)», «11.3 k1 (2б)», «Задание 7» → a task; ``None`` otherwise."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return FileTask(number=str(value), key=str(value), header=str(value)) if 0 < value < 1000 else None
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace("\xa0", " ").split())
    match = _TASK_HEADER.match(text)
    if not match:
        return None
    number = " ".join(match.group("number").split())
    maximum = int(match.group("max")) if match.group("max") else None
    return FileTask(number=number, key=task_key(number), max_score=maximum, header=text)


def looks_like_task(value: Any) -> bool:
    """A header that starts like a task number: a broken task header is an error, not a column to skip."""
    text = cell_text(value)
    return bool(text) and (text[0].isdigit() or normalise(text).startswith(("задание", "зад ")))


def header_texts(cells: list[Any]) -> list[str]:
    return [cell_text(c) for c in cells]


def found_headers(rows: list[list[Any]]) -> str:
    """What the first rows hold, for a message that says nothing matched: «…», «…»."""
    seen: list[str] = []
    for cells in rows:
        for text in header_texts(cells):
            if text and text not in seen:
                seen.append(text)
            if len(seen) >= 15:
                break
    return ", ".join(f"«{t[:40]}»" for t in seen) or "ничего"


# --- Cells ---------------------------------------------------------------------------------------------------


def score_of(value: Any) -> int:
    """A score cell: points ≥ 0, :data:`NOT_ATTEMPTED` for «X», or a negative code for what is not a score.

    The hot path of a region's file: numbers first, no exceptions.
    """
    kind = type(value)
    if kind is float:
        if value.is_integer():
            return int(value) if value >= 0 else _NEGATIVE
        return _FRACTION
    if kind is int:
        return value if value >= 0 else _NEGATIVE
    if value is None:
        return _EMPTY
    if kind is str:
        text = value.strip()
        if not text:
            return _EMPTY
        if text.isdigit():
            return int(text)
        if text in X_MARKS:
            return NOT_ATTEMPTED
        text = text.replace(",", ".")
        if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
            return _NEGATIVE
        try:
            number = float(text)
        except ValueError:
            return _BAD_TEXT
        if number.is_integer():
            return int(number)
        return _FRACTION
    if kind is bool:
        return _BAD_TEXT
    return _BAD_TEXT


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def score_problem(result: ReadResult, line: int, column: str, value: Any, code: int, maximum: int | None) -> None:
    """Report a cell :func:`score_of` did not accept."""
    if code == _EMPTY:
        result.error(line, column, messages.SCORE_REQUIRED)
    elif code == _NEGATIVE:
        result.error(line, column, messages.SCORE_NEGATIVE, value=cell_text(value))
    else:
        result.error(line, column, messages.SCORE_NOT_A_NUMBER, value=cell_text(value)[:40], max=maximum or "…")


def is_absent(value: Any) -> bool:
    text = normalise(value)
    return bool(text) and text.startswith(ABSENT_WORDS)


def code_text(value: Any) -> str:
    """A participant code: 61001.0 → «61001»; text codes as written («0123» keeps its zero)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return cell_text(value)[:32]


def mark_of(value: Any) -> int | None:
    """A mark 2–5; ``None`` for «нет отметки» or an empty cell; raises ``ValueError`` otherwise."""
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 2 <= int(value) <= 5:
            return int(value)
        raise ValueError(value)
    text = normalise(value)
    if text in NO_MARK_WORDS or not text:
        return None
    if text in {"2", "3", "4", "5"}:
        return int(text)
    raise ValueError(value)


def gender_of(value: Any) -> str | None:
    """«м»/«ж» (and «муж.», «жен.», «m», «f») → "m"/"f"; "" when empty; ``None`` when unknown."""
    text = normalise(value)
    if not text:
        return ""
    if text in {"м", "муж", "мужской", "m", "male", "мальчик"}:
        return "m"
    if text in {"ж", "жен", "женский", "f", "female", "девочка"}:
        return "f"
    return None


_CLASS_LABEL = re.compile(r"^(?P<grade>\d{1,2})\s*[-–—\s]?\s*(?P<letter>[а-яёa-z]{0,3})\s*(?:класс)?$", re.IGNORECASE)


def class_label(value: Any) -> str:
    """«6 а», «6-А», «6А класс» → «6А»; other text as written."""
    text = cell_text(value)
    match = _CLASS_LABEL.match(text)
    if match:
        return f"{int(match.group('grade'))}{match.group('letter').upper()}"
    return text[:32]


def class_grade(label: str) -> int | None:
    match = _CLASS_LABEL.match(label)
    return int(match.group("grade")) if match else None


def date_of(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", cell_text(value))
    if not match:
        return None
    try:
        return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


LEVEL_LETTERS = {"б": TaskLevel.BASIC, "п": TaskLevel.ADVANCED, "в": TaskLevel.HIGH}


def level_of(value: Any) -> str:
    """Б / П / В (or the words) → a TaskLevel value; "" when empty or unknown."""
    text = normalise(value)
    if not text:
        return ""
    if text in LEVEL_LETTERS:
        return LEVEL_LETTERS[text]
    for prefix, level in (("баз", TaskLevel.BASIC), ("пов", TaskLevel.ADVANCED), ("выс", TaskLevel.HIGH)):
        if text.startswith(prefix):
            return level
    return ""
