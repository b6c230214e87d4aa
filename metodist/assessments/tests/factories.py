"""factory_boy factories of procedures and tasks, and a ВПР-like specification for tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from metodist.assessments.choices import ProcedureKind, TaskLevel
from metodist.assessments.models import Procedure, Task
from metodist.registry.tests.factories import subject

# ВПР математика 6 (the layout sample's tasks): number, maximum, level.
VPR_MATH_6 = [
    ("1", 1, TaskLevel.BASIC),
    ("2", 1, TaskLevel.BASIC),
    ("3", 1, TaskLevel.BASIC),
    ("4", 1, TaskLevel.BASIC),
    ("5", 2, TaskLevel.BASIC),
    ("6.1", 1, TaskLevel.BASIC),
    ("6.2", 1, TaskLevel.ADVANCED),
    ("7", 1, TaskLevel.BASIC),
    ("8", 2, TaskLevel.ADVANCED),
    ("9.1", 1, TaskLevel.BASIC),
    ("9.2", 1, TaskLevel.BASIC),
    ("10", 2, TaskLevel.ADVANCED),
    ("11", 2, TaskLevel.BASIC),
    ("12", 2, TaskLevel.ADVANCED),
]
MARK_SCALE_MATH_6 = {"3": 6, "4": 10, "5": 14}


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure

    kind = ProcedureKind.VPR
    title = factory.Sequence(lambda n: f"ВПР 2025/26, математика, 6 класс ({n})")
    subject = factory.LazyFunction(subject)
    grade = 6
    academic_year = 2025
    mark_scale = factory.LazyFunction(lambda: dict(MARK_SCALE_MATH_6))


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n + 1)
    max_score = 1


def procedure_with_tasks(spec=VPR_MATH_6, **kwargs) -> Procedure:
    procedure = ProcedureFactory(**kwargs)
    for position, (number, maximum, level) in enumerate(spec, start=1):
        Task.objects.create(procedure=procedure, number=number, position=position, max_score=maximum, level=level)
    return procedure
