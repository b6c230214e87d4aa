"""ФИОКО's method as plain computations over counts: no database here (the reads are in ``selectors``).

* **Процент выполнения задания** of a group = sum of points / (participants × maximum) × 100, where
  participants are the students present and an «X» (not attempted) counts 0 points.
* **Уровень выполнения** of a task against the thresholds: basic tasks sufficient ≥ 60 %, uncertain
  57–60 %, insufficient < 57 %; advanced and high tasks ≥ 30 %, 28.5–30 %, < 28.5 % (the defaults;
  :class:`~metodist.analysis.models.AnalysisThresholds`).
* **Качество** = share of marks 4 and 5; **успеваемость** = share of marks 3, 4 and 5.
* **Сравнение с журналом**: понизили (ВПР mark below the journal's), подтвердили, повысили.
* **Пики на границах отметок**: the lowest primary score of a mark reached by many more students than
  the score one point below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .choices import JournalComparison, Mastery

if TYPE_CHECKING:
    from metodist.assessments.models import Task

    from .models import AnalysisThresholds

MARKS = (2, 3, 4, 5)
ADVANCED_LEVELS = frozenset({"advanced", "high"})


def rate(points: int, participants: int, max_score: int) -> float | None:
    """Процент выполнения: points / (participants × max) × 100; ``None`` for an empty group."""
    if participants <= 0 or max_score <= 0:
        return None
    return points * 100.0 / (participants * max_score)


def share(part: int, whole: int) -> float | None:
    """A share in percent; ``None`` when there is nothing to divide by."""
    return part * 100.0 / whole if whole > 0 else None


def mastery(level: str, value: float | None, thresholds: AnalysisThresholds) -> Mastery | None:
    """The level of a task's success rate: sufficient / uncertain / insufficient (``None`` without a rate)."""
    if value is None:
        return None
    if level in ADVANCED_LEVELS:
        sufficient, uncertain = thresholds.advanced_sufficient, thresholds.advanced_uncertain
    else:
        sufficient, uncertain = thresholds.basic_sufficient, thresholds.basic_uncertain
    exact = Decimal(repr(value))
    if exact >= sufficient:
        return Mastery.SUFFICIENT
    if exact >= uncertain:
        return Mastery.UNCERTAIN
    return Mastery.INSUFFICIENT


@dataclass
class TaskFigure:
    """One task's figures in one group (a class, a school, a territory)."""

    task: Task
    points: int
    participants: int
    not_attempted: int = 0
    rate: float | None = None
    mastery: Mastery | None = None

    @classmethod
    def of(
        cls, task: Task, points: int, participants: int, thresholds: AnalysisThresholds, not_attempted: int = 0
    ) -> TaskFigure:
        value = rate(points, participants, task.max_score)
        return cls(task, points, participants, not_attempted, value, mastery(task.level, value, thresholds))


def sum_figures(
    groups: Iterable[Mapping[int, TaskFigure]], tasks: Sequence[Task], thresholds: AnalysisThresholds
) -> dict[int, TaskFigure]:
    """The figures of several groups together (a municipality from its schools): points, participants and
    «X» summed per task, the rate and level computed again."""
    points: dict[int, int] = defaultdict(int)
    participants: dict[int, int] = defaultdict(int)
    not_attempted: dict[int, int] = defaultdict(int)
    for group in groups:
        for pk, figure in group.items():
            points[pk] += figure.points
            participants[pk] += figure.participants
            not_attempted[pk] += figure.not_attempted
    return {
        t.pk: TaskFigure.of(t, points[t.pk], participants[t.pk], thresholds, not_attempted[t.pk])
        for t in tasks
        if t.pk in participants
    }


def overall_rate(figures: Iterable[TaskFigure]) -> float | None:
    """Средний процент выполнения работы: all points / all possible points of the tasks."""
    points = possible = 0
    for figure in figures:
        points += figure.points
        possible += figure.participants * figure.task.max_score
    return points * 100.0 / possible if possible else None


def level_rate(figures: Iterable[TaskFigure], *, advanced: bool) -> float | None:
    """The same over the basic tasks only, or over the advanced and high ones only."""
    return overall_rate(f for f in figures if (f.task.level in ADVANCED_LEVELS) == advanced)


def reference_overall(
    rates: Mapping[int, float], tasks: Sequence[Task], *, advanced: bool | None = None
) -> float | None:
    """A reference set's average rate, weighted by the tasks' maxima (as the primary score weighs them)."""
    chosen = [t for t in tasks if t.pk in rates and (advanced is None or (t.level in ADVANCED_LEVELS) == advanced)]
    weight = sum(t.max_score for t in chosen)
    return sum(rates[t.pk] * t.max_score for t in chosen) / weight if weight else None


# Marks ------------------------------------------------------------------------------------------


@dataclass
class MarkFigures:
    """Распределение отметок of a group, with «качество», «успеваемость» and the journal comparison."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(MARKS, 0))
    lower: int = 0
    same: int = 0
    higher: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, mark: int) -> float | None:
        return share(self.counts.get(mark, 0), self.total)

    @property
    def shares(self) -> dict[int, float | None]:
        return {mark: self.share(mark) for mark in MARKS}

    @property
    def quality(self) -> float | None:
        """Качество знаний: marks 4 and 5."""
        return share(self.counts[4] + self.counts[5], self.total)

    @property
    def progress(self) -> float | None:
        """Успеваемость: marks 3, 4 and 5."""
        return share(self.counts[3] + self.counts[4] + self.counts[5], self.total)

    @property
    def compared(self) -> int:
        """Participants with both marks (the base of the journal comparison)."""
        return self.lower + self.same + self.higher

    def comparison(self) -> list[dict[str, Any]]:
        rows = []
        for kind, count in (
            (JournalComparison.LOWER, self.lower),
            (JournalComparison.SAME, self.same),
            (JournalComparison.HIGHER, self.higher),
        ):
            rows.append({"kind": kind, "label": kind.label, "count": count, "share": share(count, self.compared)})
        return rows

    @property
    def mismatch_share(self) -> float | None:
        return share(self.lower + self.higher, self.compared)


def sum_marks(groups: Iterable[MarkFigures]) -> MarkFigures:
    """Marks of several groups together."""
    total = MarkFigures()
    for marks in groups:
        for mark in MARKS:
            total.counts[mark] += marks.counts.get(mark, 0)
        total.lower += marks.lower
        total.same += marks.same
        total.higher += marks.higher
    return total


def sum_distributions(groups: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Score distributions of several groups together."""
    total: dict[int, int] = defaultdict(int)
    for distribution in groups:
        for score, n in distribution.items():
            total[score] += n
    return dict(total)


def compare_with_journal(mark: int | None, journal_mark: int | None) -> JournalComparison | None:
    if mark is None or journal_mark is None:
        return None
    if mark < journal_mark:
        return JournalComparison.LOWER
    if mark > journal_mark:
        return JournalComparison.HIGHER
    return JournalComparison.SAME


# Primary scores ---------------------------------------------------------------------------------


def mark_boundaries(mark_scale: Mapping[str, Any]) -> dict[int, int]:
    """The lowest primary score of each mark above «2», by mark: {3: 6, 4: 10, 5: 15}."""
    return {int(mark): int(lowest) for mark, lowest in mark_scale.items() if int(mark) > 2}


@dataclass(frozen=True)
class BoundaryPeak:
    """A mark boundary reached by many more students than the score one point below it."""

    mark: int
    score: int
    at_boundary: int
    below: int


def boundary_peaks(
    distribution: Mapping[int, int], mark_scale: Mapping[str, Any], thresholds: AnalysisThresholds
) -> list[BoundaryPeak]:
    """Peaks of the primary-score distribution at the mark boundaries (признак необъективности).

    A boundary score ``b`` of a mark is a peak when at least ``peak_min_share`` % of the participants
    scored exactly ``b`` and ``n(b) ≥ peak_ratio × n(b − 1)`` (``n(b − 1) = 0`` counts as a peak).
    Nothing is searched in a group smaller than ``min_distribution`` («ограниченно»).
    """
    total = sum(distribution.values())
    if total < thresholds.min_distribution:
        return []
    peaks = []
    for mark, score in sorted(mark_boundaries(mark_scale).items()):
        at, below = distribution.get(score, 0), distribution.get(score - 1, 0)
        if at == 0 or Decimal(at * 100) < thresholds.peak_min_share * total:
            continue
        if Decimal(at) >= thresholds.peak_ratio * below:
            peaks.append(BoundaryPeak(mark=mark, score=score, at_boundary=at, below=below))
    return peaks


# Deficits ---------------------------------------------------------------------------------------


@dataclass
class Skill:
    """An element checked by several tasks (умение, планируемый результат, код кодификатора)."""

    kind: str
    label: str
    tasks: list[TaskFigure] = field(default_factory=list)

    @property
    def insufficient(self) -> list[TaskFigure]:
        return [f for f in self.tasks if f.mastery == Mastery.INSUFFICIENT]

    @property
    def kind_label(self) -> str:
        return SKILL_KINDS.get(self.kind, self.kind)

    @property
    def is_systemic(self) -> bool:
        """Системный дефицит: the skill is checked by at least two tasks and most of them are insufficient."""
        return len(self.tasks) >= 2 and len(self.insufficient) * 2 > len(self.tasks)


SKILL_KINDS = {
    "checked_element": "проверяемое умение / элемент содержания",
    "planned_result": "планируемый результат",
    "codifier": "код кодификатора",
}


def skills(figures: Iterable[TaskFigure]) -> list[Skill]:
    """The skills the tasks check, each with its tasks (a task may check several codifier codes)."""
    found: dict[tuple[str, str], Skill] = {}
    for figure in figures:
        task = figure.task
        keys = []
        if task.checked_element.strip():
            keys.append(("checked_element", " ".join(task.checked_element.split())))
        if task.planned_result.strip():
            keys.append(("planned_result", " ".join(task.planned_result.split())))
        for code in codifier_codes(task.codifier_codes):
            keys.append(("codifier", code))
        for kind, label in keys:
            found.setdefault((kind, label.casefold()), Skill(kind, label)).tasks.append(figure)
    return list(found.values())


def codifier_codes(text: str) -> list[str]:
    """«1.1, 1.2; 3.4» → ["1.1", "1.2", "3.4"]."""
    return [code for code in (part.strip() for part in text.replace(";", ",").split(",")) if code]


def systemic_deficits(figures: Iterable[TaskFigure]) -> list[Skill]:
    return [skill for skill in skills(figures) if skill.is_systemic]


def deficits_by_type(figures: Iterable[TaskFigure]) -> dict[str, list[tuple[str, list[TaskFigure]]]]:
    """Insufficient tasks grouped by level, literacy type, checked element and planned result."""
    insufficient = [f for f in figures if f.mastery == Mastery.INSUFFICIENT]
    groups: dict[str, dict[str, list[TaskFigure]]] = {
        "level": defaultdict(list),
        "literacy_type": defaultdict(list),
        "checked_element": defaultdict(list),
        "planned_result": defaultdict(list),
    }
    for figure in insufficient:
        task = figure.task
        groups["level"][str(task.get_level_display())].append(figure)
        if task.literacy_type:
            groups["literacy_type"][str(task.get_literacy_type_display())].append(figure)
        if task.checked_element.strip():
            groups["checked_element"][" ".join(task.checked_element.split())].append(figure)
        if task.planned_result.strip():
            groups["planned_result"][" ".join(task.planned_result.split())].append(figure)
    return {kind: sorted(items.items()) for kind, items in groups.items()}
