"""The assessments' part of the demo: three procedures with full task specifications and ВПР-like results of
every school of the demo municipality, loaded through the load service (``services.class_results_load``).

- «ВПР, математика, 6 класс» and «ВПР, русский язык, 5 класс» (checked elements, planned results, codifier
  codes, levels, teacher competences «A/01.6» …), and a regional diagnostic of reading literacy, 7th grade;
- each school has an ability of its own; the schools flagged in the registry as ШНОР (``low_results``) come out
  visibly low; one rural basic school (``oosh_kamenka``) shows an objectivity anomaly — results far above every
  other school while its journal marks stay as they were, so the ВПР marks exceed them by one or two;
- each demo school gets a ФИС ОКО login («edu98…»), as the analytics export names schools by it.

Everything random comes from ``ctx.rng``; the same seed gives the same results on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from metodist.registry.choices import OrganisationKind
from metodist.registry.demo.context import DemoContext, academic_year_start
from metodist.registry.models import Organisation, SchoolClass, Subject

from .choices import LiteracyType, ProcedureKind, TaskLevel
from .loading import ClassResults
from .models import Procedure, Task
from .readers.base import NOT_ATTEMPTED, StudentRow
from .services import class_results_load

DEMO_ORDER = 40
ANOMALY_SCHOOL = "oosh_kamenka"  # results far above the others, journal marks unmoved
LOW_EFFECT = -1.1
ANOMALY_EFFECT = 1.9
B, P, H = TaskLevel.BASIC, TaskLevel.ADVANCED, TaskLevel.HIGH

# number, max, level, checked element, planned result, codifier codes, competence codes
MATH_6: list[tuple[str, int, str, str, str, str, str]] = [
    (
        "1",
        1,
        B,
        "Натуральные числа: сравнение, действия",
        "Оперировать понятием «натуральное число»",
        "1.1, 1.2",
        "A/01.6",
    ),
    ("2", 1, B, "Обыкновенные дроби", "Оперировать понятием «обыкновенная дробь»", "1.3", "A/01.6"),
    ("3", 1, B, "Десятичные дроби", "Сравнивать и упорядочивать десятичные дроби", "1.4", "A/01.6"),
    ("4", 1, B, "Отношения и пропорции", "Находить часть числа и число по его части", "1.5", "A/01.6, A/03.6"),
    ("5", 2, B, "Действия с дробями", "Выполнять вычисления с рациональными числами", "1.6", "A/01.6"),
    ("6.1", 1, B, "Чтение таблиц", "Читать информацию, представленную в таблице", "7.1", "A/01.6"),
    ("6.2", 1, P, "Анализ данных таблицы", "Извлекать и интерпретировать данные таблицы", "7.2", "A/01.6, A/03.6"),
    ("7", 1, B, "Модуль числа, координатная прямая", "Оперировать понятием «модуль числа»", "1.7", "A/01.6"),
    (
        "8",
        2,
        P,
        "Текстовые задачи на проценты",
        "Решать задачи на нахождение процента от числа",
        "3.1",
        "A/01.6, A/03.6",
    ),
    ("9.1", 1, B, "Числовые выражения", "Находить значение числового выражения", "2.1", "A/01.6"),
    ("9.2", 1, B, "Порядок действий", "Соблюдать порядок действий в выражении", "2.2", "A/01.6"),
    ("10", 2, P, "Логические задачи", "Решать несложные логические задачи", "3.2", "A/01.6, A/03.6"),
    ("11", 2, B, "Наглядная геометрия", "Оперировать понятиями геометрических фигур", "5.1", "A/01.6"),
    ("12", 2, H, "Задачи повышенной трудности", "Решать задачи разных типов (на движение, работу)", "3.3", "A/03.6"),
]
RUSSIAN_5: list[tuple[str, int, str, str, str, str, str]] = [
    ("1К1", 4, B, "Списывание текста: орфография", "Соблюдать орфографические нормы", "1.1, 1.2", "A/01.6"),
    ("1К2", 3, B, "Списывание текста: пунктуация", "Соблюдать пунктуационные нормы", "1.3", "A/01.6"),
    ("1К3", 2, B, "Правильность списывания", "Списывать текст без ошибок", "1.4", "A/01.6"),
    ("2К1", 3, B, "Фонетический разбор", "Проводить фонетический анализ слова", "2.1", "A/01.6"),
    ("2К2", 3, B, "Морфемный разбор", "Проводить морфемный анализ слова", "2.2", "A/01.6"),
    ("2К3", 3, P, "Морфологический разбор", "Проводить морфологический анализ слова", "2.3", "A/01.6, A/03.6"),
    ("2К4", 3, P, "Синтаксический разбор", "Проводить синтаксический анализ предложения", "2.4", "A/01.6, A/03.6"),
    ("3", 2, B, "Орфоэпия", "Соблюдать орфоэпические нормы", "3.1", "A/01.6"),
    ("4", 2, B, "Части речи", "Распознавать самостоятельные части речи", "2.5", "A/01.6"),
    ("5", 2, B, "Предложения с прямой речью", "Расставлять знаки препинания при прямой речи", "3.2", "A/01.6"),
    ("6", 2, P, "Сложные предложения", "Различать простые и сложные предложения", "3.3", "A/01.6, A/03.6"),
    ("7", 2, B, "Обращение", "Находить обращение, ставить знаки препинания", "3.4", "A/01.6"),
    ("8", 2, P, "Основная мысль текста", "Определять основную мысль текста", "4.1", "A/01.6, A/03.6, B/02.6"),
    ("9", 2, P, "План текста", "Составлять план прочитанного текста", "4.2", "A/01.6, A/03.6"),
    ("10", 2, B, "Вопрос по тексту", "Задавать вопросы по содержанию текста", "4.3", "A/01.6"),
    ("11", 2, B, "Лексическое значение слова", "Определять лексическое значение слова", "5.1", "A/01.6"),
    ("12", 2, H, "Синонимы и антонимы", "Подбирать синонимы и антонимы", "5.2", "A/01.6, A/03.6"),
]
READING_7: list[tuple[str, int, str, str, str, str, str]] = [
    ("1", 1, B, "Находить и извлекать информацию", "Определять наличие информации в тексте", "ЧГ 1.1", "A/01.6"),
    ("2", 1, B, "Находить и извлекать информацию", "Находить информацию, заданную в явном виде", "ЧГ 1.2", "A/01.6"),
    (
        "3",
        2,
        P,
        "Интегрировать и интерпретировать",
        "Устанавливать связи между частями текста",
        "ЧГ 2.1",
        "A/01.6, A/03.6",
    ),
    ("4", 2, P, "Интегрировать и интерпретировать", "Делать выводы на основе информации текста", "ЧГ 2.2", "A/03.6"),
    ("5", 2, H, "Осмысливать и оценивать", "Оценивать достоверность информации", "ЧГ 3.1", "A/03.6, B/02.6"),
    ("6", 1, B, "Использовать информацию", "Применять информацию для решения задачи", "ЧГ 4.1", "A/01.6"),
    ("7", 2, H, "Осмысливать и оценивать", "Высказывать и обосновывать своё мнение", "ЧГ 3.2", "A/03.6, B/02.6"),
]


def _procedures(ctx: DemoContext, year: int) -> list[tuple[Procedure, float]]:
    """The three procedures with their tasks; each with how hard it is overall."""
    held = _held_on(ctx, year)
    specs: list[tuple[dict[str, Any], Sequence[tuple[str, int, str, str, str, str, str]], str, float]] = [
        (
            {"kind": ProcedureKind.VPR, "title": f"ВПР {year}/{(year + 1) % 100:02d}, математика, 6 класс",
             "subject": "Математика", "grade": 6, "mark_scale": {"3": 6, "4": 10, "5": 14}},
            MATH_6, "", 0.0,
        ),
        (
            {"kind": ProcedureKind.VPR, "title": f"ВПР {year}/{(year + 1) % 100:02d}, русский язык, 5 класс",
             "subject": "Русский язык", "grade": 5, "mark_scale": {"3": 18, "4": 29, "5": 38}},
            RUSSIAN_5, "", 0.1,
        ),
        (
            {"kind": ProcedureKind.REGIONAL,
             "title": f"РДР {year}/{(year + 1) % 100:02d}, читательская грамотность, 7 класс",
             "subject": "Русский язык", "grade": 7, "mark_scale": {"3": 4, "4": 7, "5": 10}},
            READING_7, LiteracyType.READING, 0.3,
        ),
    ]  # fmt: skip
    made = []
    for fields, tasks, literacy, hardness in specs:
        procedure = Procedure.objects.create(
            kind=fields["kind"],
            title=fields["title"],
            subject=Subject.objects.get(name=fields["subject"]),
            grade=fields["grade"],
            academic_year=year,
            held_on=held,
            mark_scale=fields["mark_scale"],
            description="Демонстрационные данные: результаты сгенерированы и не относятся к реальным обучающимся.",
        )
        Task.objects.bulk_create(
            Task(
                procedure=procedure, number=number, position=position, max_score=maximum, level=level,
                checked_element=element, planned_result=result, codifier_codes=codes, literacy_type=literacy,
                competence_codes=competences,
            )
            for position, (number, maximum, level, element, result, codes, competences) in enumerate(tasks, start=1)
        )  # fmt: skip
        made.append((procedure, hardness))
    return made


def _held_on(ctx: DemoContext, year: int) -> datetime.date:
    """ВПР are written in spring; before spring the demo shows the autumn round of the same academic year."""
    spring = datetime.date(year + 1, 4, 16)
    if ctx.today >= spring + datetime.timedelta(days=14):
        return spring
    return max(datetime.date(year, 9, 25), ctx.today - datetime.timedelta(days=21))


_DIFFICULTY = {TaskLevel.BASIC: -0.6, TaskLevel.ADVANCED: 0.5, TaskLevel.HIGH: 1.2}


def _chance(ability: float, difficulty: float) -> float:
    return 1 / (1 + math.exp(-(ability - difficulty) * 1.4))


def _students(
    ctx: DemoContext, school_class: SchoolClass, tasks: list[Task], effect: float, hardness: float, anomaly: bool,
    prefix: str,
) -> list[StudentRow]:  # fmt: skip
    rng = ctx.rng
    size = school_class.students_count or rng.randint(18, 28)
    rows = []
    for number in range(1, size + 1):
        code = f"{prefix}{number:02d}"
        ability = rng.gauss(effect, 0.9)
        honest_level = rng.gauss(effect if not anomaly else 0.0, 0.9)  # what the teacher sees all year
        journal = max(2, min(5, round(3.6 + 0.9 * (honest_level if anomaly else ability) + rng.gauss(0, 0.45))))
        journal_mark = journal if rng.random() > 0.04 else None
        if rng.random() < 0.07:
            rows.append(StudentRow(line=0, code=code, absent=True, journal_mark=journal_mark))
            continue
        scores = []
        for task in tasks:
            if rng.random() < (0.02 if anomaly else 0.05 + max(0.0, -effect) * 0.04):
                scores.append(NOT_ATTEMPTED)
                continue
            p = _chance(ability, _DIFFICULTY[TaskLevel(task.level)] + hardness)
            scores.append(sum(1 for _ in range(task.max_score) if rng.random() < p))
        rows.append(
            StudentRow(
                line=0, code=code, variant=str(rng.choice((1, 2))), gender=rng.choice("mf"), scores=scores,
                journal_mark=journal_mark,
            )
        )  # fmt: skip
    return rows


def build(ctx: DemoContext) -> None:
    municipality = ctx.municipality
    schools = list(
        Organisation.objects.filter(territory=municipality, kind=OrganisationKind.SCHOOL).order_by("short_name", "id")
    )
    keys = {plan.organisation.pk: plan.key for plan in ctx.plans}
    for index, school in enumerate(schools, start=1):
        Organisation.objects.filter(pk=school.pk).update(fis_oko_login=f"edu98{index:04d}")
    effects = {school.pk: ctx.rng.gauss(0.2, 0.15) for school in schools}
    for school in schools:
        if school.low_results:
            effects[school.pk] = LOW_EFFECT + ctx.rng.gauss(0, 0.1)
        elif keys.get(school.pk) == ANOMALY_SCHOOL:
            effects[school.pk] = ANOMALY_EFFECT
        elif keys.get(school.pk) in ("gymnasium", "sosh4"):
            effects[school.pk] += 0.35
    year = academic_year_start(ctx.today)
    for procedure, hardness in _procedures(ctx, year):
        tasks = list(procedure.tasks.order_by("position"))
        classes = SchoolClass.objects.filter(
            organisation__in=schools, academic_year=year, grade=procedure.grade
        ).order_by("organisation__short_name", "letter")
        results = []
        for position, school_class in enumerate(classes, start=1):
            school = next(s for s in schools if s.pk == school_class.organisation_id)
            anomaly = keys.get(school.pk) == ANOMALY_SCHOOL
            prefix = f"{procedure.grade}{schools.index(school) + 1:02d}{position:02d}"
            results.append(
                ClassResults(
                    organisation=school,
                    class_label=school_class.name,
                    school_class=school_class,
                    students=_students(ctx, school_class, tasks, effects[school.pk], hardness, anomaly, prefix),
                )
            )
        class_results_load(procedure=procedure, classes=results, source_name="Демонстрационные данные")


def delete() -> None:
    """Remove the demo's procedures (their tasks and results go with them)."""
    Procedure.objects.filter(description__startswith="Демонстрационные данные", organisation__isnull=True).delete()
