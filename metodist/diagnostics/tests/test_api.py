"""The diagnostics API: scoped reads, 404 out of scope, filters (invalid → 400), audit of list reads, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metodist.core.models import DataExport
from metodist.diagnostics.choices import Method
from metodist.diagnostics.models import Observation, Participant, Rating, Result
from metodist.registry.tests.factories import EmploymentFactory, PersonFactory

from .factories import START, campaign_for, card_for, framework_with_nodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    framework, nodes = framework_with_nodes()
    campaign = campaign_for(
        [(world.pa, world.org_a), (world.pb, world.org_b), (world.pc, world.org_c)],
        framework=framework,
        nodes=nodes,
        territory=world.m1,
    )
    for participant in campaign.participants.all():
        Result.objects.create(
            campaign=campaign,
            participant=participant,
            person=participant.person,
            organisation=participant.organisation,
            node=nodes[0],
            method=Method.TEST,
            level=Decimal(2) if participant.person == world.pa else Decimal(4),
            threshold=framework.proficiency_threshold,
            measured_on=START,
        )
    card = card_for(territory=world.m1, framework=framework, nodes=nodes[:1])
    observation = Observation.objects.create(
        template=card,
        observer=world.users["methodologist"],
        person=world.pa,
        organisation=world.org_a,
        lesson_date=datetime.date(2025, 9, 20),
    )
    Rating.objects.create(observation=observation, criterion=card.criteria.first(), value=1, comment="Хорошо")
    return campaign, observation


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_results_are_scoped_and_filtered(client, world, data):
    campaign, _observation = data
    client.force_login(world.users["coordinator"])
    rows = client.get("/api/v1/diagnostic-results/", {"campaign": campaign.pk}).json()["results"]
    assert {r["person"] for r in rows} == {world.pa.pk}
    assert rows[0]["is_below"] is True and rows[0]["threshold"] == "3.00"
    client.force_login(world.users["methodologist"])
    below = client.get("/api/v1/diagnostic-results/", {"below": "true"}).json()["results"]
    assert {r["person"] for r in below} == {world.pa.pk}
    assert client.get("/api/v1/diagnostic-results/", {"below": "garbage"}).status_code == 400
    outside = Result.objects.get(person=world.pc)
    assert client.get(f"/api/v1/diagnostic-results/{outside.pk}/").status_code == 404
    assert DataExport.objects.filter(file_format="api").exists()


def test_teacher_reads_own_participation_and_observation(client, world, data):
    campaign, observation = data
    client.force_login(world.users["teacher"])
    participants = _ids(client.get("/api/v1/diagnostic-participants/"))
    assert participants == {Participant.objects.get(person=world.pa).pk}
    observations = client.get("/api/v1/lesson-observations/").json()["results"]
    assert [o["id"] for o in observations] == [observation.pk]
    assert observations[0]["ratings"][0]["comment"] == "Хорошо"
    assert _ids(client.get("/api/v1/diagnostic-campaigns/")) == {campaign.pk}
    client.force_login(world.users["nobody"])
    assert _ids(client.get("/api/v1/diagnostic-campaigns/")) == set()
    assert client.get(f"/api/v1/diagnostic-campaigns/{campaign.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/api/v1/diagnostic-results/", "/api/v1/diagnostic-participants/", "/api/v1/lesson-observations/"]
)
def test_api_lists_query_count_does_not_grow(client, world, data, url):
    campaign, observation = data
    client.force_login(world.users["methodologist"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(12):
        person = PersonFactory()
        EmploymentFactory(person=person, organisation=world.org_a)
        participant = Participant.objects.create(campaign=campaign, person=person, organisation=world.org_a)
        Result.objects.create(
            campaign=campaign,
            participant=participant,
            person=person,
            organisation=world.org_a,
            node=campaign.indicators.first(),
            method=Method.TEST,
            level=Decimal(1),
            threshold=Decimal(3),
            measured_on=START,
        )
        copy = Observation.objects.create(
            template=observation.template,
            observer=observation.observer,
            person=person,
            organisation=world.org_a,
            lesson_date=START,
        )
        Rating.objects.create(observation=copy, criterion=observation.template.criteria.first(), value=2)
    assert queries() <= few
