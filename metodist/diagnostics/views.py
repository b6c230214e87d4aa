"""Pages of the diagnostics. Views only orchestrate: scope, form, service or selector, template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.competences.models import Framework, TeacherDeficit
from metodist.competences.permissions import CAPABILITY as COMPETENCES
from metodist.core.audit import record_export
from metodist.core.lists import export_response
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for
from metodist.core.views_support import require, scoped_or_404
from metodist.registry.models import Person

from . import selectors, services, testimport
from .choices import CampaignState, ParticipantState
from .exports import RESULT_COLUMNS
from .filters import CampaignFilter, ObservationFilter
from .forms import (
    AttachmentForm,
    CampaignForm,
    CardTemplateForm,
    CriterionFormSet,
    DecisionForm,
    ObservationForm,
    ObservationPersonForm,
    RatingsForm,
    TestUploadForm,
    criteria_initial,
    criteria_values,
)
from .models import Campaign, CardTemplate, Observation, ObservationAttachment, Participant, Result
from .permissions import CAPABILITY

PER_PAGE = 25
PARTICIPANTS_SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return str(query.urlencode())


# Campaigns -----------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    filterset = CampaignFilter(request.GET or None, queryset=selectors.campaign_list(request.user))
    page = _page(request, filterset.qs)
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    context = {
        "filter": filterset,
        "page": page,
        "extra": _query(request),
        "can_create": scope.is_global or bool(scope.territory_ids or scope.organisation_ids),
    }
    return render(request, "diagnostics/campaign_list.html", context)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    if scope.is_structural_empty:
        raise PermissionDenied
    framework = None
    framework_id = request.POST.get("framework") or request.GET.get("framework")
    frameworks = Framework.objects.filter(is_active=True)
    if framework_id and str(framework_id).isdigit():
        framework = frameworks.filter(pk=framework_id).first()
    elif frameworks.count() == 1:
        framework = frameworks.first()
    form = CampaignForm(request.POST or None, user=request.user, framework=framework)
    if request.method == "POST" and framework is not None and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                user=request.user,
                title=data["title"],
                description=data["description"],
                framework=data["framework"],
                indicators=list(data["indicators"]),
                audience=services.Audience(
                    territory=data["territory"],
                    organisation=data["organisation"],
                    subject=data["audience_subject"],
                    young=data["audience_young"],
                ),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                uses_test=data["uses_test"],
                uses_self_assessment=data["uses_self_assessment"],
                uses_observation=data["uses_observation"],
                card_template=data["card_template"],
                experts=data["experts"],
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        except PermissionDenied:
            form.add_error(None, services.NOT_ALLOWED)
        else:
            messages.success(
                request, _("Кампания создана, участников: %(count)s.") % {"count": campaign.participants.count()}
            )
            return redirect(campaign)
    return render(
        request, "diagnostics/campaign_form.html", {"form": form, "framework": framework, "frameworks": frameworks}
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign: Campaign = scoped_or_404(
        Campaign,
        request.user,
        pk,
        queryset=Campaign.objects.select_related("territory", "organisation", "framework", "card_template"),
    )
    return campaign


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = request.user
    participants = selectors.campaign_participants(user, campaign)
    below = selectors.below_threshold(user, campaign)
    context = {
        "campaign": campaign,
        "indicators": campaign.indicators.order_by("position", "id"),
        "progress": selectors.campaign_progress(user, campaign),
        "summary": selectors.indicator_summary(user, campaign),
        "participants": participants[:PARTICIPANTS_SHOWN],
        "participants_more": max(0, participants.count() - PARTICIPANTS_SHOWN),
        "below": below[: selectors.BELOW_SHOWN],
        "below_count": below.count(),
        "can_change": Campaign.objects.editable_by(user).filter(pk=pk).exists(),
        "can_export": can(user, Action.EXPORT, CAPABILITY),
        "can_observe": campaign.uses_observation and campaign.is_open and can(user, Action.CHANGE, CAPABILITY),
        "own": participants.filter(person_id=getattr(user, "person_id", None) or 0).first(),
        "experts": campaign.experts.order_by("last_name", "first_name"),
    }
    return render(request, "diagnostics/campaign_detail.html", context)


@login_required
@require_POST
def campaign_open(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        count = services.campaign_open(user=request.user, campaign=campaign, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    except PermissionDenied:
        raise Http404 from None
    else:
        total = campaign.participants.count()
        messages.success(request, str(services.CAMPAIGN_OPENED) % {"sent": count, "total": total})
    return redirect(campaign)


@login_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        sent = services.campaign_remind(user=request.user, campaign=campaign, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, str(services.REMINDED) % {"sent": sent})
    return redirect(campaign)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        services.campaign_close(user=request.user, campaign=campaign)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, str(services.CAMPAIGN_CLOSED))
    return redirect(campaign)


@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Action.EXPORT, CAPABILITY)
    campaign = scoped_or_404(Campaign, request.user, pk, Action.EXPORT)
    results = (
        Result.objects.visible_to(request.user, Action.EXPORT)
        .filter(campaign=campaign)
        .select_related("person", "organisation", "node", "author", "deficit")
        .order_by("person__last_name", "person__first_name", "person_id", "node__position", "method", "pk")
    )
    return export_response(
        request,
        results,
        columns=RESULT_COLUMNS,
        stem=f"diagnostika-{campaign.pk}",
        what=_("Результаты диагностики: %(title)s") % {"title": campaign.title},
    )


def _editable_campaign(request: HttpRequest, pk: int, action: str = Action.IMPORT) -> Campaign:
    require(request.user, action, CAPABILITY)
    campaign: Campaign = get_object_or_404(
        Campaign.objects.editable_by(request.user).visible_to(request.user, action).select_related("framework"),
        pk=pk,
    )
    return campaign


@login_required
def campaign_test_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Load an external test's results: every bad row listed, nothing written unless the whole file is right."""
    campaign = _editable_campaign(request, pk)
    form = TestUploadForm(request.POST or None, request.FILES or None, initial={"measured_on": timezone.localdate()})
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        check = testimport.check_test_file(
            user=request.user, campaign=campaign, content=upload.read(), filename=upload.name
        )
        if check.ok:
            try:
                results = services.test_results_load(
                    user=request.user,
                    campaign=campaign,
                    rows=check.rows,
                    filename=upload.name,
                    measured_on=form.cleaned_data["measured_on"],
                )
            except ValidationError as error:
                form.add_error(None, " ".join(_errors(error)))
            else:
                below = sum(1 for r in results if r.is_below)
                messages.success(
                    request,
                    _("Загружено результатов: %(count)s, из них ниже порога: %(below)s.")
                    % {"count": len(results), "below": below},
                )
                return redirect(campaign)
    return render(request, "diagnostics/test_upload.html", {"campaign": campaign, "form": form, "check": check})


@login_required
def campaign_test_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The file to fill in, with the participants the user sees (their СНИЛС: recorded as an export)."""
    campaign = _editable_campaign(request, pk)
    participants = list(
        Participant.objects.visible_to(request.user, Action.IMPORT)
        .filter(campaign=campaign)
        .select_related("person", "organisation")
    )
    content = testimport.template_workbook(campaign, participants)
    record_export(
        request,
        what=_("Шаблон результатов тестирования: %(title)s") % {"title": campaign.title},
        file_format="xlsx",
        row_count=len(participants),
        object_ids=[p.person_id for p in participants],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="testirovanie-{campaign.pk}.xlsx"'
    return response


# The teacher's own questionnaires ------------------------------------------------------------------


@login_required
def my_diagnostics(request: HttpRequest) -> HttpResponse:
    context = {
        "participations": selectors.own_participations(request.user),
        "observations": selectors.own_observations(request.user)[:50],
    }
    return render(request, "diagnostics/my_diagnostics.html", context)


def _own_participant(request: HttpRequest, pk: int) -> Participant:
    """The user's own questionnaire; anybody else's is a 404 (nobody fills it in for another person)."""
    person_id = getattr(request.user, "person_id", None)
    participant: Participant = get_object_or_404(
        Participant.objects.visible_to(request.user)
        .filter(person_id=person_id or 0)
        .exclude(campaign__state=CampaignState.DRAFT)
        .select_related("campaign__framework", "organisation"),
        pk=pk,
    )
    return participant


SELF_ASSESSMENT_POINTS = [
    _("не владею"),
    _("владею слабо, нужна помощь"),
    _("владею частично"),
    _("владею уверенно"),
    _("владею свободно, могу научить других"),
]


def _scale(framework: Framework) -> dict[str, Any]:
    """How the questionnaire asks for a level: one button per point of a short integer scale; on a long scale
    (0–100) five steps of self-assessment, each standing for its share of the framework's scale."""
    low, high = framework.scale_min, framework.scale_max
    whole = low == low.to_integral_value() and high == high.to_integral_value()
    if whole and high - low <= 10:
        values = [Decimal(v) for v in range(int(low), int(high) + 1)]
    else:
        steps = len(SELF_ASSESSMENT_POINTS) - 1
        values = [(low + (high - low) * i / steps).quantize(Decimal("0.01")) for i in range(steps + 1)]
    labelled = len(values) == len(SELF_ASSESSMENT_POINTS)
    points = [
        {"value": value, "label": str(SELF_ASSESSMENT_POINTS[i]) if labelled else "", "number": i}
        for i, value in enumerate(values)
    ]
    return {"min": low, "max": high, "points": points, "threshold": framework.proficiency_threshold}


def _questions(participant: Participant) -> list[dict[str, Any]]:
    answers = {a.node_id: a for a in participant.answers.all()}
    return [
        {"node": node, "answer": answers.get(node.pk), "number": index}
        for index, node in enumerate(participant.campaign.indicators.order_by("position", "id"), start=1)
    ]


@login_required
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    """The self-assessment: one indicator per question on the framework's scale; saved as the teacher goes."""
    participant = _own_participant(request, pk)
    campaign = participant.campaign
    if request.method == "POST":  # the whole form at once (without JavaScript, or «Сохранить»)
        errors = _save_answers(request, participant)
        if errors:
            for message in errors:
                messages.error(request, message)
        elif "submit" in request.POST:
            try:
                services.self_assessment_submit(user=request.user, participant=participant)
            except ValidationError as error:
                for message in _errors(error):
                    messages.error(request, message)
            else:
                messages.success(request, str(services.SUBMITTED))
                return redirect("diagnostics:my_diagnostics")
        else:
            messages.success(request, _("Ответы сохранены."))
        return redirect("diagnostics:questionnaire", pk=participant.pk)
    questions = _questions(participant)
    context = {
        "participant": participant,
        "campaign": campaign,
        "questions": questions,
        "answered": sum(1 for q in questions if q["answer"] is not None),
        "scale": _scale(campaign.framework),
        "editable": campaign.is_open
        and campaign.uses_self_assessment
        and participant.state != ParticipantState.SUBMITTED,
        "results": participant.results.select_related("node", "deficit").order_by("node__position", "method"),
    }
    return render(request, "diagnostics/questionnaire.html", context)


def _save_answers(request: HttpRequest, participant: Participant) -> list[str]:
    errors: list[str] = []
    nodes = {n.pk: n for n in participant.campaign.indicators.all()}
    for node_id, node in nodes.items():
        raw = request.POST.get(f"level_{node_id}", "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            level = Decimal(raw)
            services.answer_save(
                user=request.user,
                participant=participant,
                node=node,
                level=level,
                comment=request.POST.get(f"comment_{node_id}", ""),
            )
        except ValidationError as error:
            errors.extend(f"{node.code}: {m}" for m in _errors(error))
        except ArithmeticError:
            errors.append(f"{node.code}: " + str(services.LEVEL_OUT_OF_SCALE) % _limits(participant))
    return errors


def _limits(participant: Participant) -> dict[str, Any]:
    framework = participant.campaign.framework
    return {"min": framework.scale_min, "max": framework.scale_max}


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int) -> HttpResponse:
    """One answer, sent by htmx as soon as the teacher picks a level or leaves the comment (the question's
    fields are ``level_<node>`` and ``comment_<node>``, as in the whole form)."""
    participant = _own_participant(request, pk)
    node_id = request.POST.get("node", "")
    node = participant.campaign.indicators.filter(pk=node_id).first() if node_id.isdigit() else None
    if node is None:
        raise Http404
    raw = request.POST.get(f"level_{node.pk}", "").strip().replace(",", ".")
    # An error answers 200 too: htmx swaps only successful answers, and the teacher must read the reason.
    if not raw:
        message, ok = _("Выберите оценку."), False
    else:
        try:
            services.answer_save(
                user=request.user,
                participant=participant,
                node=node,
                level=Decimal(raw),
                comment=request.POST.get(f"comment_{node.pk}", ""),
            )
        except ValidationError as error:
            message, ok = " ".join(_errors(error)), False
        except ArithmeticError:
            message, ok = str(services.LEVEL_OUT_OF_SCALE) % _limits(participant), False
        else:
            message, ok = _("Сохранено"), True
    answered = participant.answers.count()
    total = participant.campaign.indicators.count()
    return render(
        request,
        "diagnostics/_answer_status.html",
        {"message": message, "ok": ok, "answered": answered, "total": total},
    )


# Observation card templates ----------------------------------------------------------------------


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    templates = (
        CardTemplate.objects.visible_to(request.user)
        .select_related("territory", "framework")
        .order_by("-is_active", "title", "pk")
    )
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    context = {"page": _page(request, templates), "can_create": scope.is_global or bool(scope.territory_ids)}
    return render(request, "diagnostics/card_list.html", context)


@login_required
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = scoped_or_404(CardTemplate, request.user, pk, queryset=CardTemplate.objects.select_related("framework"))
    context = {
        "template": template,
        "criteria": template.criteria.select_related("node").order_by("position", "id"),
        "can_change": CardTemplate.objects.editable_by(request.user).filter(pk=pk).exists(),
        "used": Observation.objects.filter(template=template).exists(),
    }
    return render(request, "diagnostics/card_detail.html", context)


def _card_form(request: HttpRequest, template: CardTemplate) -> HttpResponse:
    form = CardTemplateForm(request.POST or None, instance=template, user=request.user)
    initial = criteria_initial(template) if template.pk else []
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        criteria = criteria_values(formset, form.cleaned_data.get("framework"))
        if criteria is not None:
            item = form.save(commit=False)
            try:
                saved = services.card_template_save(user=request.user, template=item, criteria=criteria)
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            except PermissionDenied:
                form.add_error(None, services.NOT_ALLOWED)
            else:
                messages.success(request, _("Карта наблюдения сохранена."))
                return redirect(saved)
    return render(request, "diagnostics/card_form.html", {"form": form, "formset": formset, "template": template})


@login_required
def card_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    if not (scope.is_global or scope.territory_ids):
        raise PermissionDenied
    return _card_form(request, CardTemplate())


@login_required
def card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    template = get_object_or_404(CardTemplate.objects.editable_by(request.user), pk=pk)
    return _card_form(request, template)


@login_required
@require_POST
def card_copy(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    template = get_object_or_404(CardTemplate.objects.editable_by(request.user), pk=pk)
    title = f"{template.title} ({_('копия')} {timezone.localdate():%d.%m.%Y})"[:300]
    try:
        copy = services.card_template_copy(user=request.user, template=template, title=title)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
        return redirect(template)
    messages.success(request, _("Создана копия карты: её можно изменить."))
    return redirect("diagnostics:card_edit", pk=copy.pk)


# Observations --------------------------------------------------------------------------------------


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    filterset = ObservationFilter(request.GET or None, queryset=selectors.observation_list(request.user))
    context = {
        "filter": filterset,
        "page": _page(request, filterset.qs),
        "extra": _query(request),
        "can_create": can(request.user, Action.CHANGE, CAPABILITY),
    }
    return render(request, "diagnostics/observation_list.html", context)


@login_required
def observation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    person = None
    person_id = request.POST.get("person") or request.GET.get("person")
    if person_id and str(person_id).isdigit():
        person = Person.objects.visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        chooser = ObservationPersonForm(request.GET or None, user=request.user)
        return render(request, "diagnostics/observation_person.html", {"form": chooser})
    initial: dict[str, Any] = {"lesson_date": timezone.localdate()}
    campaign_id = request.GET.get("campaign")
    if campaign_id and campaign_id.isdigit():
        initial["campaign"] = campaign_id
        campaign = Campaign.objects.visible_to(request.user).filter(pk=campaign_id).first()
        if campaign is not None and campaign.card_template_id:
            initial["template"] = campaign.card_template_id
    observation = Observation(person=person)
    form = ObservationForm(
        request.POST or None, instance=observation, user=request.user, person=person, initial=initial
    )
    return _observation_form(request, form, observation, person)


def _observation_form(
    request: HttpRequest, form: ObservationForm, observation: Observation, person: Person
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.person = person
        try:
            saved = services.observation_save(
                user=request.user, observation=item, deficits=form.cleaned_data["deficits"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied:
            form.add_error(None, services.NOT_ALLOWED)
        else:
            messages.success(request, _("Наблюдение сохранено: поставьте баллы по критериям карты."))
            return redirect(saved)
    return render(
        request, "diagnostics/observation_form.html", {"form": form, "person": person, "observation": observation}
    )


@login_required
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = scoped_or_404(Observation, request.user, pk, Action.CHANGE, capability=CAPABILITY)
    if observation.is_completed:
        messages.info(request, str(services.OBSERVATION_COMPLETED_ALREADY))
        return redirect(observation)
    form = ObservationForm(
        request.POST or None,
        instance=observation,
        user=request.user,
        person=observation.person,
    )
    return _observation_form(request, form, observation, observation.person)


def _observation(request: HttpRequest, pk: int) -> Observation:
    observation: Observation = scoped_or_404(
        Observation,
        request.user,
        pk,
        queryset=Observation.objects.select_related(
            "person", "organisation", "template", "school_class", "subject", "observer", "campaign"
        ),
    )
    return observation


@login_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = _observation(request, pk)
    user = request.user
    can_change = Observation.objects.visible_to(user, Action.CHANGE).filter(pk=pk).exists()
    criteria = list(observation.template.criteria.select_related("node").order_by("position", "id"))
    ratings = {r.criterion_id: r for r in observation.ratings.all()}
    form = None
    if can_change and not observation.is_completed:
        form = RatingsForm(request.POST or None, criteria=criteria, ratings=ratings)
        if request.method == "POST" and form.is_valid():
            try:
                services.ratings_save(user=user, observation=observation, values=form.values())
                if "complete" in request.POST:
                    results = services.observation_complete(user=user, observation=observation)
                    below = sum(1 for r in results if r.is_below)
                    messages.success(
                        request,
                        _("Наблюдение завершено. Показателей оценено: %(count)s, ниже порога: %(below)s.")
                        % {"count": len(results), "below": below},
                    )
                else:
                    messages.success(request, _("Баллы сохранены."))
            except ValidationError as error:
                for message in _errors(error):
                    messages.error(request, message)
            return redirect(observation)
    elif request.method == "POST":
        raise Http404
    deficits = (
        TeacherDeficit.objects.visible_to(user, Action.VIEW, COMPETENCES)
        .filter(pk__in=services.observation_deficits(observation).values("pk"))
        .select_related("node", "decided_by")
        .order_by("node__position", "pk")
    )
    deciding = services.can_decide_deficits(user) and observation.is_completed
    decidable = (
        set(
            TeacherDeficit.objects.visible_to(user, Action.CHANGE, COMPETENCES)
            .filter(pk__in=[d.pk for d in deficits])
            .exclude(person_id=getattr(user, "person_id", None) or 0)
            .values_list("pk", flat=True)
        )
        if deciding
        else set()
    )
    context = {
        "observation": observation,
        "criteria": criteria,
        "rating_list": observation.ratings.select_related("criterion").order_by("criterion__position", "pk"),
        "form": form,
        "can_change": can_change,
        "results": observation.results.select_related("node", "deficit").order_by("node__position"),
        "deficits": deficits,
        "decidable": decidable,
        "attachments": observation.attachments.all(),
        "attachment_form": AttachmentForm() if can_change else None,
    }
    return render(request, "diagnostics/observation_detail.html", context)


@login_required
@require_POST
def observation_decide(request: HttpRequest, pk: int, deficit_pk: int) -> HttpResponse:
    """«Подтвердить / отклонить» a deficit after the lesson; the decision refers to this observation."""
    observation = _observation(request, pk)
    deficit = get_object_or_404(
        TeacherDeficit.objects.visible_to(request.user, Action.CHANGE, COMPETENCES), pk=deficit_pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Напишите комментарий к решению: на чём оно основано."))
        return redirect(observation)
    try:
        services.observation_decide(
            user=request.user,
            observation=observation,
            deficit=deficit,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        confirmed = form.cleaned_data["decision"] == "confirm"
        messages.success(request, _("Дефицит подтверждён.") if confirmed else _("Дефицит отклонён."))
    return redirect(observation)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    observation = scoped_or_404(Observation, request.user, pk, Action.CHANGE, capability=CAPABILITY)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(user=request.user, observation=observation, upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, _("Файл приложен."))
    else:
        messages.error(request, _("Выберите файл."))
    return redirect(observation)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A file of an observation: only through the observation's scope, never under a public URL."""
    observations = Observation.objects.visible_to(request.user).values("pk")
    attachment = get_object_or_404(ObservationAttachment.objects.filter(observation__in=observations), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_filename)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    observations = Observation.objects.visible_to(request.user, Action.CHANGE).values("pk")
    attachment = get_object_or_404(ObservationAttachment.objects.filter(observation__in=observations), pk=pk)
    observation = attachment.observation
    services.attachment_delete(user=request.user, attachment=attachment)
    messages.success(request, _("Файл удалён."))
    return redirect(observation)
