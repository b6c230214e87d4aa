"""The independent computation the tests compare the analysis with: plain Python over the raw rows.

Written separately from ``metodist.analysis`` (it imports nothing from it): it reads every student's
row and every task score, never ``TaskAggregate``, and applies ФИОКО's definitions directly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from metodist.assessments.models import StudentResult, Task, TaskScore


def raw_rows(class_assessment_ids: Iterable[int]) -> tuple[list[dict], list[dict]]:
    ids = list(class_assessment_ids)
    students = list(
        StudentResult.objects.filter(class_assessment_id__in=ids).values(
            "pk",
            "class_assessment_id",
            "class_assessment__organisation_id",
            "student_code",
            "absent",
            "primary_score",
            "mark",
            "journal_mark",
            "class_assessment__class_label",
        )
    )
    scores = list(
        TaskScore.objects.filter(student__class_assessment_id__in=ids).values("student_id", "task_id", "score")
    )
    return students, scores


def task_rates(class_assessment_ids: Iterable[int]) -> dict[int, float]:
    """{task id: sum of points / (present students × max) × 100}."""
    students, scores = raw_rows(class_assessment_ids)
    present = {s["pk"] for s in students if not s["absent"]}
    maxima = dict(Task.objects.values_list("pk", "max_score"))
    points: dict[int, int] = defaultdict(int)
    task_ids = set()
    for row in scores:
        if row["student_id"] in present:
            points[row["task_id"]] += row["score"]
            task_ids.add(row["task_id"])
    return {task: points[task] * 100 / (len(present) * maxima[task]) for task in task_ids}


def overall(class_assessment_ids: Iterable[int], levels: set[str] | None = None) -> float:
    """All points / all possible points over the present students (optionally of some task levels)."""
    students, scores = raw_rows(class_assessment_ids)
    present = {s["pk"] for s in students if not s["absent"]}
    tasks = {t.pk: t for t in Task.objects.all()}
    got = possible = 0
    for row in scores:
        task = tasks[row["task_id"]]
        if row["student_id"] in present and (levels is None or task.level in levels):
            got += row["score"]
            possible += task.max_score
    return got * 100 / possible


def marks(class_assessment_ids: Iterable[int]) -> dict:
    students, _ = raw_rows(class_assessment_ids)
    present = [s for s in students if not s["absent"] and s["mark"] is not None]
    counts = Counter(s["mark"] for s in present)
    total = len(present)
    compared = [s for s in present if s["journal_mark"] is not None]
    lower = sum(1 for s in compared if s["mark"] < s["journal_mark"])
    higher = sum(1 for s in compared if s["mark"] > s["journal_mark"])
    same = len(compared) - lower - higher
    return {
        "counts": {m: counts.get(m, 0) for m in (2, 3, 4, 5)},
        "shares": {m: counts.get(m, 0) * 100 / total for m in (2, 3, 4, 5)},
        "quality": (counts.get(4, 0) + counts.get(5, 0)) * 100 / total,
        "progress": (total - counts.get(2, 0)) * 100 / total,
        "lower": lower,
        "same": same,
        "higher": higher,
        "compared": len(compared),
        "gaps": sorted(
            (s["class_assessment__class_label"], s["student_code"])
            for s in compared
            if abs(s["mark"] - s["journal_mark"]) >= 2
        ),
    }


def distribution(class_assessment_ids: Iterable[int]) -> dict[int, int]:
    students, _ = raw_rows(class_assessment_ids)
    return dict(Counter(s["primary_score"] for s in students if not s["absent"]))


def level_of(rate: float, level: str) -> str:
    """ФИОКО's default levels, written out: basic 60 / 57, advanced and high 30 / 28.5."""
    high, middle = (30, 28.5) if level in ("advanced", "high") else (60, 57)
    if rate >= high:
        return "sufficient"
    if rate >= middle:
        return "uncertain"
    return "insufficient"
