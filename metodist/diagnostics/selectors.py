"""Reads of the diagnostics shared by pages, exports, the API and the dashboard; every one through the scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from metodist.core.permissions import Action

from .choices import CampaignState, Method, ParticipantState
from .models import Answer, Campaign, Observation, Participant, Result

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

BELOW_SHOWN = 500


def campaign_list(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Campaign]:
    """Campaigns ``user`` may see, with the number of participants *they may see* in each."""
    visible = Participant.objects.visible_to(user).filter(campaign=OuterRef("pk"))
    campaigns: QuerySet[Campaign] = (
        Campaign.objects.visible_to(user, action)
        .select_related("territory", "organisation", "framework")
        .annotate(
            participants_visible=Count(
                "participants", filter=Q(participants__in=Participant.objects.visible_to(user).values("pk"))
            ),
            has_own=Exists(visible.filter(person_id=getattr(user, "person_id", None) or 0)),
        )
        .order_by("-starts_on", "-pk")
    )
    return campaigns


@dataclass(frozen=True)
class Progress:
    """The questionnaire's progress among the participants a user sees: invited, answered, submitted."""

    invited: int
    answered: int
    submitted: int

    @property
    def submitted_percent(self) -> int:
        return self.submitted * 100 // self.invited if self.invited else 0


def campaign_progress(user: AnyUser, campaign: Campaign) -> Progress:
    participants = Participant.objects.visible_to(user).filter(campaign=campaign)
    answered = Exists(Answer.objects.filter(participant=OuterRef("pk")))
    figures = participants.aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(answered) | Q(state=ParticipantState.SUBMITTED)),
        submitted=Count("pk", filter=Q(state=ParticipantState.SUBMITTED)),
    )
    return Progress(**figures)


def campaign_participants(user: AnyUser, campaign: Campaign) -> QuerySet[Participant]:
    participants: QuerySet[Participant] = (
        Participant.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("person", "organisation")
        .annotate(answers_count=Count("answers"))
        .order_by("organisation__short_name", "person__last_name", "person__first_name", "pk")
    )
    return participants


def campaign_results(user: AnyUser, campaign: Campaign) -> QuerySet[Result]:
    return Result.objects.visible_to(user).filter(campaign=campaign)


@dataclass(frozen=True)
class IndicatorRow:
    """Results of one indicator by one method among the results a user sees."""

    node: Any
    method: str
    method_label: str
    count: int
    average: Decimal | None
    below: int

    @property
    def below_percent(self) -> int:
        return self.below * 100 // self.count if self.count else 0


def indicator_summary(user: AnyUser, campaign: Campaign) -> list[IndicatorRow]:
    """Per indicator (in the framework's order) and method: how many results, their mean, how many below
    the threshold the result was measured against. One query for the figures, one for the indicators."""
    figures = {
        (row["node_id"], row["method"]): row
        for row in campaign_results(user, campaign)
        .values("node_id", "method")
        .annotate(count=Count("pk"), average=Avg("level"), below=Count("pk", filter=Q(level__lt=F("threshold"))))
        .order_by()
    }
    rows = []
    for node in campaign.indicators.order_by("position", "id"):
        for method in campaign.methods:
            data = figures.get((node.pk, method), {"count": 0, "average": None, "below": 0})
            average = data["average"]
            rows.append(
                IndicatorRow(
                    node=node,
                    method=method,
                    method_label=str(Method(method).label),
                    count=data["count"],
                    average=Decimal(average).quantize(Decimal("0.1")) if average is not None else None,
                    below=data["below"],
                )
            )
    return rows


def below_threshold(user: AnyUser, campaign: Campaign) -> QuerySet[Result]:
    """Results below the threshold, the teachers who need support first (by indicator, then name)."""
    return (
        campaign_results(user, campaign)
        .filter(level__lt=F("threshold"))
        .select_related("person", "organisation", "node", "deficit")
        .order_by("node__position", "node_id", "person__last_name", "person__first_name", "method", "pk")
    )


def _count(rows: QuerySet[Any]) -> Subquery:
    """COUNT(*) of ``rows`` correlated with the outer query, as an integer subquery."""
    return Subquery(rows.order_by().values(total=Func(F("pk"), function="COUNT")), output_field=IntegerField())


def own_participations(user: AnyUser) -> QuerySet[Participant]:
    """The user's own questionnaires (as a teacher), newest campaign first."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Participant.objects.none()
    participations: QuerySet[Participant] = (
        Participant.objects.visible_to(user)
        .filter(person_id=person_id)
        .exclude(campaign__state=CampaignState.DRAFT)
        .select_related("campaign__framework", "organisation")
        .annotate(
            # two subqueries: counting both through joins would multiply one by the other
            answers_count=_count(Answer.objects.filter(participant=OuterRef("pk"))),
            indicators_count=_count(Campaign.indicators.through.objects.filter(campaign=OuterRef("campaign"))),
        )
        .order_by("-campaign__starts_on", "-pk")
    )
    return participations


def waiting_questionnaires(user: AnyUser) -> list[Participant]:
    """Open campaigns with a self-assessment the user has not submitted yet (the dashboard reminds them)."""
    return list(
        own_participations(user)
        .filter(campaign__state=CampaignState.OPEN, campaign__uses_self_assessment=True)
        .exclude(state=ParticipantState.SUBMITTED)[:10]
    )


def own_observations(user: AnyUser) -> QuerySet[Observation]:
    """Observations of the user's own lessons (read only)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Observation.objects.none()
    return observation_list(user).filter(person_id=person_id)


def observation_list(user: AnyUser, action: str = Action.VIEW) -> QuerySet[Observation]:
    return Observation.objects.visible_to(user, action).select_related(
        "person", "organisation", "template", "school_class", "subject", "observer", "campaign"
    )
