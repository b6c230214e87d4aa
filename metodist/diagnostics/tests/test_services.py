"""The diagnostics' writes: campaigns and their participants, invitations, self-assessment, observations,
and the deficits they propose or decide through the competences services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from metodist.accounts.choices import Role
from metodist.accounts.tests.factories import user_with_role
from metodist.competences.choices import DeficitSource, DeficitState
from metodist.competences.models import TeacherDeficit
from metodist.diagnostics import services
from metodist.diagnostics.choices import CampaignState, Method, ParticipantState
from metodist.diagnostics.models import Observation, Participant, Result
from metodist.registry.tests.factories import (
    EmploymentFactory,
    PersonFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    subject,
)

from .factories import START, campaign_for, card_for, framework_with_nodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw():
    return framework_with_nodes()


def _create(world, fw, **kwargs):
    framework, nodes = fw
    values = {
        "user": world.users["methodologist"],
        "title": "Диагностика сентября",
        "framework": framework,
        "indicators": nodes,
        "audience": services.Audience(territory=world.m1),
        "starts_on": START,
        "ends_on": START + datetime.timedelta(days=20),
    }
    values.update(kwargs)
    return services.campaign_create(**values)


# Campaigns -------------------------------------------------------------------------------------------


def test_campaign_takes_the_territorys_teachers_in_scope(world, fw):
    campaign = _create(world, fw)
    assert campaign.state == CampaignState.DRAFT
    assert campaign.academic_year == 2025
    got = {(p.person_id, p.organisation_id) for p in campaign.participants.all()}
    assert got == {(world.pa.pk, world.org_a.pk), (world.pa2.pk, world.org_a.pk), (world.pb.pk, world.org_b.pk)}


def test_campaign_audience_by_school_subject_and_young(world, fw):
    maths = subject("Математика")
    young = PersonFactory(birth_date=datetime.date.today().replace(year=datetime.date.today().year - 25))
    young.experience_start = datetime.date.today() - datetime.timedelta(days=300)
    young.save()
    job = EmploymentFactory(person=young, organisation=world.org_a)
    job.subjects.add(maths)
    world.pa.employments.first().subjects.add(maths)
    by_subject = _create(world, fw, audience=services.Audience(territory=world.m1, subject=maths))
    assert set(by_subject.participants.values_list("person_id", flat=True)) == {world.pa.pk, young.pk}
    by_young = _create(world, fw, audience=services.Audience(territory=world.m1, young=True))
    assert set(by_young.participants.values_list("person_id", flat=True)) == {young.pk}
    school = _create(world, fw, audience=services.Audience(territory=world.m1, organisation=world.org_b))
    assert set(school.participants.values_list("person_id", flat=True)) == {world.pb.pk}


def test_campaign_refused_outside_scope_and_with_bad_values(world, fw):
    with pytest.raises(PermissionDenied):
        _create(world, fw, audience=services.Audience(territory=world.m2))
    with pytest.raises(PermissionDenied):
        _create(world, fw, user=world.users["teacher"])
    # a coordinator: only their own school
    with pytest.raises(PermissionDenied):
        _create(world, fw, user=world.users["coordinator"])
    own = _create(
        world,
        fw,
        user=world.users["coordinator"],
        audience=services.Audience(territory=world.m1, organisation=world.org_a),
    )
    assert own.participants.count() == 2
    other_fw, other_nodes = framework_with_nodes(code="OTHER")
    with pytest.raises(ValidationError) as error:
        _create(
            world,
            fw,
            indicators=[*fw[1], other_nodes[0]],
            uses_self_assessment=False,
            ends_on=START - datetime.timedelta(days=1),
        )
    messages = error.value.messages
    assert str(services.INDICATOR_NOT_IN_FRAMEWORK) % {"code": "OTHER.1"} in messages
    assert str(services.METHOD_REQUIRED) in messages
    assert str(services.PERIOD_ORDER) in messages


def test_opening_invites_participants_with_accounts_by_mail(world, fw, django_capture_on_commit_callbacks):
    campaign = _create(world, fw)
    # pa has the teacher account (with an e-mail); pa2 is the mentor; pb the expert: three accounts in all
    with django_capture_on_commit_callbacks(execute=True):
        count = services.campaign_open(user=world.users["methodologist"], campaign=campaign)
    assert count == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.users["teacher"].email, world.users["mentor"].email, world.users["expert"].email]
    )
    message = next(m for m in mail.outbox if m.to == [world.users["teacher"].email])
    assert "Диагностика сентября" in message.subject
    assert "/diagnostics/my/" in message.body
    assert Participant.objects.filter(campaign=campaign, invited_at__isnull=False).count() == 3
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    with pytest.raises(ValidationError):
        services.campaign_open(user=world.users["methodologist"], campaign=campaign)
    with pytest.raises(PermissionDenied):  # a coordinator does not open a municipal campaign
        services.campaign_close(user=world.users["coordinator"], campaign=campaign)
    # a reminder goes to those who have not submitted
    mail.outbox.clear()
    Participant.objects.filter(campaign=campaign, person=world.pa).update(
        state=ParticipantState.SUBMITTED, submitted_at=timezone.now()
    )
    assert services.campaign_remind(user=world.users["methodologist"], campaign=campaign) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.users["mentor"].email, world.users["expert"].email])
    assert all(m.subject.startswith("Напоминание") for m in mail.outbox)


# Self-assessment -----------------------------------------------------------------------------------


@pytest.fixture
def open_campaign(world, fw):
    framework, nodes = fw
    return campaign_for(
        [(world.pa, world.org_a), (world.pb, world.org_b)], framework=framework, nodes=nodes, territory=world.m1
    )


def test_teacher_saves_as_they_go_then_submits_and_deficits_are_proposed(world, open_campaign, fw):
    framework, nodes = fw
    teacher = world.users["teacher"]
    participant = open_campaign.participants.get(person=world.pa)
    services.answer_save(user=teacher, participant=participant, node=nodes[0], level=Decimal(4))
    participant.refresh_from_db()
    assert participant.state == ParticipantState.IN_PROGRESS
    with pytest.raises(ValidationError) as error:
        services.self_assessment_submit(user=teacher, participant=participant)
    assert error.value.messages == [str(services.UNANSWERED) % {"codes": "TEST-FW.2, TEST-FW.3"}]
    with pytest.raises(ValidationError) as error:
        services.answer_save(user=teacher, participant=participant, node=nodes[1], level=Decimal(5))
    assert error.value.messages == [str(services.LEVEL_OUT_OF_SCALE) % {"min": "0", "max": "4"}]
    services.answer_save(user=teacher, participant=participant, node=nodes[1], level=Decimal(2), comment="Трудно")
    services.answer_save(user=teacher, participant=participant, node=nodes[2], level=Decimal(3))
    results = services.self_assessment_submit(user=teacher, participant=participant)
    assert [(r.node_id, r.level, r.is_below) for r in results] == [
        (nodes[0].pk, Decimal(4), False),
        (nodes[1].pk, Decimal(2), True),
        (nodes[2].pk, Decimal(3), False),  # at the threshold is not below
    ]
    deficit = TeacherDeficit.objects.get(person=world.pa)
    assert deficit.node == nodes[1]
    assert deficit.state == DeficitState.PROPOSED
    assert deficit.source == DeficitSource.SELF_ASSESSMENT
    assert (
        deficit.source_ref
        == f"diagnostics.Campaign:{open_campaign.pk}:person:{world.pa.pk}:node:{nodes[1].pk}:self_assessment"
    )
    assert deficit.level == Decimal(2)
    assert deficit.academic_year == 2025
    assert deficit.organisation == world.org_a
    assert "Трудно" in deficit.evidence
    result = Result.objects.get(participant=participant, node=nodes[1])
    assert result.author == teacher and result.deficit == deficit and result.threshold == Decimal(3)
    with pytest.raises(ValidationError) as error:
        services.answer_save(user=teacher, participant=participant, node=nodes[0], level=Decimal(1))
    assert error.value.messages == [str(services.ALREADY_SUBMITTED)]


def test_nobody_fills_in_someone_elses_questionnaire(world, open_campaign, fw):
    _framework, nodes = fw
    other = open_campaign.participants.get(person=world.pb)
    for role in ("teacher", "methodologist", "admin"):
        with pytest.raises(PermissionDenied):
            services.answer_save(user=world.users[role], participant=other, node=nodes[0], level=Decimal(1))


def test_closed_campaign_refuses_answers(world, open_campaign, fw):
    _framework, nodes = fw
    open_campaign.state = CampaignState.CLOSED
    open_campaign.save()
    participant = open_campaign.participants.get(person=world.pa)
    with pytest.raises(ValidationError) as error:
        services.answer_save(user=world.users["teacher"], participant=participant, node=nodes[0], level=Decimal(1))
    assert error.value.messages == [str(services.NOT_OPEN)]


# Observations --------------------------------------------------------------------------------------


@pytest.fixture
def lesson(world, fw, open_campaign):
    framework, nodes = fw
    card = card_for(territory=world.m1, framework=framework, nodes=nodes[:2])
    school_class = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    TeachingAssignmentFactory(person=world.pa, school_class=school_class, subject=subject("Математика"))
    return card, school_class


def test_observation_levels_and_deficits(world, fw, open_campaign, lesson):
    framework, nodes = fw
    card, school_class = lesson
    coordinator = world.users["coordinator"]
    observation = services.observation_save(
        user=coordinator,
        observation=Observation(
            template=card,
            campaign=open_campaign,
            person=world.pa,
            lesson_date=datetime.date(2025, 9, 20),
            school_class=school_class,
            subject=subject("Математика"),
            topic="Дроби",
        ),
    )
    assert observation.organisation == world.org_a and observation.observer == coordinator
    criteria = list(card.criteria.order_by("position"))
    with pytest.raises(ValidationError):
        services.ratings_save(user=coordinator, observation=observation, values={criteria[0].pk: (3, "")})
    with pytest.raises(ValidationError) as error:
        services.observation_complete(user=coordinator, observation=observation)
    assert error.value.messages == [str(services.NOTHING_RATED)]
    services.ratings_save(
        user=coordinator,
        observation=observation,
        values={criteria[0].pk: (0, "Цели урока не названы"), criteria[1].pk: (2, ""), criteria[2].pk: (1, "")},
    )
    results = services.observation_complete(user=coordinator, observation=observation)
    # 0 of 0–2 → 0 on the 0–4 scale; 2 of 0–2 → 4; the third criterion measures no indicator
    assert sorted((r.node_id, r.level) for r in results) == sorted(
        [(nodes[0].pk, Decimal(0)), (nodes[1].pk, Decimal(4))]
    )
    deficit = TeacherDeficit.objects.get(person=world.pa, source=DeficitSource.OBSERVATION)
    assert deficit.node == nodes[0]
    assert (
        deficit.source_ref
        == f"diagnostics.Campaign:{open_campaign.pk}:person:{world.pa.pk}:node:{nodes[0].pk}:observation"
    )
    assert "Цели урока не названы" in deficit.evidence and "Дроби" in deficit.evidence
    assert list(services.observation_deficits(observation)) == [deficit]
    with pytest.raises(ValidationError):
        services.ratings_save(user=coordinator, observation=observation, values={criteria[0].pk: (1, "")})


def test_observation_checks_proposed_deficits_and_decides_them(world, fw, open_campaign, lesson):
    framework, nodes = fw
    card, school_class = lesson
    teacher = world.users["teacher"]
    participant = open_campaign.participants.get(person=world.pa)
    for node, level in zip(nodes, (1, 1, 4), strict=True):
        services.answer_save(user=teacher, participant=participant, node=node, level=Decimal(level))
    services.self_assessment_submit(user=teacher, participant=participant)
    proposed = list(TeacherDeficit.objects.filter(person=world.pa).order_by("node__position"))
    assert [d.node for d in proposed] == nodes[:2]
    coordinator = world.users["coordinator"]
    observation = services.observation_save(
        user=coordinator,
        observation=Observation(template=card, person=world.pa, lesson_date=datetime.date(2025, 10, 2)),
        deficits=proposed,
    )
    criteria = list(card.criteria.order_by("position"))
    services.ratings_save(user=coordinator, observation=observation, values={criteria[2].pk: (2, "")})
    services.observation_complete(user=coordinator, observation=observation)
    confirmed = services.observation_decide(
        user=coordinator, observation=observation, deficit=proposed[0], confirm=True, note="На уроке подтвердилось"
    )
    assert confirmed.state == DeficitState.CONFIRMED
    assert confirmed.decision_ref == f"diagnostics.Observation:{observation.pk}"
    assert confirmed.decided_by == coordinator
    rejected = services.observation_decide(
        user=coordinator, observation=observation, deficit=proposed[1], confirm=False, note="Умение проявлено"
    )
    assert rejected.state == DeficitState.REJECTED
    # a deficit the observation did not check is refused; the teacher never decides their own
    other = TeacherDeficit.objects.create(
        person=world.pa,
        organisation=world.org_a,
        node=nodes[2],
        source=DeficitSource.MANUAL,
        source_ref="manual:1",
        academic_year=2025,
    )
    with pytest.raises(ValidationError) as error:
        services.observation_decide(user=coordinator, observation=observation, deficit=other, confirm=True, note="x")
    assert error.value.messages == [str(services.DEFICIT_NOT_LINKED)]
    with pytest.raises(PermissionDenied):
        services.observation_decide(user=teacher, observation=observation, deficit=proposed[0], confirm=False, note="x")


def test_observation_outside_scope_and_class_of_another_school(world, fw, lesson):
    card, _school_class = lesson
    other_class = SchoolClassFactory(organisation=world.org_b, academic_year=2025, grade=7, letter="Б")
    with pytest.raises(ValidationError) as error:
        services.observation_save(
            user=world.users["methodologist"],
            observation=Observation(
                template=card, person=world.pa, lesson_date=datetime.date(2025, 9, 20), school_class=other_class
            ),
        )
    assert error.value.message_dict["school_class"] == [str(services.CLASS_NOT_OF_PERSON)]
    # school A's coordinator cannot record a lesson in school B (the row would be out of their scope)
    with pytest.raises(PermissionDenied):
        services.observation_save(
            user=world.users["coordinator"],
            observation=Observation(template=card, person=world.pb, lesson_date=datetime.date(2025, 9, 20)),
        )
    assert not Observation.objects.exists()
    with pytest.raises(PermissionDenied):
        services.observation_save(
            user=world.users["teacher"],
            observation=Observation(template=card, person=world.pa, lesson_date=datetime.date(2025, 9, 20)),
        )


def test_assigned_expert_observes_participants_outside_their_scope(world, fw, open_campaign, lesson):
    card, _school_class = lesson
    expert = world.users["expert"]  # works in school B; pa works in school A
    with pytest.raises(PermissionDenied):
        services.observation_save(
            user=expert, observation=Observation(template=card, person=world.pa, lesson_date=datetime.date(2025, 9, 20))
        )
    open_campaign.experts.add(expert)
    from metodist.core.scoping import forget_scopes
    from metodist.registry.models import Person

    forget_scopes(expert)
    assert Person.objects.visible_to(expert).filter(pk=world.pa.pk).exists()
    observation = services.observation_save(
        user=expert,
        observation=Observation(
            template=card, campaign=open_campaign, person=world.pa, lesson_date=datetime.date(2025, 9, 20)
        ),
    )
    assert Observation.objects.visible_to(expert).filter(pk=observation.pk).exists()
    assert observation.organisation == world.org_a
    # the expert sees the public card only, never personal data
    from metodist.core.fields import can_view_personal

    assert not can_view_personal(expert, world.pa)


def test_attachments_are_checked_and_private(world, fw, lesson):
    card, _school_class = lesson
    coordinator = world.users["coordinator"]
    observation = services.observation_save(
        user=coordinator,
        observation=Observation(template=card, person=world.pa, lesson_date=datetime.date(2025, 9, 20)),
    )
    with pytest.raises(ValidationError) as error:
        services.attachment_add(user=coordinator, observation=observation, upload=SimpleUploadedFile("run.exe", b"MZ"))
    assert "run.exe" in error.value.messages[0]
    attachment = services.attachment_add(
        user=coordinator, observation=observation, upload=SimpleUploadedFile("План урока.pdf", b"%PDF-1.4")
    )
    assert attachment.original_filename == "План урока.pdf"
    assert attachment.file.name.startswith(f"diagnostics/observations/{observation.pk}/")
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            user=world.users["teacher"], observation=observation, upload=SimpleUploadedFile("a.pdf", b"%PDF")
        )


def test_test_results_load_replaces_and_proposes(world, fw, open_campaign):
    framework, nodes = fw
    open_campaign.uses_test = True
    open_campaign.save()
    participant = open_campaign.participants.get(person=world.pa)
    rows = [services.TestRow(line=2, participant=participant, node=nodes[0], level=Decimal("1.5"))]
    user = world.users["methodologist"]
    services.test_results_load(user=user, campaign=open_campaign, rows=rows, filename="t.xlsx", measured_on=START)
    deficit = TeacherDeficit.objects.get(person=world.pa)
    assert deficit.source == Method.TEST and deficit.level == Decimal("1.5")
    rows = [services.TestRow(line=2, participant=participant, node=nodes[0], level=Decimal("2.5"))]
    services.test_results_load(user=user, campaign=open_campaign, rows=rows, filename="t2.xlsx", measured_on=START)
    assert Result.objects.filter(participant=participant, method=Method.TEST).count() == 1
    deficit.refresh_from_db()
    assert deficit.level == Decimal("2.5") and "t2.xlsx" in deficit.evidence
    with pytest.raises(PermissionDenied):
        services.test_results_load(
            user=world.users["teacher"], campaign=open_campaign, rows=rows, filename="t.xlsx", measured_on=START
        )


def test_card_template_is_fixed_once_used(world, fw, lesson):
    framework, nodes = fw
    card, _school_class = lesson
    methodologist = world.users["methodologist"]
    criteria = [services.CriterionValues(title="Новый критерий", node=nodes[0])]
    services.card_template_save(user=methodologist, template=card, criteria=criteria)
    assert list(card.criteria.values_list("title", flat=True)) == ["Новый критерий"]
    Observation.objects.create(
        template=card,
        observer=methodologist,
        person=world.pa,
        organisation=world.org_a,
        lesson_date=datetime.date(2025, 9, 20),
    )
    with pytest.raises(ValidationError) as error:
        services.card_template_save(
            user=methodologist, template=card, criteria=[services.CriterionValues(title="Другой")]
        )
    assert error.value.messages == [str(services.TEMPLATE_IN_USE)]
    copy = services.card_template_copy(user=methodologist, template=card, title="Копия")
    assert list(copy.criteria.values_list("title", "node")) == [("Новый критерий", nodes[0].pk)]
    with pytest.raises(PermissionDenied):
        services.card_template_save(user=world.users["coordinator"], template=card, criteria=criteria)
    assert user_with_role(Role.OBSERVER, territory=world.m1)  # observers read templates; tested in test_views


def test_attachments_expire_after_the_retention_period(world, fw, lesson):
    from metodist.diagnostics.jobs import attachment_retention_days, attachments_expire
    from metodist.jobs.periodic import registered

    assert "diagnostics.attachments_retention" in {work.name for work in registered()}
    card, _school_class = lesson
    coordinator = world.users["coordinator"]
    observation = services.observation_save(
        user=coordinator,
        observation=Observation(template=card, person=world.pa, lesson_date=datetime.date(2025, 9, 20)),
    )
    attachment = services.attachment_add(
        user=coordinator, observation=observation, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4")
    )
    storage, name = attachment.file.storage, attachment.file.name
    lesson_day = datetime.date(2025, 9, 20)
    assert attachments_expire(today=lesson_day + datetime.timedelta(days=attachment_retention_days())) == 0
    assert storage.exists(name)
    assert attachments_expire(today=lesson_day + datetime.timedelta(days=attachment_retention_days() + 1)) == 1
    assert not storage.exists(name)
    assert Observation.objects.filter(pk=observation.pk).exists()
