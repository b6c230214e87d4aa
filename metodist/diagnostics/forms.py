"""Forms of the diagnostics. Every related choice is limited to the user's scope; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metodist.accounts.choices import Role
from metodist.accounts.models import User
from metodist.competences.models import CompetenceNode, Framework, TeacherDeficit, code_key
from metodist.competences.permissions import CAPABILITY as COMPETENCES
from metodist.core.forms import StyledFormMixin
from metodist.core.permissions import Action
from metodist.core.text import CleanTextFormMixin
from metodist.core.widgets import FastSelect
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Organisation, Person, SchoolClass, Subject, Territory

from .choices import CampaignState
from .models import Campaign, CardTemplate, Observation
from .permissions import CAPABILITY
from .services import CriterionValues

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNKNOWN_CODE = _("Показателя «%(code)s» нет в рамке карты.")
FRAMEWORK_FOR_CODES = _("Чтобы связать критерии с показателями, выберите рамку компетенций карты.")
LABELS_HELP = _("Через «;», по одной на каждый балл от меньшего к большему.")


class NodeChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: CompetenceNode) -> str:
        return f"{obj.code} — {obj.title[:160]}"


class CampaignForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Наименование"), max_length=300)
    description = forms.CharField(label=_("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    framework = forms.ModelChoiceField(label=_("Рамка компетенций"), queryset=Framework.objects.none())
    indicators = NodeChoiceField(
        label=_("Показатели"), queryset=CompetenceNode.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    territory = forms.ModelChoiceField(label=_("Муниципалитет"), queryset=Territory.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Только одна школа"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    audience_subject = forms.ModelChoiceField(
        label=_("Учителя предмета"), queryset=Subject.objects.all(), required=False
    )
    audience_young = forms.BooleanField(label=_("Только молодые педагоги"), required=False)
    starts_on = forms.DateField(label=_("Начало"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Окончание"), widget=DATE_INPUT)
    uses_self_assessment = forms.BooleanField(label=_("Самооценка (анкета педагога)"), required=False, initial=True)
    uses_test = forms.BooleanField(label=_("Внешнее тестирование (загрузка результатов)"), required=False)
    uses_observation = forms.BooleanField(label=_("Экспертное наблюдение уроков"), required=False)
    card_template = forms.ModelChoiceField(
        label=_("Карта наблюдения"), queryset=CardTemplate.objects.none(), required=False
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("Эксперты"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Эксперты увидят участников кампании и смогут записывать наблюдения их уроков."),
    )

    def __init__(self, *args: Any, user: Any, framework: Framework | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["framework"].queryset = Framework.objects.filter(is_active=True)
        if framework is not None:
            self.initial.setdefault("framework", framework.pk)
            fields["indicators"].queryset = CompetenceNode.objects.filter(framework=framework).order_by(
                "position", "id"
            )
        fields["territory"].queryset = Territory.objects.visible_to(user, Action.CHANGE, CAPABILITY).filter(
            kind=TerritoryKind.MUNICIPALITY
        )
        fields["organisation"].queryset = Organisation.objects.visible_to(user, Action.CHANGE, CAPABILITY).order_by(
            "short_name"
        )
        fields["card_template"].queryset = CardTemplate.objects.visible_to(user).filter(is_active=True)
        people = Person.objects.visible_to(user).values("pk")
        fields["experts"].queryset = (
            User.objects.filter(is_active=True, role_assignments__role=Role.EXPERT, person__in=people)
            .distinct()
            .order_by("last_name", "first_name")
        )
        if len(fields["territory"].queryset) == 1:
            self.initial.setdefault("territory", fields["territory"].queryset[0].pk)


class TestUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Файл с результатами (XLSX или CSV)"))
    measured_on = forms.DateField(label=_("Дата тестирования"), widget=DATE_INPUT)


class AnswerForm(CleanTextFormMixin, forms.Form):
    """One question of the self-assessment: the level on the framework's scale and a comment."""

    node = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.DecimalField(label=_("Оценка"), max_digits=6, decimal_places=2)
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)


class CardTemplateForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CardTemplate
        fields = ["title", "purpose", "description", "territory", "framework", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from metodist.core.scoping import scope_for

        fields: Any = self.fields
        fields["territory"].queryset = Territory.objects.visible_to(user, Action.CHANGE, CAPABILITY).filter(
            kind=TerritoryKind.MUNICIPALITY
        )
        if not scope_for(user, Action.CHANGE, CAPABILITY).is_global:
            fields["territory"].required = True
            fields["territory"].empty_label = None
        fields["framework"].queryset = Framework.objects.filter(is_active=True)


class CriterionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Критерий"), max_length=500)
    description = forms.CharField(label=_("Что наблюдать"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    node_code = forms.CharField(label=_("Код показателя"), required=False, max_length=64)
    scale_min = forms.IntegerField(label=_("Балл от"), min_value=0, max_value=99, initial=0)
    scale_max = forms.IntegerField(label=_("до"), min_value=1, max_value=100, initial=2)
    scale_labels = forms.CharField(label=_("Подписи баллов"), required=False, max_length=1000, help_text=LABELS_HELP)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=3, can_delete=True, max_num=60)


def criteria_initial(template: CardTemplate) -> list[dict[str, Any]]:
    return [
        {
            "title": c.title,
            "description": c.description,
            "node_code": c.node.code if c.node else "",
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "scale_labels": "; ".join(c.scale_labels),
        }
        for c in template.criteria.select_related("node").order_by("position", "id")
    ]


def criteria_values(formset: Any, framework: Framework | None) -> list[CriterionValues] | None:
    """The formset's criteria for the service, or None after adding an error for an unknown code."""
    items = []
    nodes = {}
    if framework is not None:
        nodes = {n.code_key: n for n in CompetenceNode.objects.filter(framework=framework)}
    ok = True
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("title"):
            continue
        node = None
        code = (data.get("node_code") or "").strip()
        if code:
            if framework is None:
                form.add_error("node_code", FRAMEWORK_FOR_CODES)
                ok = False
                continue
            node = nodes.get(code_key(code))
            if node is None:
                form.add_error("node_code", UNKNOWN_CODE % {"code": code})
                ok = False
                continue
        labels = tuple(part.strip() for part in (data.get("scale_labels") or "").split(";") if part.strip())
        items.append(
            CriterionValues(
                title=data["title"],
                description=data.get("description") or "",
                node=node,
                scale_min=data["scale_min"],
                scale_max=data["scale_max"],
                scale_labels=labels,
            )
        )
    return items if ok else None


class ObservationPersonForm(StyledFormMixin, forms.Form):
    """First step of a new observation: whose lesson (the rest of the form depends on the teacher)."""

    person = forms.ModelChoiceField(label=_("Педагог"), queryset=Person.objects.none(), widget=FastSelect)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["person"].queryset = Person.objects.visible_to(user).order_by("last_name", "first_name", "pk")


class ObservationForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Observation
        fields = ["template", "campaign", "lesson_date", "school_class", "subject", "topic", "notes", "deficits"]
        widgets = {
            "lesson_date": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "deficits": forms.CheckboxSelectMultiple,
        }
        labels = {"deficits": _("Проверить на уроке предложенные дефициты")}

    def __init__(self, *args: Any, user: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        templates = CardTemplate.objects.visible_to(user).filter(is_active=True)
        if self.instance.pk:
            templates = CardTemplate.objects.filter(pk=self.instance.template_id) | templates
            fields["template"].disabled = True
        fields["template"].queryset = templates
        fields["campaign"].queryset = (
            Campaign.objects.visible_to(user)
            .filter(state=CampaignState.OPEN, uses_observation=True, participants__person=person)
            .distinct()
        )
        fields["school_class"].queryset = (
            SchoolClass.objects.visible_to(user)
            .filter(teaching_assignments__person=person)
            .distinct()
            .select_related("organisation")
            .order_by("-academic_year", "grade", "letter")
        )
        fields["deficits"].queryset = (
            TeacherDeficit.objects.visible_to(user, Action.VIEW, COMPETENCES)
            .filter(person=person)
            .select_related("node")
            .order_by("node__position", "pk")
        )
        fields["deficits"].label_from_instance = lambda d: (
            f"{d.node.code} {d.node.title[:120]} ({d.get_state_display()})"
        )
        fields["deficits"].required = False


class RatingsForm(forms.Form):
    """The points and comments of a card, one pair of fields per criterion."""

    def __init__(self, *args: Any, criteria: list[Any], ratings: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            rating = ratings.get(criterion.pk)
            choices = [("", _("не оценено"))] + [
                (str(value), f"{value} — {label}" if label else str(value)) for value, label in criterion.points
            ]
            self.fields[f"value_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=str(rating.value) if rating and rating.value is not None else "",
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Комментарий"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                initial=rating.comment if rating else "",
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f"value_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"value_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}") or "")
            for c in self.criteria
        }


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Комментарий к решению"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    decision = forms.ChoiceField(choices=[("confirm", _("Подтвердить")), ("reject", _("Отклонить"))])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Файл"))
