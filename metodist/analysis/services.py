"""Writes of the analysis: thresholds and reference figures (keyword-only, atomic)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from metodist.assessments.models import ClassAssessment, Procedure, Task
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Territory

from . import chain
from . import reference_files as files
from .choices import ReferenceLevel, ReferenceSource
from .models import AnalysisThresholds, ReferenceSet, ReferenceTaskRate
from .permissions import CAPABILITY

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm

    from metodist.core.types import AnyUser

LOADED = _(
    "Загружено: %(groups)s. Пропущены строки, не относящиеся к России, региону и вашим муниципалитетам: %(skipped)s."
)
LOADED_ALL = _("Загружено: %(groups)s.")
NOT_ALLOWED_REGION = _("Показатели региона «%(name)s» вам недоступны.")


def may_change_reference(user: AnyUser | None, procedure: Procedure, territory: Territory | None) -> bool:
    """Russia's and a region's figures: a user whose change scope has that region or one of its
    municipalities (ФИС ОКО gives every level the same «Вся выборка» and region rows); a municipality's:
    that municipality in the change scope."""
    scope = scope_for(user, Action.CHANGE, CAPABILITY)
    if scope.is_global:
        return True
    if not scope.territory_ids:
        return False
    if territory is None:
        return True
    if territory.kind == TerritoryKind.REGION:
        return (
            territory.pk in scope.territory_ids
            or Territory.objects.filter(parent=territory, pk__in=scope.territory_ids).exists()
        )
    return territory.pk in scope.territory_ids


# Thresholds -------------------------------------------------------------------------------------


@transaction.atomic
def thresholds_save(*, actor: AnyUser, form: ModelForm[AnalysisThresholds]) -> AnalysisThresholds:
    thresholds = form.save(commit=False)
    thresholds.changed_by = actor  # type: ignore[assignment]
    thresholds.full_clean()
    thresholds.save()
    return thresholds


@transaction.atomic
def thresholds_reset(*, actor: AnyUser, territory: Territory | None) -> None:
    """Remove a territory's own thresholds: the region's, the global ones or the defaults apply again."""
    AnalysisThresholds.objects.filter(territory=territory).delete()


# Reference figures ------------------------------------------------------------------------------


@dataclass
class LoadResult:
    problems: list[files.Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        values = {"groups": ", ".join(self.written), "skipped": ", ".join(self.skipped)}
        return str(LOADED if self.skipped else LOADED_ALL) % values


def _targets(
    actor: AnyUser, procedure: Procedure, region: Territory, groups: list[files.GroupRow], result: LoadResult
) -> list[tuple[files.GroupRow, str, Territory | None]]:
    municipalities = {files.group_key(t.name): t for t in region.children.all()}
    targets: list[tuple[files.GroupRow, str, Territory | None]] = []
    for group in groups:
        key = files.group_key(group.name)
        if key in files.RUSSIA_LABELS:
            targets.append((group, ReferenceLevel.RUSSIA, None))
        elif key == files.group_key(region.name):
            targets.append((group, ReferenceLevel.REGION, region))
        elif key in municipalities and may_change_reference(actor, procedure, municipalities[key]):
            targets.append((group, ReferenceLevel.MUNICIPALITY, municipalities[key]))
        else:
            result.skipped.append(group.name)
    return targets


@transaction.atomic
def reference_file_load(*, actor: AnyUser, procedure: Procedure, region: Territory, upload: UploadedFile) -> LoadResult:
    """Load «Выполнение заданий» or «Статистика по отметкам» of ``procedure``: all or nothing."""
    result = LoadResult()
    if not may_change_reference(actor, procedure, region):
        result.problems.append(files.Problem(1, None, str(NOT_ALLOWED_REGION) % {"name": region.name}))
        return result
    tasks = list(Task.objects.filter(procedure=procedure).order_by("position"))
    try:
        rows = files.read_rows(upload.file)  # type: ignore[arg-type]  # an upload always has its file
    except ValueError as error:
        result.problems.append(files.Problem(1, None, str(error)))
        return result
    parsed = files.parse(rows, [t.number for t in tasks])
    result.kind = parsed.kind
    result.problems.extend(parsed.problems)
    targets = _targets(actor, procedure, region, parsed.groups, result)
    if not targets and not result.problems:
        result.problems.append(files.Problem(1, None, str(files.NO_GROUPS) % {"region": region.name}))
    if result.problems:
        return result
    by_key = {files.task_key(t.number): t for t in tasks}
    for group, level, territory in targets:
        reference, _created = ReferenceSet.objects.get_or_create(
            procedure=procedure,
            level=level,
            territory=territory,
            defaults={"source": ReferenceSource.FILE},
        )
        reference.source = ReferenceSource.FILE
        reference.source_name = (upload.name or "")[:255]
        reference.group_name = group.name[:255]
        reference.loaded_by = actor  # type: ignore[assignment]
        if group.participants is not None:
            reference.participants = group.participants
        if parsed.kind == "marks":
            if group.organisations is not None:
                reference.organisations = group.organisations
            reference.mark2, reference.mark3 = group.marks.get(2), group.marks.get(3)
            reference.mark4, reference.mark5 = group.marks.get(4), group.marks.get(5)
        reference.save()
        if parsed.kind == "tasks":
            reference.task_rates.all().delete()
            ReferenceTaskRate.objects.bulk_create(
                ReferenceTaskRate(reference=reference, task=by_key[key], rate=value)
                for key, value in group.rates.items()
            )
        result.written.append(group.name)
    return result


@transaction.atomic
def reference_manual_save(
    *,
    actor: AnyUser,
    procedure: Procedure,
    level: str,
    territory: Territory | None,
    participants: int | None,
    marks: dict[int, Decimal | None],
    rates: dict[int, Decimal | None],
) -> ReferenceSet:
    """Figures typed in a form when no file is at hand; empty task fields remove that task's rate."""
    reference, _created = ReferenceSet.objects.get_or_create(
        procedure=procedure, level=level, territory=territory, defaults={"source": ReferenceSource.MANUAL}
    )
    reference.source = ReferenceSource.MANUAL
    reference.source_name = ""
    reference.participants = participants
    reference.mark2, reference.mark3, reference.mark4, reference.mark5 = (marks.get(m) for m in (2, 3, 4, 5))
    reference.loaded_by = actor  # type: ignore[assignment]
    reference.full_clean()
    reference.save()
    reference.task_rates.all().delete()
    ReferenceTaskRate.objects.bulk_create(
        ReferenceTaskRate(reference=reference, task_id=task_pk, rate=value)
        for task_pk, value in rates.items()
        if value is not None
    )
    return reference


@transaction.atomic
def reference_delete(*, actor: AnyUser, reference: ReferenceSet) -> None:
    reference.delete()


def reference_initial(reference: ReferenceSet | None) -> dict[str, Any]:
    if reference is None:
        return {}
    initial: dict[str, Any] = {"participants": reference.participants}
    for mark, value in reference.marks.items():
        initial[f"mark{mark}"] = value
    for rate in reference.task_rates.all():
        initial[f"task_{rate.task_id}"] = rate.rate
    return initial


# The chain «дефициты класса → дефициты учителя» ---------------------------------------------------

NOT_ALLOWED_PROPOSE = _("Предлагать дефициты педагогам могут координатор школы, методист и администратор.")
CHAIN_CHUNK = 300  # classes planned and written at a time (a region's procedure has thousands)


@transaction.atomic
def class_deficits_propose(
    *,
    user: AnyUser,
    assessments: QuerySet[ClassAssessment],
    progress: Callable[[int, int], None] | None = None,
) -> chain.ChainReport:
    """Предложить дефициты учителям по результатам классов (:mod:`metodist.analysis.chain`).

    Of ``assessments``, the classes the user sees (``assessments`` scope) at schools where they may change
    teachers' deficits (``competences`` scope) are planned and written, ``CHAIN_CHUNK`` at a time, in one
    transaction; ``progress(done, total)`` counts classes. Idempotent: running again refreshes the evidence
    of the same proposals and keeps every decision. ``PermissionDenied`` for a user whose roles never change
    teachers' deficits.
    """
    if scope_for(user, Action.CHANGE, chain.COMPETENCES).is_empty:
        raise PermissionDenied(NOT_ALLOWED_PROPOSE)
    visible = ClassAssessment.objects.visible_to(user).filter(pk__in=assessments.values("pk"))
    ids = list(
        chain.proposable(user, visible).order_by("organisation_id", "class_label", "pk").values_list("pk", flat=True)
    )
    report = chain.ChainReport()
    for start in range(0, len(ids), CHAIN_CHUNK):
        chunk = ids[start : start + CHAIN_CHUNK]
        plans = chain.plan_classes(ClassAssessment.objects.filter(pk__in=chunk), user=user)
        report.extend(chain.write(plans))
        if progress is not None:
            progress(start + len(chunk), len(ids))
    return report
