"""Writes of the diagnostics: campaigns, questionnaires, test results, observations and their deficits.

Keyword-only, ``@transaction.atomic`` functions named ``<entity>_<action>``; each checks the user's right
itself (a page, the API and the demo call the same code). Messages are constants that tests assert.
A level below the framework's threshold proposes (or refreshes) a teacher deficit through
:func:`metodist.competences.services.deficit_propose`; decisions go through ``deficit_decide``.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.competences import services as competences
from metodist.competences.models import CompetenceNode, Framework, TeacherDeficit
from metodist.competences.permissions import CAPABILITY as COMPETENCES
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.models import Employment, Organisation, Person, SchoolClass, Subject
from metodist.registry.querysets import active_on

from .choices import CampaignState, Method, ObservationState, ParticipantState
from .models import (
    Answer,
    Campaign,
    CardCriterion,
    CardTemplate,
    Observation,
    ObservationAttachment,
    Participant,
    Rating,
    Result,
    academic_year_of,
)
from .permissions import CAPABILITY

if TYPE_CHECKING:
    from django.http import HttpRequest

    from metodist.core.types import AnyUser

logger = logging.getLogger(__name__)

# Messages ------------------------------------------------------------------------------------------

NOT_ALLOWED = _("У вас нет прав на это действие.")
FRAMEWORK_INACTIVE = _("Рамка компетенций не действует: выберите действующую.")
INDICATORS_REQUIRED = _("Выберите хотя бы один показатель.")
INDICATOR_NOT_IN_FRAMEWORK = _("Показатель %(code)s не из выбранной рамки компетенций.")
METHOD_REQUIRED = _("Выберите хотя бы один метод диагностики.")
PERIOD_ORDER = _("Окончание кампании раньше её начала.")
CARD_REQUIRED = _("Для наблюдения уроков выберите карту наблюдения.")
ORGANISATION_NOT_IN_TERRITORY = _("Школа не из выбранного муниципалитета.")
NOBODY_SELECTED = _("Под условия отбора не подходит ни один педагог: измените условия.")
NOT_DRAFT = _("Кампания уже открыта: изменить состав и показатели нельзя.")
NOT_OPEN = _("Кампания не идёт: анкета закрыта.")
NO_SELF_ASSESSMENT = _("В этой кампании нет самооценки.")
NO_TEST = _("В этой кампании нет внешнего тестирования.")
ALREADY_SUBMITTED = _("Анкета уже отправлена.")
NOT_AN_INDICATOR = _("Этого показателя нет в анкете.")
LEVEL_OUT_OF_SCALE = _("Оценка должна быть от %(min)s до %(max)s.")
UNANSWERED = _("Ответьте на все вопросы. Без ответа: %(codes)s.")
CAMPAIGN_OPENED = _("Кампания открыта, приглашения отправлены: %(sent)s из %(total)s.")
CAMPAIGN_CLOSED = _("Кампания завершена.")
REMINDED = _("Напоминания отправлены: %(sent)s.")
SUBMITTED = _("Анкета отправлена. Спасибо!")
RATING_OUT_OF_SCALE = _("Балл по критерию «%(criterion)s» должен быть от %(min)s до %(max)s.")
OBSERVATION_COMPLETED_ALREADY = _("Наблюдение уже завершено: изменить оценки нельзя.")
NOTHING_RATED = _("Поставьте балл хотя бы по одному критерию.")
TEMPLATE_INACTIVE = _("Эта карта наблюдения больше не используется.")
CLASS_NOT_OF_PERSON = _("Класс не из школы, где работает педагог.")
PERSON_HAS_NO_SCHOOL = _("У педагога нет текущего места работы: урок не к чему привязать.")
DEFICIT_NOT_OF_PERSON = _("Дефицит относится к другому педагогу.")
DEFICIT_NOT_LINKED = _("Этот дефицит не проверялся на этом уроке.")
TEMPLATE_IN_USE = _("По этой карте уже проведены наблюдения: критерии менять нельзя, создайте копию карты.")
CRITERIA_REQUIRED = _("В карте должен быть хотя бы один критерий.")
CRITERION_SCALE = _("Критерий «%(criterion)s»: шкала «от» должна быть меньше «до» (не больше 100).")
CRITERION_NODE = _("Критерий «%(criterion)s»: показатель не из рамки карты.")
ATTACHMENT_TOO_LARGE = _("Файл «%(name)s» больше %(mb)s МБ.")
ATTACHMENT_TYPE = _("Файл «%(name)s»: можно прикладывать PDF, документы, таблицы и фотографии (%(types)s).")
ATTACHMENT_LIMIT = _("К наблюдению можно приложить не больше %(count)s файлов.")

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 20
ATTACHMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".heic", ".docx", ".xlsx", ".odt", ".ods", ".pptx", ".txt")
_CENT = Decimal("0.01")


def _require_change(user: AnyUser, queryset: QuerySet[Any], pk: int) -> None:
    if not queryset.filter(pk=pk).exists():
        raise PermissionDenied(NOT_ALLOWED)


# Deficits ------------------------------------------------------------------------------------------


def _record(result: Result, *, source_ref: str, academic_year: int) -> Result:
    """Save ``result``; below the threshold, propose its deficit (or refresh the one this source proposed)."""
    if result.is_below:
        deficit = competences.deficit_propose(
            person=result.person,
            organisation=result.organisation,
            node=result.node,
            source=result.method,  # the methods are deficit sources of the same names
            source_ref=source_ref,
            source_label=result.source_label,
            evidence=result.evidence,
            level=result.level,
            academic_year=academic_year,
        )
        result.deficit = deficit
    result.save()
    return result


def _replace_result(*, key: dict[str, Any], values: dict[str, Any], source_ref: str, academic_year: int) -> Result:
    result = Result.objects.filter(**key).first() or Result(**key)
    for name, value in values.items():
        setattr(result, name, value)
    result.deficit = None
    return _record(result, source_ref=source_ref, academic_year=academic_year)


# Campaigns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for: a municipality's (or one school's) teachers, of a subject, young ones only."""

    territory: Any
    organisation: Organisation | None = None
    subject: Subject | None = None
    young: bool = False


def audience_people(*, user: AnyUser, audience: Audience) -> list[tuple[Person, int]]:
    """The teachers (visible to ``user``) that ``audience`` selects, each with the school they take part from:
    a current teaching employment in the school or the municipality, in the subject if one is given."""
    jobs = Employment.objects.visible_to(user).filter(active_on(), position__is_teaching=True)
    if audience.organisation is not None:
        jobs = jobs.filter(organisation=audience.organisation)
    else:
        jobs = jobs.filter(organisation__territory=audience.territory)
    if audience.subject is not None:
        jobs = jobs.filter(subjects=audience.subject)
    people = Person.objects.visible_to(user).filter(Exists(jobs.filter(person=OuterRef("pk"))))
    if audience.young:
        people = people.young()
    chosen: dict[int, int] = {}
    for person_id, organisation_id in (
        jobs.filter(person__in=people.values("pk"))
        .order_by("person_id", "-kind", "id")
        .values_list("person_id", "organisation_id")
    ):
        chosen.setdefault(person_id, organisation_id)  # the main job first (kind «main» sorts last reversed)
    by_id = Person.objects.in_bulk(list(chosen))
    return [(by_id[pk], chosen[pk]) for pk in sorted(chosen, key=lambda pk: (by_id[pk].last_name, pk))]


def _check_campaign(
    *, framework: Framework, indicators: Sequence[CompetenceNode], values: dict[str, Any], audience: Audience
) -> None:
    errors: list[ValidationError] = []
    if not framework.is_active:
        errors.append(ValidationError(FRAMEWORK_INACTIVE, code="framework_inactive"))
    if not indicators:
        errors.append(ValidationError(INDICATORS_REQUIRED, code="indicators_required"))
    for node in indicators:
        if node.framework_id != framework.pk:
            errors.append(
                ValidationError(INDICATOR_NOT_IN_FRAMEWORK, code="indicator_framework", params={"code": node.code})
            )
    if not (values.get("uses_test") or values.get("uses_self_assessment") or values.get("uses_observation")):
        errors.append(ValidationError(METHOD_REQUIRED, code="method_required"))
    if values.get("uses_observation") and not values.get("card_template"):
        errors.append(ValidationError(CARD_REQUIRED, code="card_required"))
    if values["ends_on"] < values["starts_on"]:
        errors.append(ValidationError(PERIOD_ORDER, code="period_order"))
    if audience.organisation is not None and audience.organisation.territory_id != audience.territory.pk:
        errors.append(ValidationError(ORGANISATION_NOT_IN_TERRITORY, code="organisation_territory"))
    if errors:
        raise ValidationError(errors)


def can_create_campaign_in(user: AnyUser, *, territory: Any, organisation: Organisation | None) -> bool:
    """A territory's methodologist creates campaigns there; a coordinator — for their own school only."""
    scope = scope_for(user, Action.CHANGE, CAPABILITY)
    if scope.is_global or territory.pk in scope.territory_ids:
        return True
    return organisation is not None and organisation.pk in scope.organisation_ids


@transaction.atomic
def campaign_create(
    *,
    user: AnyUser,
    title: str,
    framework: Framework,
    indicators: Sequence[CompetenceNode],
    audience: Audience,
    starts_on: datetime.date,
    ends_on: datetime.date,
    uses_test: bool = False,
    uses_self_assessment: bool = True,
    uses_observation: bool = False,
    card_template: CardTemplate | None = None,
    description: str = "",
    experts: Iterable[Any] = (),
) -> Campaign:
    """Create a campaign in draft with its participants drawn from ``audience`` (people visible to ``user``)."""
    if not can_create_campaign_in(user, territory=audience.territory, organisation=audience.organisation):
        raise PermissionDenied(NOT_ALLOWED)
    values = {
        "title": title,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "uses_test": uses_test,
        "uses_self_assessment": uses_self_assessment,
        "uses_observation": uses_observation,
        "card_template": card_template,
    }
    _check_campaign(framework=framework, indicators=indicators, values=values, audience=audience)
    people = audience_people(user=user, audience=audience)
    if not people:
        raise ValidationError(NOBODY_SELECTED, code="nobody")
    campaign = Campaign.objects.create(
        **values,
        territory=audience.territory,
        organisation=audience.organisation,
        framework=framework,
        audience_subject=audience.subject,
        audience_young=audience.young,
        created_by=user,  # type: ignore[misc]  # a logged-in user
    )
    campaign.indicators.set(indicators)
    campaign.experts.set(list(experts))
    Participant.objects.bulk_create(
        [Participant(campaign=campaign, person=person, organisation_id=org_id) for person, org_id in people]
    )
    return campaign


@transaction.atomic
def campaign_open(*, user: AnyUser, campaign: Campaign, request: HttpRequest | None = None) -> int:
    """Open a draft campaign and e-mail its participants an invitation (after the commit). Returns how many
    participants have an account with an e-mail address (the invitations to be sent)."""
    _require_change(user, Campaign.objects.editable_by(user), campaign.pk)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != CampaignState.DRAFT:
        raise ValidationError(NOT_DRAFT, code="not_draft")
    campaign.state = CampaignState.OPEN
    campaign.opened_at = timezone.now()
    campaign.save(update_fields=["state", "opened_at", "updated_at"])
    recipients = invitation_recipients(campaign)
    transaction.on_commit(lambda: _invite_after_commit(campaign=campaign, recipients=recipients, request=request))
    return len(recipients)


def invitation_recipients(campaign: Campaign) -> list[tuple[Participant, Any]]:
    """(participant, user) of every participant whose active account has an e-mail address."""
    from metodist.accounts.models import User

    participants = list(campaign.participants.select_related("person"))
    users = {
        user.person_id: user
        for user in User.objects.filter(person_id__in=[p.person_id for p in participants], is_active=True).exclude(
            email=""
        )
    }
    return [(p, users[p.person_id]) for p in participants if p.person_id in users]


def _invite_after_commit(*, campaign: Campaign, recipients: list[tuple[Participant, Any]], request: Any) -> None:
    try:
        sent = invitations_send(campaign=campaign, recipients=recipients, request=request)
    except Exception:  # an unreachable mail server must not undo the opening; the page says how many went out
        logger.exception("Invitations of campaign %s were not sent", campaign.pk)
        return
    Participant.objects.filter(pk__in=sent).update(invited_at=timezone.now())


def invitations_send(
    *, campaign: Campaign, recipients: list[tuple[Participant, Any]], request: Any = None, reminder: bool = False
) -> list[int]:
    """E-mail each recipient the invitation with the link to their questionnaire; returns the participants'
    ids whose message went out. One connection for the whole campaign (Django's mail framework)."""
    path = reverse("diagnostics:my_diagnostics")
    link = request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path
    messages = []
    for participant, user in recipients:
        context = {
            "campaign": campaign,
            "participant": participant,
            "user": user,
            "link": link,
            "reminder": reminder,
        }
        subject = render_to_string("diagnostics/email/invitation_subject.txt", context).strip()
        body = render_to_string("diagnostics/email/invitation.txt", context)
        messages.append((participant.pk, EmailMessage(subject, body, None, [user.email])))
    if not messages:
        return []
    connection = get_connection()
    connection.send_messages([message for _, message in messages])
    return [pk for pk, _ in messages]


def campaign_remind(*, user: AnyUser, campaign: Campaign, request: HttpRequest | None = None) -> int:
    """E-mail a reminder to the participants of an open campaign who have not submitted their questionnaire
    (and have an account with an address). Returns how many reminders went out."""
    _require_change(user, Campaign.objects.editable_by(user), campaign.pk)
    if campaign.state != CampaignState.OPEN or not campaign.uses_self_assessment:
        raise ValidationError(NOT_OPEN, code="not_open")
    recipients = [
        (participant, account)
        for participant, account in invitation_recipients(campaign)
        if participant.state != ParticipantState.SUBMITTED
    ]
    sent = invitations_send(campaign=campaign, recipients=recipients, request=request, reminder=True)
    Participant.objects.filter(pk__in=sent).update(invited_at=timezone.now())
    return len(sent)


@transaction.atomic
def campaign_close(*, user: AnyUser, campaign: Campaign) -> Campaign:
    _require_change(user, Campaign.objects.editable_by(user), campaign.pk)
    campaign.state = CampaignState.CLOSED
    campaign.save(update_fields=["state", "updated_at"])
    return campaign


# Self-assessment ----------------------------------------------------------------------------------


def _own_participant(user: AnyUser, participant: Participant) -> Participant:
    """The participant if it is ``user``'s own questionnaire (nobody fills one in for somebody else)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None or participant.person_id != person_id:
        raise PermissionDenied(NOT_ALLOWED)
    return participant


def _check_level(level: Decimal, framework: Framework) -> None:
    if not framework.scale_min <= level <= framework.scale_max:
        raise ValidationError(
            LEVEL_OUT_OF_SCALE,
            code="level_out_of_scale",
            params={"min": _number(framework.scale_min), "max": _number(framework.scale_max)},
        )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _questionnaire_open(participant: Participant) -> Campaign:
    campaign = participant.campaign
    if not campaign.uses_self_assessment:
        raise ValidationError(NO_SELF_ASSESSMENT, code="no_self_assessment")
    if campaign.state != CampaignState.OPEN:
        raise ValidationError(NOT_OPEN, code="not_open")
    if participant.state == ParticipantState.SUBMITTED:
        raise ValidationError(ALREADY_SUBMITTED, code="submitted")
    return campaign


@transaction.atomic
def answer_save(
    *, user: AnyUser, participant: Participant, node: CompetenceNode, level: Decimal, comment: str = ""
) -> Answer:
    """Save one answer of the teacher's own questionnaire (as they go)."""
    participant = Participant.objects.select_for_update().select_related("campaign__framework").get(pk=participant.pk)
    _own_participant(user, participant)
    campaign = _questionnaire_open(participant)
    if not campaign.indicators.filter(pk=node.pk).exists():
        raise ValidationError(NOT_AN_INDICATOR, code="not_an_indicator")
    _check_level(level, campaign.framework)
    answer, _created = Answer.objects.update_or_create(
        participant=participant, node=node, defaults={"level": level, "comment": comment.strip()}
    )
    if participant.state == ParticipantState.INVITED:
        participant.state = ParticipantState.IN_PROGRESS
        participant.started_at = timezone.now()
        participant.save(update_fields=["state", "started_at", "updated_at"])
    return answer


@transaction.atomic
def self_assessment_submit(*, user: AnyUser, participant: Participant) -> list[Result]:
    """Submit the questionnaire: every indicator answered; each answer becomes a result, a level below the
    threshold proposes a deficit (source «самооценка»)."""
    participant = (
        Participant.objects.select_for_update().select_related("campaign__framework", "person").get(pk=participant.pk)
    )
    _own_participant(user, participant)
    _questionnaire_open(participant)
    return self_assessment_results(participant=participant, author=user, submitted_at=timezone.now())


def self_assessment_results(*, participant: Participant, author: Any, submitted_at: datetime.datetime) -> list[Result]:
    """The step after the checks of :func:`self_assessment_submit` (also the demo's, whose teachers mostly
    have no accounts): every indicator answered, the participant submitted, one result per answer, and a
    deficit proposed below the threshold. Runs inside the caller's transaction."""
    campaign = participant.campaign
    indicators = list(campaign.indicators.order_by("position", "id"))
    answers = {a.node_id: a for a in participant.answers.all()}
    missing = [node.code for node in indicators if node.pk not in answers]
    if missing:
        raise ValidationError(UNANSWERED, code="unanswered", params={"codes": ", ".join(missing)})
    participant.state = ParticipantState.SUBMITTED
    participant.submitted_at = submitted_at
    participant.save(update_fields=["state", "submitted_at", "updated_at"])
    label = str(_("Самооценка: %(campaign)s")) % {"campaign": campaign.title}
    day = timezone.localdate(submitted_at)
    results = []
    for node in indicators:
        answer = answers[node.pk]
        evidence = str(_("Анкета самооценки отправлена %(date)s.")) % {"date": day.strftime("%d.%m.%Y")}
        if answer.comment:
            evidence += " " + str(_("Комментарий педагога: %(comment)s")) % {"comment": answer.comment}
        results.append(
            _replace_result(
                key={"participant": participant, "node": node, "method": Method.SELF_ASSESSMENT, "observation": None},
                values={
                    "campaign": campaign,
                    "person": participant.person,
                    "organisation_id": participant.organisation_id,
                    "level": answer.level,
                    "threshold": campaign.framework.proficiency_threshold,
                    "author": author,
                    "measured_on": day,
                    "source_label": label,
                    "evidence": evidence,
                },
                source_ref=campaign.source_ref(
                    person_id=participant.person_id, node_id=node.pk, method=Method.SELF_ASSESSMENT
                ),
                academic_year=campaign.academic_year,
            )
        )
    return results


# External test -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestRow:
    """One checked row of a test results file: who, which indicator, what level, from which line."""

    line: int
    participant: Participant
    node: CompetenceNode
    level: Decimal
    comment: str = ""


@transaction.atomic
def test_results_load(
    *, user: AnyUser, campaign: Campaign, rows: Sequence[TestRow], filename: str, measured_on: datetime.date
) -> list[Result]:
    """Write the checked rows of a test file (see :mod:`.testimport`): one result per participant and indicator,
    replacing an earlier load of the same pair; below the threshold a deficit (source «внешнее тестирование»)."""
    _require_change(user, Campaign.objects.editable_by(user), campaign.pk)
    if not campaign.uses_test:
        raise ValidationError(NO_TEST, code="no_test")
    label = str(_("Внешнее тестирование: %(campaign)s")) % {"campaign": campaign.title}
    results = []
    for row in rows:
        evidence = str(_("Файл «%(file)s», строка %(line)s.")) % {"file": filename, "line": row.line}
        if row.comment:
            evidence += " " + row.comment
        results.append(
            _replace_result(
                key={"participant": row.participant, "node": row.node, "method": Method.TEST, "observation": None},
                values={
                    "campaign": campaign,
                    "person_id": row.participant.person_id,
                    "organisation_id": row.participant.organisation_id,
                    "level": row.level,
                    "threshold": campaign.framework.proficiency_threshold,
                    "author": user,
                    "measured_on": measured_on,
                    "source_label": label,
                    "evidence": evidence,
                },
                source_ref=campaign.source_ref(
                    person_id=row.participant.person_id, node_id=row.node.pk, method=Method.TEST
                ),
                academic_year=campaign.academic_year,
            )
        )
    return results


# Observation card templates ----------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionValues:
    title: str
    description: str = ""
    node: CompetenceNode | None = None
    scale_min: int = 0
    scale_max: int = 2
    scale_labels: tuple[str, ...] = ()


@transaction.atomic
def card_template_save(
    *,
    user: AnyUser,
    template: CardTemplate,
    criteria: Sequence[CriterionValues],
) -> CardTemplate:
    """Create or change a card template with its criteria (in the given order)."""
    editable = CardTemplate.objects.editable_by(user)
    if template.pk is not None:
        _require_change(user, editable, template.pk)
    elif not scope_for(user, Action.CHANGE, CAPABILITY).is_global and (
        template.territory_id is None
        or template.territory_id not in scope_for(user, Action.CHANGE, CAPABILITY).territory_ids
    ):
        raise PermissionDenied(NOT_ALLOWED)
    errors: list[ValidationError] = []
    if not criteria:
        errors.append(ValidationError(CRITERIA_REQUIRED, code="criteria_required"))
    for item in criteria:
        if not (item.scale_min < item.scale_max <= 100):
            errors.append(ValidationError(CRITERION_SCALE, code="criterion_scale", params={"criterion": item.title}))
        if item.node is not None and (template.framework_id is None or item.node.framework_id != template.framework_id):
            errors.append(ValidationError(CRITERION_NODE, code="criterion_node", params={"criterion": item.title}))
    used = template.pk is not None and Observation.objects.filter(template=template).exists()
    if used:
        current = [
            (c.title, c.description, c.node_id, c.scale_min, c.scale_max, tuple(c.scale_labels))
            for c in template.criteria.order_by("position", "id")
        ]
        wanted = [
            (c.title, c.description, c.node.pk if c.node else None, c.scale_min, c.scale_max, tuple(c.scale_labels))
            for c in criteria
        ]
        if current != wanted:
            errors.append(ValidationError(TEMPLATE_IN_USE, code="template_in_use"))
    if errors:
        raise ValidationError(errors)
    if template.pk is None:
        template.created_by = user
    template.full_clean()
    template.save()
    if not used:
        template.criteria.all().delete()
        CardCriterion.objects.bulk_create(
            [
                CardCriterion(
                    template=template,
                    position=index,
                    title=item.title,
                    description=item.description,
                    node=item.node,
                    scale_min=item.scale_min,
                    scale_max=item.scale_max,
                    scale_labels=list(item.scale_labels),
                )
                for index, item in enumerate(criteria, start=1)
            ]
        )
    return template


@transaction.atomic
def card_template_copy(*, user: AnyUser, template: CardTemplate, title: str) -> CardTemplate:
    """A new template with the same criteria (a template used by observations is changed through a copy)."""
    copy = CardTemplate(
        title=title,
        purpose=template.purpose,
        description=template.description,
        territory=template.territory,
        framework=template.framework,
    )
    criteria = [
        CriterionValues(
            title=c.title,
            description=c.description,
            node=c.node,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            scale_labels=tuple(c.scale_labels),
        )
        for c in template.criteria.select_related("node").order_by("position", "id")
    ]
    return card_template_save(user=user, template=copy, criteria=criteria)


# Observations --------------------------------------------------------------------------------------


def _lesson_school(*, user: AnyUser, person: Person, school_class: SchoolClass | None) -> int:
    """The school of the lesson: the class's, which must be one where the teacher works; else their main job's."""
    jobs = Employment.objects.filter(active_on(), person=person).order_by("-kind", "id")
    if school_class is not None:
        if not jobs.filter(organisation_id=school_class.organisation_id).exists():
            raise ValidationError({"school_class": ValidationError(CLASS_NOT_OF_PERSON, code="class_not_of_person")})
        return school_class.organisation_id
    job = jobs.first()
    if job is None:
        raise ValidationError({"person": ValidationError(PERSON_HAS_NO_SCHOOL, code="no_school")})
    organisation_id: int = job.organisation_id
    return organisation_id


def may_observe(user: AnyUser, *, person_id: int, organisation_id: int) -> bool:
    """Whether ``user`` may record a lesson of this teacher in this school: the school lies in their structural
    scope (a methodologist's territory, a coordinator's school), or they are an expert assigned to an open
    campaign the teacher takes part in (relation scope ``diagnostics.observer``)."""
    scope = scope_for(user, Action.CHANGE, CAPABILITY)
    if scope.is_global or organisation_id in scope.organisation_ids:
        return True
    if (
        scope.territory_ids
        and Organisation.objects.filter(pk=organisation_id, territory_id__in=scope.territory_ids).exists()
    ):
        return True
    observes = any(relation.name == "diagnostics.observer" for relation, _anchor in scope.relations)
    return (
        observes
        and Participant.objects.filter(
            person_id=person_id, campaign__experts=user.pk, campaign__state=CampaignState.OPEN
        ).exists()
    )


@transaction.atomic
def observation_save(
    *,
    user: AnyUser,
    observation: Observation,
    deficits: Iterable[TeacherDeficit] = (),
) -> Observation:
    """Create or change an observation's header (template, teacher, lesson, class, subject, topic, notes) and
    the deficits it checks. The caller found ``person``, ``school_class`` and ``deficits`` in the user's scope."""
    if observation.pk is not None:
        _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), observation.pk)
        if observation.is_completed:
            raise ValidationError(OBSERVATION_COMPLETED_ALREADY, code="completed")
    elif scope_for(user, Action.CHANGE, CAPABILITY).is_empty:
        raise PermissionDenied(NOT_ALLOWED)
    if observation.pk is None and not observation.template.is_active:
        raise ValidationError({"template": ValidationError(TEMPLATE_INACTIVE, code="template_inactive")})
    deficits = list(deficits)
    for deficit in deficits:
        if deficit.person_id != observation.person_id:
            raise ValidationError({"deficits": ValidationError(DEFICIT_NOT_OF_PERSON, code="deficit_person")})
    observation.organisation_id = _lesson_school(
        user=user, person=observation.person, school_class=observation.school_class
    )
    if not may_observe(user, person_id=observation.person_id, organisation_id=observation.organisation_id):
        raise PermissionDenied(NOT_ALLOWED)
    if observation.pk is None:
        observation.observer = user  # type: ignore[assignment]
    observation.full_clean(exclude=["observer", "deficits"])
    observation.save()
    # After saving, the new row must be one the user may change (the school is in their scope, or they observe).
    _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), observation.pk)
    observation.deficits.set(deficits)
    return observation


@transaction.atomic
def ratings_save(*, user: AnyUser, observation: Observation, values: dict[int, tuple[int | None, str]]) -> list[Rating]:
    """Save the points and comments by criterion id (``{criterion_id: (value or None, comment)}``)."""
    _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), observation.pk)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.is_completed:
        raise ValidationError(OBSERVATION_COMPLETED_ALREADY, code="completed")
    criteria = {c.pk: c for c in observation.template.criteria.all()}
    errors = []
    for criterion_id, (value, _comment) in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            errors.append(
                ValidationError(
                    RATING_OUT_OF_SCALE,
                    code="rating_out_of_scale",
                    params={"criterion": criterion.title, "min": criterion.scale_min, "max": criterion.scale_max},
                )
            )
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion_id, (value, comment) in values.items():
        if criterion_id not in criteria:
            continue
        rating, _created = Rating.objects.update_or_create(
            observation=observation, criterion_id=criterion_id, defaults={"value": value, "comment": comment.strip()}
        )
        saved.append(rating)
    return saved


def observation_levels(observation: Observation) -> dict[int, tuple[CompetenceNode, Decimal, list[Rating]]]:
    """Per indicator linked from the card: the level on the indicator's framework scale — the mean share of
    the criterion scale reached by the rated criteria linked to it, mapped onto the framework's scale."""
    ratings = list(
        observation.ratings.select_related("criterion__node__framework").filter(
            value__isnull=False, criterion__node__isnull=False
        )
    )
    by_node: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_node[rating.criterion.node_id].append(rating)  # type: ignore[index]
    levels = {}
    for node_id, items in by_node.items():
        node = items[0].criterion.node
        assert node is not None
        framework = node.framework
        shares = [
            Decimal(r.value - r.criterion.scale_min) / Decimal(r.criterion.scale_max - r.criterion.scale_min)  # type: ignore[operator]
            for r in items
        ]
        share = sum(shares, Decimal(0)) / len(shares)
        level = (framework.scale_min + share * (framework.scale_max - framework.scale_min)).quantize(
            _CENT, rounding=ROUND_HALF_UP
        )
        levels[node_id] = (node, level, items)
    return levels


@transaction.atomic
def observation_complete(*, user: AnyUser, observation: Observation) -> list[Result]:
    """Complete the observation: each indicator its criteria measure gets a result (source «наблюдение»), and
    a level below the framework's threshold proposes (or refreshes) the teacher's deficit."""
    _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), observation.pk)
    observation = (
        Observation.objects.select_for_update(of=("self",)).select_related("person", "campaign").get(pk=observation.pk)
    )
    if observation.is_completed:
        raise ValidationError(OBSERVATION_COMPLETED_ALREADY, code="completed")
    if not observation.ratings.filter(value__isnull=False).exists():
        raise ValidationError(NOTHING_RATED, code="nothing_rated")
    observation.state = ObservationState.COMPLETED
    observation.completed_at = timezone.now()
    observation.save(update_fields=["state", "completed_at", "updated_at"])
    campaign = observation.campaign
    participant = Participant.objects.filter(campaign=campaign, person=observation.person).first() if campaign else None
    label = str(_("Наблюдение урока %(date)s (%(template)s)")) % {
        "date": observation.lesson_date.strftime("%d.%m.%Y"),
        "template": observation.template.title,
    }
    results = []
    for node_id, (node, level, ratings) in observation_levels(observation).items():
        lines = [
            f"«{r.criterion.title}»: {r.value} из {r.criterion.scale_max}" + (f" — {r.comment}" if r.comment else "")
            for r in ratings
        ]
        evidence = "; ".join(lines)
        if observation.topic:
            evidence = str(_("Тема урока: %(topic)s. ")) % {"topic": observation.topic} + evidence
        if campaign is not None and participant is not None:
            source_ref = campaign.source_ref(
                person_id=observation.person_id, node_id=node_id, method=Method.OBSERVATION
            )
        else:
            source_ref = f"{observation.decision_ref}:node:{node_id}"
        results.append(
            _replace_result(
                key={"observation": observation, "node": node, "method": Method.OBSERVATION},
                values={
                    "campaign": campaign,
                    "participant": participant,
                    "person": observation.person,
                    "organisation_id": observation.organisation_id,
                    "level": level,
                    "threshold": node.framework.proficiency_threshold,
                    "author": observation.observer,
                    "measured_on": observation.lesson_date,
                    "source_label": label,
                    "evidence": evidence,
                },
                source_ref=source_ref,
                academic_year=campaign.academic_year if campaign else academic_year_of(observation.lesson_date),
            )
        )
    return results


def observation_deficits(observation: Observation) -> QuerySet[TeacherDeficit]:
    """The deficits an observation speaks to: those it was to check, and those its own results proposed."""
    proposed = Result.objects.filter(observation=observation, deficit__isnull=False).values("deficit_id")
    checked = Observation.deficits.through.objects.filter(observation_id=observation.pk).values("teacherdeficit_id")
    return TeacherDeficit.objects.filter(person_id=observation.person_id).filter(Q(pk__in=checked) | Q(pk__in=proposed))


@transaction.atomic
def observation_decide(
    *, user: AnyUser, observation: Observation, deficit: TeacherDeficit, confirm: bool, note: str
) -> TeacherDeficit:
    """Confirm or reject, after the lesson, a deficit this observation checked or proposed; the decision
    refers to the observation (``decision_ref="diagnostics.Observation:<id>"``)."""
    if not observation_deficits(observation).filter(pk=deficit.pk).exists():
        raise ValidationError(DEFICIT_NOT_LINKED, code="not_linked")
    return competences.deficit_decide(
        deficit=deficit,
        user=user,  # type: ignore[arg-type]  # a logged-in user
        confirm=confirm,
        note=note,
        decision_ref=observation.decision_ref,
    )


def can_decide_deficits(user: AnyUser) -> bool:
    return not scope_for(user, Action.CHANGE, COMPETENCES).is_empty


@transaction.atomic
def attachment_add(*, user: AnyUser, observation: Observation, upload: UploadedFile) -> ObservationAttachment:
    """Attach a file to an observation (private storage; see ``ATTACHMENT_*`` for the limits)."""
    _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), observation.pk)
    name = (upload.name or "file").rsplit("/", 1)[-1]
    errors = []
    if upload.size is not None and upload.size > ATTACHMENT_MAX_BYTES:
        errors.append(
            ValidationError(
                ATTACHMENT_TOO_LARGE, code="too_large", params={"name": name, "mb": ATTACHMENT_MAX_BYTES // 2**20}
            )
        )
    if not name.lower().endswith(ATTACHMENT_EXTENSIONS):
        errors.append(
            ValidationError(
                ATTACHMENT_TYPE, code="type", params={"name": name, "types": ", ".join(ATTACHMENT_EXTENSIONS)}
            )
        )
    if observation.attachments.count() >= ATTACHMENT_MAX_COUNT:
        errors.append(ValidationError(ATTACHMENT_LIMIT, code="limit", params={"count": ATTACHMENT_MAX_COUNT}))
    if errors:
        raise ValidationError(errors)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-80:]
    attachment = ObservationAttachment(
        observation=observation,
        original_filename=name[:255],
        size=upload.size or 0,
        uploaded_by=user,  # type: ignore[misc]  # a logged-in user
    )
    attachment.file.save(safe, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, user: AnyUser, attachment: ObservationAttachment) -> None:
    _require_change(user, Observation.objects.visible_to(user, Action.CHANGE), attachment.observation_id)
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
