"""The three analyses people open — a territory, a school, a class — assembled from ``selectors``.

Each builder returns one object that the page, its XLSX tables, the DOCX report and the API all read,
so that a figure is computed once and shown the same everywhere. Each names the thresholds it used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet, Sum
from django.urls import reverse

from metodist.assessments.models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate, TaskScore
from metodist.core.permissions import Action
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Organisation, Territory

from . import figures as fig
from . import selectors
from .choices import FlagKind, Mastery
from .models import AnalysisThresholds, ReferenceSet

if TYPE_CHECKING:
    from metodist.core.types import AnyUser


@dataclass
class Row:
    """One group of a table: a class, a school or a municipality, with its per-task figures."""

    label: str
    figures: dict[int, fig.TaskFigure]
    url: str | None = None
    marks: fig.MarkFigures | None = None
    flags: list[selectors.Flag] = field(default_factory=list)
    low_results: bool = False  # the registry's manual ШНОР flag
    low_results_reasons: list[str] = field(default_factory=list)  # ШНОР by rule, for this procedure
    key: Any = None

    @cached_property
    def participants(self) -> int:
        return selectors.participants_of(self.figures)

    @cached_property
    def overall(self) -> float | None:
        return fig.overall_rate(self.figures.values())

    def informative(self, thresholds: AnalysisThresholds) -> bool:
        return self.participants >= thresholds.min_group


@dataclass
class Analysis:
    """What every analysis page shows, whatever the group."""

    procedure: Procedure
    tasks: list[Task]
    thresholds: AnalysisThresholds
    title: str
    total: Row
    rows: list[Row]
    references: list[selectors.Reference]
    distribution: dict[int, int] = field(default_factory=dict)
    gaps: list[selectors.JournalGap] = field(default_factory=list)
    flags: list[selectors.Flag] = field(default_factory=list)
    flagged: list[Row] = field(default_factory=list)  # schools with objectivity flags
    low_results: list[Row] = field(default_factory=list)  # schools meeting the ШНОР rule or flagged by hand
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def informative(self) -> bool:
        return self.total.informative(self.thresholds)

    @property
    def distribution_limited(self) -> bool:
        return sum(self.distribution.values()) < self.thresholds.min_distribution

    @property
    def insufficient(self) -> list[fig.TaskFigure]:
        """Student deficits of the group: its insufficient tasks, in task order."""
        return [self.total.figures[t.pk] for t in self.tasks if _is(self.total.figures.get(t.pk), Mastery.INSUFFICIENT)]

    @property
    def deficits_by_type(self) -> dict[str, list[tuple[str, list[fig.TaskFigure]]]]:
        return fig.deficits_by_type(self.total.figures.values())

    @property
    def systemic(self) -> list[fig.Skill]:
        return fig.systemic_deficits(self.total.figures[t.pk] for t in self.tasks if t.pk in self.total.figures)

    @property
    def peaks(self) -> list[fig.BoundaryPeak]:
        return fig.boundary_peaks(self.distribution, self.procedure.mark_scale, self.thresholds)

    @property
    def boundaries(self) -> dict[int, int]:
        return fig.mark_boundaries(self.procedure.mark_scale)

    def reference_rate(self, reference: selectors.Reference, task: Task) -> float | None:
        return reference.rate(task.pk)

    def matrix(self) -> list[dict[str, Any]]:
        """The heatmap table: the groups, the page's own total, the comparison columns — a cell per task.

        Each cell carries its rate, its level against the thresholds and, in its title, the difference
        from the region (the first reference whose label is the region's).
        """
        region = self.extra.get("region_reference")
        table: list[dict[str, Any]] = []
        for row, kind in [*((r, "group") for r in self.rows), (self.total, "total")]:
            table.append(
                {
                    "kind": kind,
                    "label": row.label,
                    "url": row.url,
                    "participants": row.participants,
                    "overall": row.overall,
                    "informative": row.informative(self.thresholds),
                    "cells": [self._cell(row.figures.get(t.pk), t, region) for t in self.tasks],
                }
            )
        for reference in self.references:
            cells = []
            for task in self.tasks:
                value = reference.rate(task.pk)
                cells.append(
                    {
                        "rate": value,
                        "mastery": fig.mastery(task.level, value, self.thresholds),
                        "diff": None,
                        "task": task,
                    }
                )
            table.append(
                {
                    "kind": "reference",
                    "label": reference.label,
                    "url": None,
                    "participants": reference.participants,
                    "overall": reference.overall(self.tasks),
                    "informative": True,
                    "origin": reference.origin,
                    "cells": cells,
                }
            )
        return table

    def _cell(self, figure: fig.TaskFigure | None, task: Task, region: selectors.Reference | None) -> dict[str, Any]:
        if figure is None:
            return {"rate": None, "mastery": None, "diff": None, "task": task}
        base = region.rate(task.pk) if region is not None else None
        diff = figure.rate - base if figure.rate is not None and base is not None else None
        return {"rate": figure.rate, "mastery": figure.mastery, "diff": diff, "task": task, "region": base}

    # Charts (ECharts options are built in the browser from these plain structures).

    def heatmap_chart(self) -> dict[str, Any]:
        rows = [*self.rows, self.total]
        return {
            "kind": "heatmap",
            "x": [t.number for t in self.tasks],
            "y": [r.label for r in rows],
            "values": [
                [x, y, round(rate, 1)]
                for y, r in enumerate(rows)
                for x, t in enumerate(self.tasks)
                if (rate := (r.figures[t.pk].rate if t.pk in r.figures else None)) is not None
            ],
        }

    def tasks_chart(self) -> dict[str, Any]:
        series = [{"name": self.total.label, "data": [_round(self.total.figures.get(t.pk)) for t in self.tasks]}]
        for reference in self.references:
            series.append({"name": reference.label, "data": [_round1(reference.rate(t.pk)) for t in self.tasks]})
        return {"kind": "bars", "x": [t.number for t in self.tasks], "series": series, "unit": "%"}

    def distribution_chart(self) -> dict[str, Any]:
        top = max([*self.distribution, *self.boundaries.values(), 0])
        scores = list(range(0, top + 1))
        return {
            "kind": "distribution",
            "x": scores,
            "values": [self.distribution.get(s, 0) for s in scores],
            "boundaries": [{"score": score, "mark": mark} for mark, score in sorted(self.boundaries.items())],
        }


def _is(figure: fig.TaskFigure | None, level: Mastery) -> bool:
    return figure is not None and figure.mastery == level


def _round(figure: fig.TaskFigure | None) -> float | None:
    return None if figure is None or figure.rate is None else round(figure.rate, 1)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _region_reference(
    references: Sequence[selectors.Reference], region: Territory | None
) -> selectors.Reference | None:
    if region is None:
        return None
    return next((r for r in references if r.label == region.name), None)


@dataclass
class SchoolData:
    """Per school of a set of class results: per-task figures, marks and score distributions (three queries)."""

    figures: dict[int, dict[int, fig.TaskFigure]]
    marks: dict[int, fig.MarkFigures]
    distributions: dict[int, dict[int, int]]

    @classmethod
    def of(
        cls, schools: QuerySet[ClassAssessment], tasks: Sequence[Task], thresholds: AnalysisThresholds
    ) -> SchoolData:
        return cls(
            figures=selectors.task_figures_by(schools, "organisation_id", tasks, thresholds),
            marks=selectors.marks_by(schools, "organisation_id"),
            distributions=selectors.score_distribution_by(schools, "organisation_id"),
        )


def _school_flags(
    *,
    procedure: Procedure,
    data: SchoolData,
    organisations: dict[int, Organisation],
    tasks: Sequence[Task],
    thresholds: AnalysisThresholds,
    region: selectors.Reference | None,
) -> dict[int, Row]:
    """Per school of ``data``: figures, marks, objectivity flags and the ШНОР rule for this procedure."""
    region_rate = region.overall(tasks) if region else None
    prefix = reverse("analysis:school", args=[procedure.pk, 0])[: -len("0/")]  # one reverse for a thousand rows
    rows: dict[int, Row] = {}
    for pk, figures in data.figures.items():
        organisation = organisations[pk]
        row = Row(
            label=organisation.short_name,
            figures=figures,
            url=f"{prefix}{pk}/",
            marks=data.marks.get(pk, fig.MarkFigures()),
            low_results=organisation.low_results,
            key=pk,
        )
        row.flags = selectors.objectivity_flags(
            organisation=organisation,
            figures=figures,
            marks=row.marks or fig.MarkFigures(),
            distribution=data.distributions.get(pk, {}),
            procedure=procedure,
            region=region,
            tasks=tasks,
            thresholds=thresholds,
        )
        if row.informative(thresholds):
            row.low_results_reasons = selectors.low_results_condition(
                school_rate=row.overall,
                region_rate=region_rate,
                marks=row.marks or fig.MarkFigures(),
                thresholds=thresholds,
            )
        rows[pk] = row
    return rows


# Territory --------------------------------------------------------------------------------------


def territory_analysis(
    user: AnyUser | None, procedure: Procedure, territory: Territory, action: str = Action.VIEW
) -> Analysis:
    """A municipality (rows: its schools) or a region (rows: its municipalities), with ШНОР and objectivity lists.

    The per-school figures, marks and distributions are read once; the municipalities' rows, the territory's
    total and — on a region's page without the region's ФИС ОКО figures — the region's comparison column are
    their sums (a territory page covers its territory whole: ``selectors.territory_or_404``).
    """
    tasks = selectors.procedure_tasks(procedure)
    thresholds = selectors.thresholds_for(territory)
    visible = selectors.visible_class_assessments(user, procedure, action)
    region: Territory | None
    is_region = territory.kind == TerritoryKind.REGION
    if is_region:
        inside = visible.filter(Q(organisation__territory=territory) | Q(organisation__territory__parent=territory))
        region = territory
    else:
        inside = visible.filter(organisation__territory=territory)
        region = territory.parent
    organisations = {
        o.pk: o
        for o in Organisation.objects.visible_to(user).filter(class_assessments__in=inside.values("pk")).distinct()
    }
    data = SchoolData.of(inside, tasks, thresholds)
    total_figures = fig.sum_figures(data.figures.values(), tasks, thresholds)
    total_marks = fig.sum_marks(data.marks.values())
    references = selectors.comparison_columns(
        procedure,
        territory,
        tasks,
        thresholds,
        municipality=False,
        region_totals=(total_figures, total_marks) if is_region else None,
    )
    region_reference = _region_reference(references, region)
    schools = _school_flags(
        procedure=procedure,
        data=data,
        organisations=organisations,
        tasks=tasks,
        thresholds=thresholds,
        region=region_reference,
    )
    if is_region:
        by_municipality: dict[int, list[int]] = defaultdict(list)
        for pk in data.figures:
            by_municipality[organisations[pk].territory_id].append(pk)
        names = dict(Territory.objects.visible_to(user).filter(pk__in=by_municipality).values_list("pk", "name"))
        rows = [
            Row(
                label=names.get(pk, "—"),
                figures=fig.sum_figures((data.figures[s] for s in members), tasks, thresholds),
                url=reverse("analysis:territory", args=[procedure.pk, pk]),
                marks=fig.sum_marks(data.marks[s] for s in members if s in data.marks),
                key=pk,
            )
            for pk, members in by_municipality.items()
        ]
    else:
        rows = list(schools.values())
    rows.sort(key=lambda r: r.label)
    total = Row(label=territory.name, figures=total_figures, marks=total_marks, key=territory.pk)
    school_rows = sorted(schools.values(), key=lambda r: r.label)
    return Analysis(
        procedure=procedure,
        tasks=tasks,
        thresholds=thresholds,
        title=territory.name,
        total=total,
        rows=rows,
        references=references,
        distribution=fig.sum_distributions(data.distributions.values()),
        flagged=[r for r in school_rows if r.flags],
        low_results=[r for r in school_rows if r.low_results_reasons or r.low_results],
        extra={
            "territory": territory,
            "is_region": is_region,
            "region_reference": region_reference,
        },
    )


# School -----------------------------------------------------------------------------------------


def school_analysis(
    user: AnyUser | None, procedure: Procedure, organisation: Organisation, action: str = Action.VIEW
) -> Analysis:
    """A school: its classes × tasks against the municipality, the region and Russia; marks; journal; flags."""
    tasks = selectors.procedure_tasks(procedure)
    territory = organisation.territory
    thresholds = selectors.thresholds_for(territory)
    classes = selectors.visible_class_assessments(user, procedure, action).filter(organisation=organisation)
    references = selectors.comparison_columns(procedure, territory, tasks, thresholds)
    region_reference = _region_reference(references, territory.parent)
    by_class = selectors.task_figures_by(classes, "pk", tasks, thresholds)
    marks = selectors.marks_by(classes, "pk")
    rows = [
        Row(
            label=ca.class_label,
            figures=by_class.get(ca.pk, {}),
            url=reverse("analysis:class", args=[ca.pk]),
            marks=marks.get(ca.pk, fig.MarkFigures()),
            key=ca.pk,
        )
        for ca in classes.order_by("class_label")
    ]
    school = _school_flags(
        procedure=procedure,
        data=SchoolData.of(classes, tasks, thresholds),
        organisations={organisation.pk: organisation},
        tasks=tasks,
        thresholds=thresholds,
        region=region_reference,
    ).get(organisation.pk)
    total = school or Row(label=organisation.short_name, figures={}, marks=fig.MarkFigures())
    total.label, total.url = organisation.short_name, None
    return Analysis(
        procedure=procedure,
        tasks=tasks,
        thresholds=thresholds,
        title=organisation.short_name,
        total=total,
        rows=rows,
        references=references,
        distribution=selectors.score_distribution_by(classes, None).get(None, {}),
        gaps=selectors.journal_gaps(classes),
        flags=total.flags,
        extra={"organisation": organisation, "region_reference": region_reference},
    )


# Class ------------------------------------------------------------------------------------------


@dataclass
class StudentRow:
    code: str
    absent: bool
    primary_score: int | None
    mark: int | None
    journal_mark: int | None
    scores: dict[int, tuple[int, bool]]  # task id → (points, not attempted)

    @property
    def comparison(self) -> str:
        kind = fig.compare_with_journal(self.mark, self.journal_mark)
        return "" if kind is None else str(kind)


def class_analysis(user: AnyUser | None, assessment: ClassAssessment, action: str = Action.VIEW) -> Analysis:
    """A class: tasks × students (codes only), its weak tasks against the school, municipality and region."""
    procedure = assessment.procedure
    organisation = assessment.organisation
    tasks = selectors.procedure_tasks(procedure)
    thresholds = selectors.thresholds_for(organisation.territory)
    one = ClassAssessment.objects.visible_to(user, action).filter(pk=assessment.pk)
    figures = selectors.task_figures_by(one, "pk", tasks, thresholds).get(assessment.pk, {})
    school_all = ClassAssessment.objects.filter(procedure=procedure, organisation=organisation)
    school_reference = selectors.computed_reference(organisation.short_name, school_all, tasks, thresholds)
    references = [school_reference, *selectors.comparison_columns(procedure, organisation.territory, tasks, thresholds)]
    students = list(StudentResult.objects.filter(class_assessment__in=one.values("pk")).order_by("student_code"))
    scores: dict[int, dict[int, tuple[int, bool]]] = defaultdict(dict)
    for student_id, task_id, score, not_attempted in TaskScore.objects.filter(
        student__class_assessment__in=one.values("pk")
    ).values_list("student_id", "task_id", "score", "not_attempted"):
        scores[student_id][task_id] = (score, not_attempted)
    total = Row(
        label=assessment.class_label,
        figures=figures,
        marks=selectors.marks_by(one, "pk").get(assessment.pk, fig.MarkFigures()),
        key=assessment.pk,
    )
    return Analysis(
        procedure=procedure,
        tasks=tasks,
        thresholds=thresholds,
        title=f"{assessment.class_label} — {organisation.short_name}",
        total=total,
        rows=[],
        references=references,
        distribution=selectors.score_distribution_by(one, None).get(None, {}),
        gaps=selectors.journal_gaps(one),
        extra={
            "assessment": assessment,
            "organisation": organisation,
            "region_reference": _region_reference(references, organisation.territory.parent),
            "students": [
                StudentRow(s.student_code, s.absent, s.primary_score, s.mark, s.journal_mark, scores.get(s.pk, {}))
                for s in students
            ],
        },
    )


def class_insufficient_tasks(
    assessment: ClassAssessment, thresholds: AnalysisThresholds | None = None
) -> list[fig.TaskFigure]:
    """The class's insufficient tasks (its student deficits) — what the chain turns into proposed teacher deficits.

    Not scoped: the caller holds a class assessment it was allowed to reach (a page, a service).
    """
    thresholds = thresholds or selectors.thresholds_for(assessment.organisation.territory)
    tasks = selectors.procedure_tasks(assessment.procedure)
    figures = selectors.task_figures_by(ClassAssessment.objects.filter(pk=assessment.pk), "pk", tasks, thresholds).get(
        assessment.pk, {}
    )
    return [figures[t.pk] for t in tasks if _is(figures.get(t.pk), Mastery.INSUFFICIENT)]


# ШНОР over a year -------------------------------------------------------------------------------


@dataclass
class LowResultsRow:
    """A school on the ШНОР page: the procedures whose condition held (with why), and the manual flag."""

    organisation: Organisation
    procedures: list[tuple[Procedure, list[str]]]  # the procedures whose condition held, with why
    written: int  # procedures the school wrote with an informative group
    min_procedures: int

    @property
    def by_rule(self) -> bool:
        return bool(self.procedures) and len(self.procedures) >= self.min_procedures


def low_results_schools(user: AnyUser | None, territory: Territory, academic_year: int) -> dict[str, Any]:
    """Школы с низкими результатами by the configurable rule over the year's procedures, beside the manual flag."""
    thresholds = selectors.thresholds_for(territory)
    region = territory if territory.kind == TerritoryKind.REGION else territory.parent
    visible = ClassAssessment.objects.visible_to(user).filter(
        procedure__academic_year=academic_year, procedure__organisation__isnull=True
    )
    if territory.kind == TerritoryKind.REGION:
        visible = visible.filter(Q(organisation__territory=territory) | Q(organisation__territory__parent=territory))
    else:
        visible = visible.filter(organisation__territory=territory)
    procedures = {p.pk: p for p in Procedure.objects.filter(class_assessments__in=visible.values("pk")).distinct()}
    tasks_by_procedure: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(procedure__in=list(procedures)).order_by("position"):
        tasks_by_procedure[task.procedure_id].append(task)
    schools = (
        TaskAggregate.objects.filter(class_assessment__in=visible.values("pk"))
        .values("class_assessment__procedure_id", "class_assessment__organisation_id")
        .annotate(points=Sum("points"), possible=Sum(F("participants") * F("task__max_score")))
        .order_by()
    )
    participants = {
        (row["procedure_id"], row["organisation_id"]): row["n"]
        for row in ClassAssessment.objects.filter(pk__in=visible.values("pk"))
        .values("procedure_id", "organisation_id")
        .annotate(n=Sum("participants"))
        .order_by()
    }
    marks: dict[tuple[int, int], fig.MarkFigures] = {}
    mark_rows = (
        StudentResult.objects.filter(class_assessment__in=visible.values("pk"), absent=False)
        .values("class_assessment__procedure_id", "class_assessment__organisation_id")
        .annotate(**selectors.MARK_COUNTS)
        .order_by()
    )
    for row in mark_rows:
        marks[(row["class_assessment__procedure_id"], row["class_assessment__organisation_id"])] = (
            selectors.marks_from_row(row)
        )
    region_rates: dict[int, float | None] = {}
    if region is not None:
        loaded = {
            s.procedure_id: s
            for s in ReferenceSet.objects.filter(procedure__in=list(procedures), territory=region).prefetch_related(
                "task_rates"
            )
        }
        computed = {
            row["class_assessment__procedure_id"]: (
                row["points"] * 100.0 / row["possible"] if row["possible"] else None
            )
            for row in TaskAggregate.objects.filter(class_assessment__procedure__in=list(procedures))
            .filter(
                Q(class_assessment__organisation__territory=region)
                | Q(class_assessment__organisation__territory__parent=region)
            )
            .values("class_assessment__procedure_id")
            .annotate(points=Sum("points"), possible=Sum(F("participants") * F("task__max_score")))
            .order_by()
        }
        for pk in procedures:
            if pk in loaded:
                rates = {r.task_id: float(r.rate) for r in loaded[pk].task_rates.all()}
                region_rates[pk] = fig.reference_overall(rates, tasks_by_procedure[pk])
            else:
                region_rates[pk] = computed.get(pk)
    organisations = {
        o.pk: o
        for o in Organisation.objects.visible_to(user).filter(class_assessments__in=visible.values("pk")).distinct()
    }
    rows: dict[int, LowResultsRow] = {}
    for row in schools:
        procedure_pk, organisation_pk = row["class_assessment__procedure_id"], row["class_assessment__organisation_id"]
        if organisation_pk not in organisations:
            continue
        item = rows.setdefault(
            organisation_pk,
            LowResultsRow(organisations[organisation_pk], [], 0, thresholds.low_results_min_procedures),
        )
        if participants.get((procedure_pk, organisation_pk), 0) < thresholds.min_group:
            continue
        item.written += 1
        school_rate = row["points"] * 100.0 / row["possible"] if row["possible"] else None
        reasons = selectors.low_results_condition(
            school_rate=school_rate,
            region_rate=region_rates.get(procedure_pk),
            marks=marks.get((procedure_pk, organisation_pk), fig.MarkFigures()),
            thresholds=thresholds,
        )
        if reasons:
            item.procedures.append((procedures[procedure_pk], reasons))
    flagged_by_hand = Organisation.objects.visible_to(user).filter(low_results=True)
    if territory.kind == TerritoryKind.REGION:
        flagged_by_hand = flagged_by_hand.filter(Q(territory=territory) | Q(territory__parent=territory))
    else:
        flagged_by_hand = flagged_by_hand.filter(territory=territory)
    for organisation in flagged_by_hand:
        if organisation.pk not in rows:
            rows[organisation.pk] = LowResultsRow(organisation, [], 0, thresholds.low_results_min_procedures)
    listed = sorted(
        (r for r in rows.values() if r.by_rule or r.organisation.low_results),
        key=lambda r: (not r.by_rule, r.organisation.short_name),
    )
    return {
        "thresholds": thresholds,
        "rows": listed,
        "procedures": sorted(procedures.values(), key=str),
        "region": region,
    }


def flag_kinds() -> list[FlagKind]:
    return list(FlagKind)
