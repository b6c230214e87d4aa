"""Subject-methodological indicators (предметно-методические показатели) of mathematics and Russian teachers.

Municipal methodological services describe what a subject teacher needs beyond the professional standard
in terms of the subject's own teaching: these two frameworks are Metodist's examples, built by the demo and
loadable on their own. Assessment tasks point at them through ``Task.competence_codes`` («ПМ-М.5»), so a
class's insufficient task proposes a deficit at the indicator its teacher works on.

Codes (natural keys; the group is the framework's root):

Mathematics — framework «ПМ-М», subject «Математика»:
    ПМ-М      the group of indicators
    ПМ-М.1    subject knowledge of the school course at the level of advanced problems
    ПМ-М.2    computations with natural numbers, fractions, approximations; estimation and checking
    ПМ-М.3    word problems: motion, work, percentages and proportions
    ПМ-М.4    a mathematical model of a practical situation and the interpretation of its result
    ПМ-М.5    reading and transforming information in tables, diagrams and graphs
    ПМ-М.6    geometry: computation problems, drawings and spatial reasoning
    ПМ-М.7    logical reasoning, proof and counterexamples
    ПМ-М.8    equations, inequalities and their systems; functions and graphs
    ПМ-М.9    elements of probability and statistics
    ПМ-М.10   analysing assessment results by task and planning corrective work

Russian — framework «ПМ-Р», subject «Русский язык»:
    ПМ-Р      the group of indicators
    ПМ-Р.1    spelling rules and their application (орфография)
    ПМ-Р.2    punctuation analysis of a sentence (пунктуация)
    ПМ-Р.3    morphemic and word-formation analysis
    ПМ-Р.4    morphological analysis (части речи)
    ПМ-Р.5    syntactic analysis (словосочетание, предложение)
    ПМ-Р.6    orthoepic and other norms of the literary language
    ПМ-Р.7    understanding a text: its topic, main idea and content
    ПМ-Р.8    writing a coherent text (сочинение, изложение)
    ПМ-Р.9    vocabulary: the lexical meaning of a word, means of expression
    ПМ-Р.10   analysing assessment results by task and planning corrective work
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .choices import CompetenceArea, FrameworkKind, NodeKind
from .framework_files import ParsedFramework, ParsedNode
from .models import Framework

if TYPE_CHECKING:
    from metodist.accounts.models import User

# (framework code, subject, name, [(indicator, areas)]): indicators are numbered «<code>.1», «<code>.2» …
Definition = tuple[str, str, str, list[tuple[str, list[CompetenceArea]]]]

_S, _M, _D = CompetenceArea.SUBJECT, CompetenceArea.METHODOLOGICAL, CompetenceArea.DIGITAL

MATHS: Definition = (
    "ПМ-М",
    "Математика",
    "Предметно-методические показатели учителя математики",
    [
        ("Владеет содержанием школьного курса математики на уровне решения задач повышенной сложности", [_S]),
        (
            "Учит действиям с натуральными числами, дробями и приближёнными значениями, прикидке и проверке результата",
            [_M],
        ),
        ("Учит решать текстовые задачи, в том числе на движение, работу, проценты и пропорции", [_M]),
        ("Учит строить математическую модель практической ситуации и истолковывать полученный результат", [_M]),
        ("Учит читать и преобразовывать информацию из таблиц, диаграмм и графиков", [_M]),
        (
            "Учит решать геометрические задачи на вычисление, работать с чертежом и пространственными представлениями",
            [_M],
        ),
        ("Учит логически рассуждать, доказывать и находить контрпример", [_M]),
        ("Учит решать уравнения, неравенства и их системы, работать с функциями и их графиками", [_M]),
        ("Учит элементам теории вероятностей и статистики", [_S, _M]),
        ("Анализирует результаты оценочных процедур по заданиям и планирует коррекционную работу", [_M, _D]),
    ],
)
RUSSIAN: Definition = (
    "ПМ-Р",
    "Русский язык",
    "Предметно-методические показатели учителя русского языка",
    [
        ("Учит применять правила орфографии, находить и объяснять орфограммы", [_M]),
        ("Учит пунктуационному анализу предложения и расстановке знаков препинания", [_M]),
        ("Учит морфемному и словообразовательному анализу слова", [_M]),
        ("Учит морфологическому анализу: распознаванию частей речи и их форм", [_M]),
        ("Учит синтаксическому анализу словосочетания и предложения", [_M]),
        ("Учит соблюдать орфоэпические, лексические и грамматические нормы литературного языка", [_S, _M]),
        ("Учит понимать текст: определять его тему, основную мысль, извлекать информацию", [_M]),
        ("Учит строить связное письменное высказывание: изложение, сочинение", [_M]),
        ("Учит определять лексическое значение слова и распознавать средства выразительности", [_S, _M]),
        ("Анализирует результаты оценочных процедур по заданиям и планирует коррекционную работу", [_M, _D]),
    ],
)
VERSION = "2025"


def parsed_framework(definition: Definition) -> ParsedFramework:
    code, _subject, name, indicators = definition
    parsed = ParsedFramework(name=name)
    parsed.nodes.append(ParsedNode(code, "", NodeKind.GROUP, name, [], code))
    for number, (title, areas) in enumerate(indicators, start=1):
        parsed.nodes.append(ParsedNode(f"{code}.{number}", code, NodeKind.INDICATOR, title, list(areas), code))
    return parsed


def load_subject_frameworks(*, user: User | None = None) -> list[Framework]:
    """Create the mathematics and Russian frameworks (or return those already loaded)."""
    from metodist.registry.models import Subject

    from .services import framework_import

    loaded = []
    for definition in (MATHS, RUSSIAN):
        code, subject_name, name, _indicators = definition
        existing: Framework | None = Framework.objects.filter(code=code, version=VERSION).first()
        if existing is None:
            existing = framework_import(
                parsed=parsed_framework(definition),
                user=user,
                code=code,
                version=VERSION,
                name=name,
                kind=FrameworkKind.SUBJECT_METHODOLOGICAL,
                subject=Subject.objects.filter(name=subject_name).first(),
                source="Методическая служба: показатели для диагностики учителей предмета",
            )
        loaded.append(existing)
    return loaded
