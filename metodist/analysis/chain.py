"""«От дефицитов класса — к дефицитам учителя, с человеком в контуре» (issue 7 §4, step 1.3 of seed 003).

For one class's results (``assessments.ClassAssessment``):

1. its **insufficient tasks** — against the analysis thresholds in force for the school's territory
   (:func:`metodist.analysis.selectors.thresholds_for`), from the same per class × task aggregates the
   pages read;
2. the **teacher competences** those tasks map to — ``Task.competence_codes`` resolved by
   :func:`metodist.competences.selectors.nodes_by_codes` (active frameworks; unknown codes are reported);
3. the **teachers** — ``registry.TeachingAssignment`` of that class (``ClassAssessment.school_class``) in the
   procedure's subject, in the academic year of the assessment; several teachers → a proposal to each.
   For a work written in the **first weeks of a school year** (``Procedure.held_on`` from 1 August up to the
   date set by ``ANALYSIS_PREVIOUS_YEAR_UNTIL``, «MM-DD», default «10-01» — 1 October) the class's teacher of
   the previous year is proposed too: the class of grade − 1 with the same letter in the previous year,
   same school and subject; such proposals are marked ``previous_year_teacher``;
4. a **proposed** deficit of each teacher at each competence — through
   :func:`metodist.competences.services.deficit_propose` (source «результаты обучающихся»,
   ``source_ref`` ``assessments.ClassAssessment:<id>:node:<id>``), with the weak tasks, their success rates
   and the thresholds as evidence (never a student's code). Running again refreshes the evidence of the
   same rows and never touches a decision: a coordinator or methodologist confirms or rejects each proposal
   after a lesson observation.

A group under the «не информативно» size (``AnalysisThresholds.min_group``) proposes nothing, and says so.
Teachers are never compared or ranked: every text speaks of the support a teacher may need.

The reads here are bulk (a constant number of queries for any number of classes, :func:`plan_classes`);
the teaching assignments are read through the registry's scope of the user who runs the chain.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from metodist.assessments.models import ClassAssessment, Procedure, Task, TaskAggregate
from metodist.competences.choices import DeficitSource, DeficitState
from metodist.competences.models import CompetenceNode, TeacherDeficit
from metodist.competences.selectors import nodes_by_codes, split_codes
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.models import Organisation, Person, SchoolClass, TeachingAssignment

from . import figures as fig
from . import selectors
from .choices import ChainOutcome, Mastery
from .models import AnalysisThresholds

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

COMPETENCES = "competences"
SOURCE = DeficitSource.ASSESSMENT
SOURCE_REF = "assessments.ClassAssessment:{assessment}:node:{node}"
_SOURCE_REF_RE = re.compile(r"^assessments\.ClassAssessment:(\d+):node:(\d+)$")
DEFAULT_PREVIOUS_YEAR_UNTIL = "10-01"
FIRST_WEEKS_FROM = (8, 1)  # a work written from 1 August counts as written at the start of the school year

# Texts stored with a proposal (tests assert them). No student code, no name, no comparison of teachers.
SOURCE_LABEL = _("%(procedure)s — %(class)s, %(school)s")
EVIDENCE_HEAD = _("«%(procedure)s»%(date)s — класс %(class)s, %(school)s: участников %(participants)s.")
EVIDENCE_TASKS = _("Задания, выполненные классом на недостаточном уровне (%(origin)s):")
EVIDENCE_TASK = _(
    "— задание %(number)s (%(level)s, макс. %(max)s б.)%(element)s: выполнение %(rate)s %% "
    "при пороге «недостаточно» ниже %(threshold)s %% (достаточно от %(sufficient)s %%)."
)
EVIDENCE_PREVIOUS = _(
    "Работа написана в первые недели учебного года (до %(until)s): предложено и учителю класса %(class)s "
    "в %(year)s учебном году — эти умения формировались у него."
)
EVIDENCE_NOTE = _(
    "Это сигнал о возможной потребности педагога в поддержке, а не оценка его работы: "
    "подтвердите или отклоните его после посещения урока."
)
SUMMARY_PROPOSED = _("Предложено дефицитов: %(created)s новых, %(updated)s обновлено, %(unchanged)s без изменений")
SUMMARY_DECIDED = _("решения по %(decided)s из них сохранены")
SUMMARY_TEACHERS = _("педагогов: %(teachers)s")
SUMMARY_SKIPPED = _("классов без предложений: %(skipped)s (%(reasons)s)")
SUMMARY_NOTHING = _("Классов с результатами нет: предлагать нечего.")


def source_ref(assessment_pk: int, node_pk: int) -> str:
    return SOURCE_REF.format(assessment=assessment_pk, node=node_pk)


def class_of_source_ref(ref: str) -> int | None:
    """The class assessment a chain proposal came from (``None`` for any other source)."""
    match = _SOURCE_REF_RE.match(ref)
    return int(match.group(1)) if match else None


# The first weeks of a school year --------------------------------------------------------------


def previous_year_until(academic_year: int) -> datetime.date:
    """The day from which a work no longer counts as written in the first weeks of ``academic_year``."""
    value = str(getattr(settings, "ANALYSIS_PREVIOUS_YEAR_UNTIL", DEFAULT_PREVIOUS_YEAR_UNTIL))
    month, day = (int(part) for part in value.split("-", 1))
    return datetime.date(academic_year, month, day)


def written_in_first_weeks(held_on: datetime.date | None, academic_year: int) -> bool:
    """Whether a work held on ``held_on`` was written in the first weeks of the school year ``academic_year``."""
    if held_on is None:
        return False
    return datetime.date(academic_year, *FIRST_WEEKS_FROM) <= held_on < previous_year_until(academic_year)


# Plans ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Teacher:
    """A teacher a class's proposal goes to: of the class this year, or of the same students last year."""

    person: Person
    school_class: SchoolClass
    previous_year: bool

    @property
    def person_id(self) -> int:
        return int(self.person.pk)

    @property
    def name(self) -> str:
        return str(self.person.short_name)


@dataclass
class WeakTask:
    """An insufficient task of a class, with the competences it maps to."""

    figure: fig.TaskFigure
    threshold: Decimal  # below this rate the task is insufficient
    sufficient: Decimal
    nodes: list[CompetenceNode]
    unknown_codes: list[str]

    @property
    def task(self) -> Task:
        return self.figure.task

    @property
    def threshold_text(self) -> str:
        """«57», «28,5»: the threshold as the thresholds page names it."""
        return _number(self.threshold)


@dataclass
class Proposal:
    teacher: Teacher
    node: CompetenceNode
    tasks: list[WeakTask]


@dataclass
class ClassPlan:
    """What the chain finds for one class's results, before anything is written."""

    assessment: ClassAssessment
    thresholds: AnalysisThresholds
    participants: int
    weak: list[WeakTask]
    teachers: list[Teacher] = field(default_factory=list)
    first_weeks: bool = False
    previous_class: SchoolClass | None = None

    @property
    def informative(self) -> bool:
        return self.participants >= self.thresholds.min_group

    @property
    def nodes(self) -> list[tuple[CompetenceNode, list[WeakTask]]]:
        """The competences of the weak tasks, each with the tasks that point to it, in task order."""
        found: dict[int, tuple[CompetenceNode, list[WeakTask]]] = {}
        for weak in self.weak:
            for node in weak.nodes:
                found.setdefault(node.pk, (node, []))[1].append(weak)
        return list(found.values())

    @property
    def unknown_codes(self) -> list[str]:
        return list(dict.fromkeys(code for weak in self.weak for code in weak.unknown_codes))

    @property
    def outcome(self) -> ChainOutcome:
        if not self.informative:
            return ChainOutcome.NOT_INFORMATIVE
        if not self.weak:
            return ChainOutcome.NO_WEAK_TASKS
        if not self.nodes:
            return ChainOutcome.NO_COMPETENCES
        if self.assessment.school_class_id is None:
            return ChainOutcome.NO_CLASS
        if not self.teachers:
            return ChainOutcome.NO_TEACHER
        return ChainOutcome.PROPOSED

    @property
    def outcome_text(self) -> str:
        if self.outcome == ChainOutcome.NOT_INFORMATIVE:
            return str(NOT_INFORMATIVE) % {"n": self.participants, "min": self.thresholds.min_group}
        return str(self.outcome.label)

    def proposals(self) -> list[Proposal]:
        if self.outcome != ChainOutcome.PROPOSED:
            return []
        return [Proposal(teacher, node, tasks) for node, tasks in self.nodes for teacher in self.teachers]


NOT_INFORMATIVE = _(
    "не информативно: участников %(n)s при пороге %(min)s — дефициты учителям по этой группе не предлагаются"
)


def _number(value: Decimal | float) -> str:
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _thresholds_of(level: str, thresholds: AnalysisThresholds) -> tuple[Decimal, Decimal]:
    if level in fig.ADVANCED_LEVELS:
        return thresholds.advanced_uncertain, thresholds.advanced_sufficient
    return thresholds.basic_uncertain, thresholds.basic_sufficient


def _class_key(school_class: SchoolClass) -> tuple[int, int, int, str]:
    return (school_class.organisation_id, school_class.academic_year, school_class.grade, school_class.letter)


def plan_classes(
    assessments: QuerySet[ClassAssessment], *, user: AnyUser | None, with_teachers: bool = True
) -> list[ClassPlan]:
    """The chain's plan for every class of ``assessments`` (the caller scoped them), in a constant number of
    queries: the weak tasks with their competences and, with ``with_teachers``, the teachers the proposals
    go to (read through the registry's scope of ``user``)."""
    rows = list(
        assessments.select_related(
            "procedure", "procedure__subject", "organisation", "organisation__territory", "school_class"
        ).order_by("organisation__short_name", "class_label", "pk")
    )
    if not rows:
        return []
    procedures = {ca.procedure_id for ca in rows}
    tasks: dict[int, Task] = {t.pk: t for t in Task.objects.filter(procedure_id__in=procedures).order_by("position")}
    figures: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for ca_id, task_id, points, participants, not_attempted in TaskAggregate.objects.filter(
        class_assessment__in=assessments.values("pk")
    ).values_list("class_assessment_id", "task_id", "points", "participants", "not_attempted"):
        figures[ca_id][task_id] = (points, participants, not_attempted)
    thresholds: dict[int, AnalysisThresholds] = {}
    for ca in rows:
        territory = ca.organisation.territory
        if territory.pk not in thresholds:
            thresholds[territory.pk] = selectors.thresholds_for(territory)
    nodes = nodes_by_codes(t.competence_codes for t in tasks.values() if t.competence_codes)

    plans: list[ClassPlan] = []
    for ca in rows:
        limits = thresholds[ca.organisation.territory_id]
        own = {
            task_id: fig.TaskFigure.of(tasks[task_id], points, participants, limits, not_attempted)
            for task_id, (points, participants, not_attempted) in figures.get(ca.pk, {}).items()
            if task_id in tasks
        }
        weak = []
        for figure in sorted(own.values(), key=lambda f: f.task.position):
            if figure.mastery != Mastery.INSUFFICIENT:
                continue
            codes = split_codes(figure.task.competence_codes)
            threshold, sufficient = _thresholds_of(figure.task.level, limits)
            weak.append(
                WeakTask(
                    figure=figure,
                    threshold=threshold,
                    sufficient=sufficient,
                    nodes=list({nodes[c].pk: nodes[c] for c in codes if c in nodes}.values()),
                    unknown_codes=[c for c in codes if c not in nodes],
                )
            )
        plans.append(
            ClassPlan(
                assessment=ca,
                thresholds=limits,
                participants=selectors.participants_of(own),
                weak=weak,
                first_weeks=written_in_first_weeks(ca.procedure.held_on, ca.procedure.academic_year),
            )
        )
    if with_teachers:
        _find_teachers(plans, user)
    return plans


def _find_teachers(plans: Sequence[ClassPlan], user: AnyUser | None) -> None:
    """The teachers of each plan's class (this year) and, for a work of the first weeks, of last year's class."""
    visible = TeachingAssignment.objects.visible_to(user)
    current = [p for p in plans if p.assessment.school_class_id is not None]
    by_class: dict[tuple[int, int], list[Teacher]] = defaultdict(list)
    for assignment in (
        visible.filter(school_class_id__in={p.assessment.school_class_id for p in current})
        .select_related("person", "school_class")
        .order_by("person__last_name", "person__first_name", "person_id")
    ):
        by_class[(assignment.school_class_id, assignment.subject_id)].append(
            Teacher(assignment.person, assignment.school_class, False)
        )
    earlier = [
        p
        for p in current
        if p.first_weeks and p.assessment.school_class is not None and p.assessment.school_class.grade > 1
    ]
    by_previous: dict[tuple[tuple[int, int, int, str], int], list[Teacher]] = defaultdict(list)
    if earlier:
        classes = [p.assessment.school_class for p in earlier if p.assessment.school_class is not None]
        for assignment in (
            visible.filter(
                school_class__organisation_id__in={c.organisation_id for c in classes},
                school_class__academic_year__in={c.academic_year - 1 for c in classes},
                school_class__grade__in={c.grade - 1 for c in classes},
                school_class__letter__in={c.letter for c in classes},
                subject_id__in={p.assessment.procedure.subject_id for p in earlier},
            )
            .select_related("person", "school_class")
            .order_by("person__last_name", "person__first_name", "person_id")
        ):
            by_previous[(_class_key(assignment.school_class), assignment.subject_id)].append(
                Teacher(assignment.person, assignment.school_class, True)
            )
    for plan in current:
        school_class = plan.assessment.school_class
        procedure = plan.assessment.procedure
        assert school_class is not None
        if school_class.academic_year != procedure.academic_year:
            continue  # the registry class of another year: its teachers are not this work's
        teachers = list(by_class.get((school_class.pk, procedure.subject_id), []))
        if plan.first_weeks and school_class.grade > 1:
            key = (
                school_class.organisation_id,
                school_class.academic_year - 1,
                school_class.grade - 1,
                school_class.letter,
            )
            previous = by_previous.get((key, procedure.subject_id), [])
            if previous:
                plan.previous_class = previous[0].school_class
            present = {t.person_id for t in teachers}
            teachers.extend(t for t in previous if t.person_id not in present)
        plan.teachers = teachers


# Evidence ---------------------------------------------------------------------------------------


def source_label(assessment: ClassAssessment) -> str:
    return str(SOURCE_LABEL) % {
        "procedure": assessment.procedure.title,
        "class": assessment.class_label,
        "school": assessment.organisation.short_name,
    }


def evidence(plan: ClassPlan, proposal: Proposal) -> str:
    """The proposal's evidence: the class, its size, the weak tasks with their rates against the thresholds."""
    assessment = plan.assessment
    procedure = assessment.procedure
    held = f", {date_format(procedure.held_on, 'j E Y')}" if procedure.held_on else ""
    lines = [
        str(EVIDENCE_HEAD)
        % {
            "procedure": procedure.title,
            "date": held,
            "class": assessment.class_label,
            "school": assessment.organisation.short_name,
            "participants": plan.participants,
        },
        str(EVIDENCE_TASKS) % {"origin": getattr(plan.thresholds, "origin", "")},
    ]
    for weak in proposal.tasks:
        task = weak.task
        element = task.checked_element.strip() or task.planned_result.strip()
        lines.append(
            str(EVIDENCE_TASK)
            % {
                "number": task.number,
                "level": task.get_level_display(),
                "max": task.max_score,
                "element": f" «{' '.join(element.split())}»" if element else "",
                "rate": _rate(weak.figure.rate),
                "threshold": _number(weak.threshold),
                "sufficient": _number(weak.sufficient),
            }
        )
    if proposal.teacher.previous_year:
        school_class = proposal.teacher.school_class
        lines.append(
            str(EVIDENCE_PREVIOUS)
            % {
                "until": date_format(previous_year_until(procedure.academic_year), "j E"),
                "class": school_class.name,
                "year": school_class.academic_year_display,
            }
        )
    lines.append(str(EVIDENCE_NOTE))
    return "\n".join(lines)


# Writing ----------------------------------------------------------------------------------------


@dataclass
class ChainReport:
    """What one run of the chain did: the plans, and the proposals created, refreshed or left as they were."""

    plans: list[ClassPlan] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    decided: int = 0  # proposals already confirmed, rejected or closed: their decision kept
    deficit_ids: list[int] = field(default_factory=list)
    teacher_ids: set[int] = field(default_factory=set)

    @property
    def proposed(self) -> int:
        return self.created + self.updated + self.unchanged

    def extend(self, other: ChainReport) -> None:
        """Add another run's figures (the chain runs chunk by chunk over a procedure)."""
        self.plans.extend(other.plans)
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.decided += other.decided
        self.deficit_ids.extend(other.deficit_ids)
        self.teacher_ids |= other.teacher_ids

    def skipped(self) -> dict[ChainOutcome, int]:
        counts: dict[ChainOutcome, int] = {}
        for plan in self.plans:
            if plan.outcome != ChainOutcome.PROPOSED:
                counts[plan.outcome] = counts.get(plan.outcome, 0) + 1
        return counts

    def summary(self) -> str:
        if not self.plans:
            return str(SUMMARY_NOTHING)
        parts = [
            str(SUMMARY_PROPOSED) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged},
            str(SUMMARY_TEACHERS) % {"teachers": len(self.teacher_ids)},
        ]
        if self.decided:
            parts.append(str(SUMMARY_DECIDED) % {"decided": self.decided})
        skipped = self.skipped()
        if skipped:
            reasons = "; ".join(f"{outcome_short(o)} — {n}" for o, n in skipped.items())
            parts.append(str(SUMMARY_SKIPPED) % {"skipped": sum(skipped.values()), "reasons": reasons})
        return "; ".join(parts) + "."


OUTCOME_SHORT = {
    ChainOutcome.NOT_INFORMATIVE: _("не информативно (мало участников)"),
    ChainOutcome.NO_WEAK_TASKS: _("нет недостаточно выполненных заданий"),
    ChainOutcome.NO_COMPETENCES: _("нет компетенций у слабых заданий"),
    ChainOutcome.NO_CLASS: _("класс не сопоставлен с реестром"),
    ChainOutcome.NO_TEACHER: _("нет учителя в реестре"),
}


def outcome_short(outcome: ChainOutcome) -> str:
    return str(OUTCOME_SHORT.get(outcome, outcome.label))


def write(plans: Sequence[ClassPlan], *, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Propose every plan's deficits through ``competences.services.deficit_propose`` (idempotent)."""
    from metodist.competences.services import deficit_propose

    report = ChainReport(plans=list(plans))
    wanted = [(plan, proposal) for plan in plans for proposal in plan.proposals()]
    refs = {source_ref(plan.assessment.pk, proposal.node.pk) for plan, proposal in wanted}
    before = {
        (d.person_id, d.node_id, d.source_ref): d
        for d in TeacherDeficit.objects.filter(source_ref__in=refs).only(
            "pk", "person_id", "node_id", "source_ref", "state", "evidence", "updated_at"
        )
    }
    for index, (plan, proposal) in enumerate(wanted):
        assessment = plan.assessment
        ref = source_ref(assessment.pk, proposal.node.pk)
        previous = before.get((proposal.teacher.person_id, proposal.node.pk, ref))
        deficit = deficit_propose(
            person=proposal.teacher.person,
            organisation=assessment.organisation,
            node=proposal.node,
            source=SOURCE,
            source_ref=ref,
            source_label=source_label(assessment),
            evidence=evidence(plan, proposal),
            academic_year=assessment.procedure.academic_year,
            previous_year_teacher=proposal.teacher.previous_year,
            subject=assessment.procedure.subject,
        )
        if previous is None:
            report.created += 1
        elif deficit.updated_at != previous.updated_at:
            report.updated += 1
        else:
            report.unchanged += 1
        if deficit.state != DeficitState.PROPOSED:
            report.decided += 1
        report.deficit_ids.append(deficit.pk)
        report.teacher_ids.add(proposal.teacher.person_id)
        if progress is not None:
            progress(index + 1, len(wanted))
    return report


# Who may run it ---------------------------------------------------------------------------------


def proposable_q(user: AnyUser | None) -> Q | None:
    """The class assessments whose school is in the user's change scope of teachers' deficits (``None``: all)."""
    scope = scope_for(user, Action.CHANGE, COMPETENCES)
    if scope.is_global:
        return None
    return Q(organisation__territory_id__in=scope.territory_ids) | Q(organisation_id__in=scope.organisation_ids)


def proposable(user: AnyUser | None, assessments: QuerySet[ClassAssessment]) -> QuerySet[ClassAssessment]:
    condition = proposable_q(user)
    return assessments if condition is None else assessments.filter(condition)


def may_propose(user: AnyUser | None, organisation: Organisation) -> bool:
    """Whether ``user`` may propose (and decide) deficits of the teachers of ``organisation``."""
    scope = scope_for(user, Action.CHANGE, COMPETENCES)
    return (
        scope.is_global or organisation.pk in scope.organisation_ids or organisation.territory_id in scope.territory_ids
    )


# Reads for the pages ----------------------------------------------------------------------------


def proposals_of(user: AnyUser | None, assessments: Iterable[ClassAssessment]) -> dict[int, list[TeacherDeficit]]:
    """The chain's proposals the user may see, by class assessment (one query)."""
    items = list(assessments)
    if not items:
        return {}
    ids = {ca.pk for ca in items}
    found: dict[int, list[TeacherDeficit]] = defaultdict(list)
    deficits = (
        TeacherDeficit.objects.visible_to(user)
        .filter(
            source=SOURCE,
            organisation_id__in={ca.organisation_id for ca in items},
            academic_year__in={ca.procedure.academic_year for ca in items},
            source_ref__startswith="assessments.ClassAssessment:",
        )
        .select_related("person", "node", "decided_by")
        .order_by("person__last_name", "person__first_name", "node__position", "pk")
    )
    for deficit in deficits:
        pk = class_of_source_ref(deficit.source_ref)
        if pk in ids:
            found[pk].append(deficit)
    return dict(found)


@dataclass
class Summary:
    """The chain's proposals of a school's or a territory's classes in one procedure, by state."""

    total: int = 0
    teachers: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def summary_of(user: AnyUser | None, classes: QuerySet[ClassAssessment], procedure: Procedure) -> Summary:
    """Counts of the proposals the user sees for ``classes`` of ``procedure`` (two light queries)."""
    ids = set(classes.values_list("pk", flat=True))
    rows = (
        TeacherDeficit.objects.visible_to(user)
        .filter(
            source=SOURCE,
            academic_year=procedure.academic_year,
            subject_id=procedure.subject_id,
            organisation_id__in=classes.values("organisation_id"),
            source_ref__startswith="assessments.ClassAssessment:",
        )
        .values_list("source_ref", "state", "person_id")
    )
    counts = dict.fromkeys(DeficitState.values, 0)
    people = set()
    for ref, state, person in rows:
        if class_of_source_ref(ref) in ids:
            counts[state] += 1
            people.add(person)
    found = {state: n for state, n in counts.items() if n}
    return Summary(total=sum(found.values()), teachers=len(people), counts=found)


def counts_by_state(deficits: Iterable[TeacherDeficit]) -> dict[str, int]:
    """Deficits by state, in the states' order (only the states that occur)."""
    counts = dict.fromkeys(DeficitState.values, 0)
    for deficit in deficits:
        counts[deficit.state] += 1
    return {state: n for state, n in counts.items() if n}
