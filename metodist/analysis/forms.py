"""Forms of the analysis: thresholds, a statistics file, reference figures typed by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from metodist.assessments.models import Procedure
from metodist.core.forms import StyledFormMixin
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Territory

from .choices import ReferenceLevel
from .models import PERCENT, AnalysisThresholds, ReferenceSet
from .permissions import CAPABILITY
from .services import may_change_reference, reference_initial

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

TERRITORY_REQUIRED = _("Укажите территорию для показателей региона или муниципалитета.")
TERRITORY_KIND_MISMATCH = _("Выбранная территория не того уровня.")
TERRITORY_NOT_ALLOWED = _("Показатели этой территории вам недоступны.")
MARKS_SUM = _("Доли отметок в сумме дают %(sum)s %%, а должны 100 %%.")


class ThresholdsForm(StyledFormMixin, forms.ModelForm[AnalysisThresholds]):
    class Meta:
        model = AnalysisThresholds
        fields = [
            "basic_sufficient",
            "basic_uncertain",
            "advanced_sufficient",
            "advanced_uncertain",
            "min_group",
            "min_distribution",
            "above_region_gap",
            "inversion_gap",
            "journal_mismatch_share",
            "peak_ratio",
            "peak_min_share",
            "low_results_gap",
            "low_results_fail_share",
            "low_results_min_procedures",
            "note",
        ]


def changeable_regions(user: AnyUser | None) -> QuerySet[Territory]:
    """Regions whose reference figures ``user`` may load: the region itself or a municipality in it in scope."""
    scope = scope_for(user, Action.CHANGE, CAPABILITY)
    regions = Territory.objects.filter(kind=TerritoryKind.REGION)
    if scope.is_global:
        return regions.order_by("name")
    return (
        regions.filter(Q(pk__in=scope.territory_ids) | Q(children__in=scope.territory_ids)).distinct().order_by("name")
    )


class ReferenceUploadForm(StyledFormMixin, forms.Form):
    procedure = forms.ModelChoiceField(label=_("Процедура"), queryset=Procedure.objects.none())
    region = forms.ModelChoiceField(
        label=_("Регион"),
        queryset=Territory.objects.none(),
        help_text=_("Строка региона в файле узнаётся по его наименованию, муниципалитеты — по своим."),
    )
    file = forms.FileField(
        label=_("Файл ФИС ОКО"),
        help_text=_(
            "«Выполнение заданий» или «Статистика по отметкам» (XLSX), строки «Вся выборка», регион, муниципалитеты."
        ),
    )

    def __init__(self, *args: Any, user: AnyUser | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedure_field = self.fields["procedure"]
        region_field = self.fields["region"]
        assert isinstance(procedure_field, forms.ModelChoiceField)
        assert isinstance(region_field, forms.ModelChoiceField)
        procedure_field.queryset = Procedure.objects.visible_to(user).filter(organisation__isnull=True)
        region_field.queryset = changeable_regions(user)


class ManualReferenceForm(StyledFormMixin, forms.Form):
    """Russia's, a region's or a municipality's figures typed by hand: mark shares and a rate per task."""

    procedure = forms.ModelChoiceField(label=_("Процедура"), queryset=Procedure.objects.none())
    level = forms.ChoiceField(label=_("Уровень"), choices=ReferenceLevel.choices)
    territory = forms.ModelChoiceField(label=_("Территория"), queryset=Territory.objects.none(), required=False)
    participants = forms.IntegerField(label=_("Участников"), min_value=0, required=False)

    def __init__(self, *args: Any, user: AnyUser | None, procedure: Procedure | None, **kwargs: Any) -> None:
        self.user = user
        self.chosen_procedure = procedure
        initial = kwargs.pop("initial", {}) or {}
        if procedure is not None:
            initial = {"procedure": procedure.pk, **initial}
        super().__init__(*args, initial=initial, **kwargs)
        procedure_field = self.fields["procedure"]
        territory_field = self.fields["territory"]
        assert isinstance(procedure_field, forms.ModelChoiceField)
        assert isinstance(territory_field, forms.ModelChoiceField)
        procedure_field.queryset = Procedure.objects.visible_to(user).filter(organisation__isnull=True)
        scope = scope_for(user, Action.CHANGE, CAPABILITY)
        territory_field.queryset = (
            Territory.objects.order_by("kind", "name")
            if scope.is_global
            else Territory.objects.filter(
                Q(pk__in=scope.territory_ids) | Q(pk__in=changeable_regions(user).values("pk"))
            ).order_by("kind", "name")
        )
        for mark in (2, 3, 4, 5):
            self.fields[f"mark{mark}"] = forms.DecimalField(
                label=_("«%(mark)s», %%") % {"mark": mark},
                required=False,
                max_digits=5,
                decimal_places=2,
                validators=PERCENT,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )
        self.tasks = list(procedure.tasks.order_by("position")) if procedure is not None else []
        for task in self.tasks:
            self.fields[f"task_{task.pk}"] = forms.DecimalField(
                label=_("Задание %(number)s, %%") % {"number": task.number},
                required=False,
                max_digits=5,
                decimal_places=2,
                validators=PERCENT,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )
        if procedure is not None and not self.is_bound:
            existing = ReferenceSet.objects.filter(procedure=procedure, level=ReferenceLevel.RUSSIA).first()
            for key, value in reference_initial(existing).items():
                self.initial.setdefault(key, value)

    @property
    def mark_fields(self) -> list[forms.BoundField]:
        return [self[f"mark{m}"] for m in (2, 3, 4, 5)]

    @property
    def task_fields(self) -> list[forms.BoundField]:
        return [self[f"task_{t.pk}"] for t in self.tasks]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, territory = data.get("level"), data.get("territory")
        if level in (ReferenceLevel.REGION, ReferenceLevel.MUNICIPALITY):
            if territory is None:
                self.add_error("territory", TERRITORY_REQUIRED)
            elif territory.kind != level:
                self.add_error("territory", TERRITORY_KIND_MISMATCH)
        elif level == ReferenceLevel.RUSSIA:
            data["territory"] = None
        procedure = data.get("procedure")
        if procedure is not None and not may_change_reference(self.user, procedure, data.get("territory")):
            self.add_error("territory", TERRITORY_NOT_ALLOWED)
        marks = [data.get(f"mark{m}") for m in (2, 3, 4, 5)]
        if all(m is not None for m in marks):
            total = sum((Decimal(m) for m in marks if m is not None), Decimal(0))
            if abs(total - 100) > Decimal("1.5"):
                self.add_error(None, str(MARKS_SUM) % {"sum": f"{total:.1f}".replace(".", ",")})
        chosen = self.chosen_procedure
        if procedure is not None and chosen is not None and procedure.pk != chosen.pk:
            self.add_error("procedure", _("Выберите процедуру заново: задания другой процедуры."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "procedure": data["procedure"],
            "level": data["level"],
            "territory": data.get("territory"),
            "participants": data.get("participants"),
            "marks": {m: data.get(f"mark{m}") for m in (2, 3, 4, 5)},
            "rates": {t.pk: data.get(f"task_{t.pk}") for t in self.tasks},
        }
