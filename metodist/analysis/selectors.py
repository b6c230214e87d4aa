"""Reads of the analysis: per-task figures, marks, distributions, flags — shared by pages, exports, API, DOCX.

Every figure of a school, a municipality or a region sums the pre-aggregated per class × task rows
(``assessments.TaskAggregate``), so a page reads a few thousand rows, not millions of scores. Data come
through the assessments scope (``ClassAssessment.objects.visible_to(user, action)``); the comparison
columns of a page (the municipality and the region around a school the user may see) are territory
totals — statistics without any school's or student's identity, as ФИС ОКО itself gives every school.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metodist.assessments.models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Organisation, Territory

from . import figures as fig
from .choices import FlagKind, ReferenceLevel
from .models import AnalysisThresholds, ReferenceSet, default_thresholds

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

ASSESSMENTS = "assessments"
SELECTIVE_SCHOOL = re.compile(r"гимнази|лице[йяюе]", re.IGNORECASE)

ORIGIN_TERRITORY = gettext_lazy("пороги территории «%(name)s»")
ORIGIN_GLOBAL = gettext_lazy("общие пороги системы")
ORIGIN_DEFAULTS = gettext_lazy("пороги по умолчанию (рекомендации ФИОКО)")
ORIGIN_LOADED = gettext_lazy("по результатам, загруженным в систему")
ORIGIN_FIS_OKO = gettext_lazy("ФИС ОКО: %(source)s")

# Reasons of the flags (constants: tests assert them).
REASON_ABOVE_REGION = gettext_lazy(
    "Средний процент выполнения %(school)s при %(region)s по региону: выше на %(gap)s п. п. "
    "(порог %(threshold)s п. п.)."
)
REASON_NOT_SELECTIVE = gettext_lazy("Школа не гимназия и не лицей (по наименованию).")
REASON_INVERSION_BASIC = gettext_lazy("Базовые задания: %(school)s при %(region)s по региону.")
REASON_INVERSION_ADVANCED = gettext_lazy(
    "Задания повышенного и высокого уровня: %(school)s при %(region)s по региону "
    "(лучше на %(gap)s п. п., порог %(threshold)s п. п.)."
)
REASON_JOURNAL = gettext_lazy(
    "Отметка не совпала с отметкой по журналу у %(share)s участников (порог %(threshold)s %%): "
    "понизили %(lower)s, повысили %(higher)s из %(total)s."
)
REASON_PEAK = gettext_lazy("Отметка «%(mark)s» с %(score)s баллов: %(at)s участников, а с %(below_score)s — %(below)s.")
REASON_LOW_RATE = gettext_lazy(
    "средний процент выполнения %(school)s при %(region)s по региону (ниже на %(gap)s п. п.)"
)
REASON_LOW_FAILS = gettext_lazy("доля отметок «2» %(share)s (порог %(threshold)s %%)")


def is_gymnasium_or_lyceum(organisation: Organisation) -> bool:
    """Гимназия или лицей, by the organisation's name (the registry has no separate kind for them)."""
    return bool(SELECTIVE_SCHOOL.search(organisation.short_name) or SELECTIVE_SCHOOL.search(organisation.full_name))


# Thresholds -------------------------------------------------------------------------------------


def thresholds_for(territory: Territory | None) -> AnalysisThresholds:
    """The thresholds in force for ``territory``: its own row, its region's, the global row or the defaults.

    The returned row carries ``origin``: where it came from, in Russian, for the page to name it.
    """
    ids = []
    if territory is not None:
        ids = [territory.pk] + ([territory.parent_id] if territory.parent_id else [])
    rows = list(AnalysisThresholds.objects.filter(Q(territory__isnull=True) | Q(territory_id__in=ids)))
    by_territory = {row.territory_id: row for row in rows}
    for key in [*ids, None]:
        row = by_territory.get(key)
        if row is not None:
            row.origin = (  # type: ignore[attr-defined]
                str(ORIGIN_TERRITORY) % {"name": row.territory.name}
                if row.territory_id and row.territory
                else str(ORIGIN_GLOBAL)
            )
            return cast(AnalysisThresholds, row)
    defaults = default_thresholds()
    defaults.origin = str(ORIGIN_DEFAULTS)  # type: ignore[attr-defined]
    return defaults


# Task figures -----------------------------------------------------------------------------------


def procedure_tasks(procedure: Procedure) -> list[Task]:
    return list(procedure.tasks.order_by("position"))


def fetch_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of an aggregate ``values_list`` queryset as plain tuples, without the ORM's per-row converters.

    A region's page reads tens of thousands of grouped rows (per school × task, per school × score); for such
    integer aggregates the converters cost more than the query itself (bench/analysis_pages.py).
    """
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _figures_from_rows(
    rows: Iterable[tuple[Any, ...]], tasks: Sequence[Task], thresholds: AnalysisThresholds
) -> dict[Any, dict[int, fig.TaskFigure]]:
    """``rows`` of (group, task id, points, participants, not attempted) → {group: {task id: figure}}."""
    by_pk = {task.pk: task for task in tasks}
    result: dict[Any, dict[int, fig.TaskFigure]] = defaultdict(dict)
    for group, task_id, points, participants, not_attempted in rows:
        task = by_pk.get(task_id)
        if task is None:
            continue
        result[group][task_id] = fig.TaskFigure.of(task, points or 0, participants or 0, thresholds, not_attempted or 0)
    return dict(result)


def task_figures_by(
    class_assessments: QuerySet[ClassAssessment], key: str, tasks: Sequence[Task], thresholds: AnalysisThresholds
) -> dict[Any, dict[int, fig.TaskFigure]]:
    """Per-task figures of ``class_assessments`` grouped by ``key`` (a lookup from a class assessment:
    ``"pk"``, ``"organisation_id"``, ``"organisation__territory_id"``): {group: {task id: figure}}."""
    lookup = "class_assessment_id" if key == "pk" else f"class_assessment__{key}"
    rows = (
        TaskAggregate.objects.filter(class_assessment__in=class_assessments.values("pk"))
        .values(lookup, "task_id")
        .annotate(points=Sum("points"), participants=Sum("participants"), not_attempted=Sum("not_attempted"))
        .values_list(lookup, "task_id", "points", "participants", "not_attempted")
        .order_by()
    )
    return _figures_from_rows(fetch_rows(rows), tasks, thresholds)


def total_figures(
    class_assessments: QuerySet[ClassAssessment], tasks: Sequence[Task], thresholds: AnalysisThresholds
) -> dict[int, fig.TaskFigure]:
    """Per-task figures of all ``class_assessments`` together."""
    rows = (
        TaskAggregate.objects.filter(class_assessment__in=class_assessments.values("pk"))
        .values("task_id")
        .annotate(points=Sum("points"), participants=Sum("participants"), not_attempted=Sum("not_attempted"))
        .order_by()
    )
    return _figures_from_rows(
        ((0, row["task_id"], row["points"], row["participants"], row["not_attempted"]) for row in rows),
        tasks,
        thresholds,
    ).get(0, {})


def territory_class_assessments(procedure: Procedure, territory: Territory) -> QuerySet[ClassAssessment]:
    """All results of ``procedure`` in ``territory`` (a municipality, or a region with its municipalities).

    For territory totals only (statistics): never listed class by class outside the user's scope.
    """
    base = ClassAssessment.objects.filter(procedure=procedure)
    if territory.kind == TerritoryKind.REGION:
        return base.filter(Q(organisation__territory=territory) | Q(organisation__territory__parent=territory))
    return base.filter(organisation__territory=territory)


def participants_of(figures: dict[int, fig.TaskFigure]) -> int:
    return max((f.participants for f in figures.values()), default=0)


# Reference figures ------------------------------------------------------------------------------


@dataclass
class Reference:
    """A comparison column: the region's or Russia's per-task rates and mark shares, with its origin."""

    label: str
    origin: str
    rates: dict[int, float] = field(default_factory=dict)
    marks: dict[int, float | None] = field(default_factory=dict)
    participants: int | None = None
    figures: dict[int, fig.TaskFigure] | None = None  # when computed from the loaded results

    def rate(self, task_pk: int) -> float | None:
        return self.rates.get(task_pk)

    def overall(self, tasks: Sequence[Task], *, advanced: bool | None = None) -> float | None:
        if self.figures is not None:
            chosen = self.figures.values()
            if advanced is None:
                return fig.overall_rate(chosen)
            return fig.level_rate(chosen, advanced=advanced)
        return fig.reference_overall(self.rates, tasks, advanced=advanced)

    @property
    def quality(self) -> float | None:
        if self.marks.get(4) is None or self.marks.get(5) is None:
            return None
        return float(self.marks[4] or 0) + float(self.marks[5] or 0)

    @property
    def progress(self) -> float | None:
        if any(self.marks.get(m) is None for m in (3, 4, 5)):
            return None
        return sum(float(self.marks[m] or 0) for m in (3, 4, 5))


def reference_sets(procedure: Procedure, territories: Sequence[Territory]) -> dict[Any, ReferenceSet]:
    """Loaded reference sets of ``procedure``: Russia's (key ``"russia"``) and those of ``territories``."""
    sets = ReferenceSet.objects.filter(procedure=procedure).filter(
        Q(level=ReferenceLevel.RUSSIA) | Q(territory__in=[t.pk for t in territories])
    )
    found: dict[Any, ReferenceSet] = {}
    for item in sets.prefetch_related("task_rates"):
        found["russia" if item.level == ReferenceLevel.RUSSIA else item.territory_id] = item
    return found


def _from_set(label: str, item: ReferenceSet) -> Reference:
    return Reference(
        label=label,
        origin=str(ORIGIN_FIS_OKO) % {"source": item.get_source_display()},
        rates={r.task_id: float(r.rate) for r in item.task_rates.all()},
        marks={m: (float(v) if v is not None else None) for m, v in item.marks.items()},
        participants=item.participants,
    )


def computed_reference(
    label: str,
    class_assessments: QuerySet[ClassAssessment] | None,
    tasks: Sequence[Task],
    thresholds: AnalysisThresholds,
    *,
    totals: tuple[dict[int, fig.TaskFigure], fig.MarkFigures] | None = None,
) -> Reference:
    """A comparison column computed from the loaded results: of ``class_assessments``, or from ``totals``
    (figures and marks the page has summed already — the region page's own total is the region's column)."""
    if totals is not None:
        figures, marks = totals
    else:
        assert class_assessments is not None
        figures = total_figures(class_assessments, tasks, thresholds)
        marks = marks_total(class_assessments)
    return Reference(
        label=label,
        origin=str(ORIGIN_LOADED),
        rates={pk: f.rate for pk, f in figures.items() if f.rate is not None},
        marks=marks.shares,
        participants=participants_of(figures),
        figures=figures,
    )


REGION_SUMS_SECONDS = 24 * 3600


def region_sums(
    procedure: Procedure, region: Territory, tasks: Sequence[Task], thresholds: AnalysisThresholds
) -> tuple[dict[int, fig.TaskFigure], fig.MarkFigures]:
    """The region's per-task figures and marks from the loaded results, for the comparison column of its
    municipalities' and schools' pages.

    Every such page needs the same sums over the whole region (a region's year of ВПР: tens of thousands of
    class × task rows and students), so they are kept in the cache under the **version of the region's
    results** — how many classes and participants, the latest class id, load and change — and computed again
    after any load, replacement or deletion. Only integer sums are kept; the levels come from the page's
    thresholds.
    """
    classes = territory_class_assessments(procedure, region)
    version = classes.aggregate(
        n=Count("pk"), last=Max("pk"), people=Sum("participants"), loaded=Max("loaded_at"), changed=Max("updated_at")
    )
    stamps = ":".join(v.isoformat() if v else "-" for v in (version["loaded"], version["changed"]))
    key = (
        f"analysis:region-sums:{procedure.pk}:{region.pk}:{version['n']}:{version['last']}:{version['people']}:{stamps}"
    )
    sums = cache.get(key)
    if sums is None:
        figures = total_figures(classes, tasks, thresholds)
        marks = marks_total(classes)
        sums = {
            "tasks": {pk: (f.points, f.participants, f.not_attempted) for pk, f in figures.items()},
            "marks": (marks.counts, marks.lower, marks.same, marks.higher),
        }
        cache.set(key, sums, REGION_SUMS_SECONDS)
    by_pk = {task.pk: task for task in tasks}
    figures = {
        pk: fig.TaskFigure.of(by_pk[pk], points, participants, thresholds, skipped)
        for pk, (points, participants, skipped) in sums["tasks"].items()
        if pk in by_pk
    }
    counts, lower, same, higher = sums["marks"]
    return figures, fig.MarkFigures(counts=dict(counts), lower=lower, same=same, higher=higher)


def comparison_columns(
    procedure: Procedure,
    territory: Territory,
    tasks: Sequence[Task],
    thresholds: AnalysisThresholds,
    *,
    municipality: bool = True,
    region_totals: tuple[dict[int, fig.TaskFigure], fig.MarkFigures] | None = None,
) -> list[Reference]:
    """The municipality (computed), the region (ФИС ОКО if loaded, else computed — from ``region_totals``
    when the caller has them) and Russia (if loaded)."""
    region = territory if territory.kind == TerritoryKind.REGION else territory.parent
    loaded = reference_sets(procedure, [t for t in (territory, region) if t is not None])
    columns: list[Reference] = []
    if municipality and territory.kind == TerritoryKind.MUNICIPALITY:
        columns.append(
            computed_reference(territory.name, territory_class_assessments(procedure, territory), tasks, thresholds)
        )
    if region is not None:
        if region.pk in loaded:
            columns.append(_from_set(region.name, loaded[region.pk]))
        else:
            totals = region_totals if region_totals is not None else region_sums(procedure, region, tasks, thresholds)
            columns.append(computed_reference(region.name, None, tasks, thresholds, totals=totals))
    if "russia" in loaded:
        columns.append(_from_set(str(_("Россия")), loaded["russia"]))
    return columns


# Marks, journal, scores -------------------------------------------------------------------------


MARK_COUNTS = {
    "m2": Count("pk", filter=Q(mark=2)),
    "m3": Count("pk", filter=Q(mark=3)),
    "m4": Count("pk", filter=Q(mark=4)),
    "m5": Count("pk", filter=Q(mark=5)),
    "lower": Count("pk", filter=Q(mark__lt=F("journal_mark"))),
    "same": Count("pk", filter=Q(mark=F("journal_mark"))),
    "higher": Count("pk", filter=Q(mark__gt=F("journal_mark"))),
}


def _mark_rows(results: QuerySet[StudentResult], key: str | None) -> list[dict[str, Any]]:
    present = results.filter(absent=False)
    if key is None:
        return [present.aggregate(**MARK_COUNTS)]
    return list(present.values(key).annotate(**MARK_COUNTS).order_by())


def marks_from_row(row: dict[str, Any]) -> fig.MarkFigures:
    return fig.MarkFigures(
        counts={2: row["m2"], 3: row["m3"], 4: row["m4"], 5: row["m5"]},
        lower=row["lower"],
        same=row["same"],
        higher=row["higher"],
    )


def marks_by(class_assessments: QuerySet[ClassAssessment], key: str) -> dict[Any, fig.MarkFigures]:
    """Marks and the journal comparison grouped by ``key`` (as in :func:`task_figures_by`)."""
    lookup = "class_assessment_id" if key == "pk" else f"class_assessment__{key}"
    names = list(MARK_COUNTS)
    rows = (
        StudentResult.objects.filter(class_assessment__in=class_assessments.values("pk"), absent=False)
        .values(lookup)
        .annotate(**MARK_COUNTS)
        .values_list(lookup, *names)
        .order_by()
    )
    return {row[0]: marks_from_row(dict(zip(names, row[1:], strict=True))) for row in fetch_rows(rows)}


def marks_total(class_assessments: QuerySet[ClassAssessment]) -> fig.MarkFigures:
    results = StudentResult.objects.filter(class_assessment__in=class_assessments.values("pk"))
    rows = _mark_rows(results, None)
    return marks_from_row(rows[0]) if rows else fig.MarkFigures()


def score_distribution_by(class_assessments: QuerySet[ClassAssessment], key: str | None) -> dict[Any, dict[int, int]]:
    """Распределение первичных баллов: {group: {primary score: students}} (present students)."""
    lookup = None if key is None else ("class_assessment_id" if key == "pk" else f"class_assessment__{key}")
    values = [lookup] if lookup else []
    rows = (
        StudentResult.objects.filter(
            class_assessment__in=class_assessments.values("pk"), absent=False, primary_score__isnull=False
        )
        .values(*values, "primary_score")
        .annotate(n=Count("pk"))
        .values_list(*values, "primary_score", "n")
        .order_by()
    )
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for row in fetch_rows(rows):
        group, score, n = (row[0], row[1], row[2]) if lookup else (None, row[0], row[1])
        result[group][score] = n
    return dict(result)


@dataclass(frozen=True)
class JournalGap:
    """A student whose ВПР mark differs from the journal mark by two or more (code only, never a name)."""

    class_label: str
    student_code: str
    mark: int
    journal_mark: int

    @property
    def difference(self) -> int:
        return self.mark - self.journal_mark


def journal_gaps(class_assessments: QuerySet[ClassAssessment]) -> list[JournalGap]:
    rows = (
        StudentResult.objects.filter(
            class_assessment__in=class_assessments.values("pk"),
            absent=False,
            mark__isnull=False,
            journal_mark__isnull=False,
        )
        .filter(Q(mark__gte=F("journal_mark") + 2) | Q(journal_mark__gte=F("mark") + 2))
        .values_list("class_assessment__class_label", "student_code", "mark", "journal_mark")
        .order_by("class_assessment__class_label", "student_code")
    )
    return [JournalGap(*row) for row in rows]


# Flags ------------------------------------------------------------------------------------------


@dataclass
class Flag:
    kind: FlagKind
    reasons: list[str]

    @property
    def label(self) -> str:
        return str(self.kind.label)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def _pp(value: Any) -> str:
    return f"{float(value):.1f}".replace(".", ",")


def objectivity_flags(
    *,
    organisation: Organisation,
    figures: dict[int, fig.TaskFigure],
    marks: fig.MarkFigures,
    distribution: dict[int, int],
    procedure: Procedure,
    region: Reference | None,
    tasks: Sequence[Task],
    thresholds: AnalysisThresholds,
) -> list[Flag]:
    """Признаки необъективности of one school in one procedure, each with its reasons.

    Groups under ``min_group`` participants are not informative: no flag is raised for them.
    """
    flags: list[Flag] = []
    participants = participants_of(figures)
    if participants < thresholds.min_group:
        return flags
    values = list(figures.values())
    if region is not None:
        school_rate, region_rate = fig.overall_rate(values), region.overall(tasks)
        if (
            school_rate is not None
            and region_rate is not None
            and school_rate - region_rate >= float(thresholds.above_region_gap)
            and not is_gymnasium_or_lyceum(organisation)
        ):
            flags.append(
                Flag(
                    FlagKind.ABOVE_REGION,
                    [
                        str(REASON_ABOVE_REGION)
                        % {
                            "school": _pct(school_rate),
                            "region": _pct(region_rate),
                            "gap": _pp(school_rate - region_rate),
                            "threshold": _pp(thresholds.above_region_gap),
                        },
                        str(REASON_NOT_SELECTIVE),
                    ],
                )
            )
        basic, advanced = fig.level_rate(values, advanced=False), fig.level_rate(values, advanced=True)
        region_basic, region_advanced = region.overall(tasks, advanced=False), region.overall(tasks, advanced=True)
        if (
            None not in (basic, advanced, region_basic, region_advanced)
            and basic < region_basic  # type: ignore[operator]
            and advanced - region_advanced >= float(thresholds.inversion_gap)  # type: ignore[operator]
        ):
            flags.append(
                Flag(
                    FlagKind.INVERSION,
                    [
                        str(REASON_INVERSION_BASIC) % {"school": _pct(basic), "region": _pct(region_basic)},
                        str(REASON_INVERSION_ADVANCED)
                        % {
                            "school": _pct(advanced),
                            "region": _pct(region_advanced),
                            "gap": _pp(advanced - region_advanced),  # type: ignore[operator]
                            "threshold": _pp(thresholds.inversion_gap),
                        },
                    ],
                )
            )
    mismatch = marks.mismatch_share
    if (
        marks.compared >= thresholds.min_group
        and mismatch is not None
        and mismatch >= float(thresholds.journal_mismatch_share)
    ):
        flags.append(
            Flag(
                FlagKind.JOURNAL_MISMATCH,
                [
                    str(REASON_JOURNAL)
                    % {
                        "share": _pct(mismatch),
                        "threshold": _pp(thresholds.journal_mismatch_share),
                        "lower": marks.lower,
                        "higher": marks.higher,
                        "total": marks.compared,
                    }
                ],
            )
        )
    peaks = fig.boundary_peaks(distribution, procedure.mark_scale, thresholds)
    if peaks:
        flags.append(
            Flag(
                FlagKind.BOUNDARY_PEAKS,
                [
                    str(REASON_PEAK)
                    % {
                        "mark": peak.mark,
                        "score": peak.score,
                        "at": peak.at_boundary,
                        "below_score": peak.score - 1,
                        "below": peak.below,
                    }
                    for peak in peaks
                ],
            )
        )
    return flags


def low_results_condition(
    *, school_rate: float | None, region_rate: float | None, marks: fig.MarkFigures, thresholds: AnalysisThresholds
) -> list[str]:
    """Why a school's result in one procedure counts towards ШНОР (empty: it does not)."""
    reasons = []
    if (
        school_rate is not None
        and region_rate is not None
        and region_rate - school_rate >= float(thresholds.low_results_gap)
    ):
        reasons.append(
            str(REASON_LOW_RATE)
            % {"school": _pct(school_rate), "region": _pct(region_rate), "gap": _pp(region_rate - school_rate)}
        )
    fail = marks.share(2)
    if marks.total >= thresholds.min_group and fail is not None and fail >= float(thresholds.low_results_fail_share):
        reasons.append(
            str(REASON_LOW_FAILS) % {"share": _pct(fail), "threshold": _pp(thresholds.low_results_fail_share)}
        )
    return reasons


# Scope ------------------------------------------------------------------------------------------


def visible_class_assessments(
    user: AnyUser | None, procedure: Procedure, action: str = Action.VIEW
) -> QuerySet[ClassAssessment]:
    return ClassAssessment.objects.visible_to(user, action).filter(procedure=procedure)


def reaches_places(user: AnyUser | None, action: str = Action.VIEW) -> bool:
    """Whether the user's assessments scope reaches territories or schools (not only their own classes)."""
    return not scope_for(user, action, ASSESSMENTS).only_self


def territory_or_404(user: AnyUser | None, pk: int, action: str = Action.VIEW) -> Territory:
    """A territory the user's assessments scope covers whole (a methodologist's, an observer's); else 404."""
    scope = scope_for(user, action, ASSESSMENTS)
    if not (scope.is_global or pk in scope.territory_ids):
        raise Http404
    territory = Territory.objects.visible_to(user).filter(pk=pk).select_related("parent").first()
    if territory is None:
        raise Http404
    return cast(Territory, territory)


def school_or_404(user: AnyUser | None, pk: int, action: str = Action.VIEW) -> Organisation:
    """A school whose results the user sees whole (its coordinator, a methodologist of its territory); else 404.

    A teacher reaches the classes they teach, not the school's page.
    """
    scope = scope_for(user, action, ASSESSMENTS)
    organisation = (
        Organisation.objects.visible_to(user).filter(pk=pk).select_related("territory", "territory__parent").first()
    )
    if organisation is None:
        raise Http404
    if not (
        scope.is_global or organisation.pk in scope.organisation_ids or organisation.territory_id in scope.territory_ids
    ):
        raise Http404
    return cast(Organisation, organisation)
