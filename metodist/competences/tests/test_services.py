"""Deficit services and selectors: idempotent proposals, decisions in scope, roll-ups and the funnel checked
against independent computations over the raw rows."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from metodist.accounts.choices import Role
from metodist.accounts.models import RoleAssignment
from metodist.competences import selectors, services
from metodist.competences.choices import DeficitSource, DeficitState, NodeKind, RollupLevel
from metodist.competences.models import CompetenceNode, TeacherDeficit
from metodist.competences.tests.factories import DeficitFactory, FrameworkFactory, NodeFactory, small_standard

pytestmark = pytest.mark.django_db


def _propose(world, node, person=None, ref="assessments.ClassTask:1", **extra):
    values = {
        "person": person or world.pa,
        "organisation": world.org_a,
        "node": node,
        "source": DeficitSource.ASSESSMENT,
        "source_ref": ref,
        "source_label": "ВПР, математика, 5А",
        "evidence": "Задание 5: 32 % при пороге 60 %",
        "level": Decimal(32),
        "academic_year": 2025,
    }
    values.update(extra)
    return services.deficit_propose(**values)


# Proposing -----------------------------------------------------------------------------------------------


def test_propose_is_idempotent_and_never_resets_a_decision(world):
    nodes = small_standard()
    first = _propose(world, nodes["A/01.6.ТД.1"])
    assert first.state == DeficitState.PROPOSED
    services.deficit_decide(deficit=first, user=world.users["methodologist"], confirm=False, note="Урок посещён")
    again = _propose(world, nodes["A/01.6.ТД.1"], evidence="Задание 5: 30 %", level=Decimal(30))
    assert again.pk == first.pk
    assert TeacherDeficit.objects.count() == 1
    again.refresh_from_db()
    assert again.state == DeficitState.REJECTED
    assert again.evidence == "Задание 5: 30 %"
    assert again.level == Decimal(30)
    assert again.decision_note == "Урок посещён"
    # another source_ref is another proposal
    _propose(world, nodes["A/01.6.ТД.1"], ref="assessments.ClassTask:2")
    assert TeacherDeficit.objects.count() == 2


def test_propose_takes_the_frameworks_subject(world):
    from metodist.registry.tests.factories import subject

    nodes = small_standard()
    framework = nodes["ПМ-М.1"].framework
    framework.subject = subject("Математика")
    framework.save()
    deficit = _propose(world, nodes["ПМ-М.1"])
    assert deficit.subject == subject("Математика")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "gossip"}, services.UNKNOWN_SOURCE),
        ({"source_ref": "  "}, services.EMPTY_SOURCE_REF),
        ({"level": Decimal(101)}, services.LEVEL_OUT_OF_SCALE),
        ({"academic_year": 1999}, services.ACADEMIC_YEAR_INVALID),
    ],
)
def test_propose_refuses_bad_values(world, change, message):
    node = NodeFactory()
    with pytest.raises(ValidationError) as error:
        _propose(world, node, **change)
    assert any(e.message == message for e in error.value.error_list)
    assert not TeacherDeficit.objects.exists()


def test_propose_refuses_an_inactive_framework(world):
    node = NodeFactory(framework=FrameworkFactory(is_active=False))
    with pytest.raises(ValidationError) as error:
        _propose(world, node)
    assert error.value.error_list[0].message == services.FRAMEWORK_INACTIVE


# Deciding ------------------------------------------------------------------------------------------------


def test_methodologist_confirms_with_who_and_when(world):
    deficit = _propose(world, NodeFactory())
    user = world.users["methodologist"]
    decided = services.deficit_decide(
        deficit=deficit,
        user=user,
        confirm=True,
        note="Подтверждено на уроке 12.10",
        decision_ref="diagnostics.Observation:17",
    )
    decided.refresh_from_db()
    assert decided.state == DeficitState.CONFIRMED
    assert decided.decided_by == user
    assert decided.decided_at is not None
    assert decided.decision_ref == "diagnostics.Observation:17"
    entries = LogEntry.objects.get_for_objects(TeacherDeficit.objects.filter(pk=deficit.pk))
    assert sorted(e.action for e in entries) == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.additional_data == {"person_id": world.pa.pk} for e in entries)


@pytest.mark.parametrize("role", ["observer", "teacher", "mentor", "expert", "nobody"])
def test_roles_without_change_cannot_decide(world, role):
    deficit = _propose(world, NodeFactory())
    with pytest.raises(PermissionDenied):
        services.deficit_decide(deficit=deficit, user=world.users[role], confirm=True, note="x")
    deficit.refresh_from_db()
    assert deficit.state == DeficitState.PROPOSED


def test_out_of_scope_coordinator_cannot_decide(world):
    deficit = _propose(world, NodeFactory(), person=world.pc, organisation=world.org_c)
    with pytest.raises(PermissionDenied) as error:
        services.deficit_decide(deficit=deficit, user=world.users["coordinator"], confirm=True, note="x")
    assert str(error.value) == str(services.NOT_IN_SCOPE)


def test_a_teacher_never_decides_their_own_even_as_coordinator(world):
    deficit = _propose(world, NodeFactory())
    teacher = world.users["teacher"]  # pa's account
    RoleAssignment.objects.create(user=teacher, role=Role.COORDINATOR, organisation=world.org_a)
    from metodist.core.scoping import forget_scopes

    forget_scopes(teacher)
    with pytest.raises(PermissionDenied) as error:
        services.deficit_decide(deficit=deficit, user=teacher, confirm=True, note="Сам себе")
    assert str(error.value) == str(services.OWN_DEFICIT)


def test_decision_needs_a_note_and_a_closed_deficit_stays_closed(world):
    deficit = _propose(world, NodeFactory())
    user = world.users["coordinator"]
    with pytest.raises(ValidationError) as error:
        services.deficit_decide(deficit=deficit, user=user, confirm=True, note="  ")
    assert error.value.error_list[0].message == services.NOTE_REQUIRED
    services.deficit_decide(deficit=deficit, user=user, confirm=True, note="Подтверждаю")
    with pytest.raises(ValidationError) as error:
        services.deficit_close(deficit=deficit, user=user, note="")
    assert error.value.error_list[0].message == services.NOTE_REQUIRED
    closed = services.deficit_close(deficit=deficit, user=user, note="Повторная диагностика: 78 %")
    assert closed.state == DeficitState.CLOSED and closed.closed_by == user
    with pytest.raises(ValidationError) as error:
        services.deficit_decide(deficit=deficit, user=user, confirm=False, note="Передумал")
    assert error.value.error_list[0].message == services.CLOSED_CANNOT_BE_DECIDED


def test_only_a_confirmed_deficit_closes(world):
    deficit = _propose(world, NodeFactory())
    with pytest.raises(ValidationError) as error:
        services.deficit_close(deficit=deficit, user=world.users["methodologist"], note="Закрыть")
    assert error.value.error_list[0].message == services.ONLY_CONFIRMED_CLOSE


# Codes ---------------------------------------------------------------------------------------------------


def test_nodes_by_codes_matches_typed_codes():
    nodes = small_standard()
    found = selectors.nodes_by_codes("а/01.6, A/02.6.тд.1; пм-м.1, НЕТ-ТАКОГО,  ")
    assert found == {"а/01.6": nodes["A/01.6"], "A/02.6.тд.1": nodes["A/02.6.ТД.1"], "пм-м.1": nodes["ПМ-М.1"]}
    assert selectors.unknown_codes("A/01.6, НЕТ-ТАКОГО") == ["НЕТ-ТАКОГО"]
    assert selectors.nodes_by_codes("A/01.6", framework=nodes["ПМ-М"].framework) == {}
    assert selectors.nodes_by_codes("") == {}


def test_nodes_by_codes_prefers_the_latest_active_framework():
    old = NodeFactory(code="X/01", framework=FrameworkFactory(code="S", version="1"))
    new = NodeFactory(code="X/01", framework=FrameworkFactory(code="S", version="2"))
    NodeFactory(code="X/01", framework=FrameworkFactory(code="S", version="3", is_active=False))
    assert selectors.nodes_by_codes(["X/01"]) == {"X/01": new}
    assert selectors.nodes_by_codes(["X/01"], framework=old.framework) == {"X/01": old}


# Roll-up and funnel: independent computations --------------------------------------------------------------


def _random_deficits(world, nodes, count=60, seed=7):
    rng = random.Random(seed)
    people = [(world.pa, world.org_a), (world.pa2, world.org_a), (world.pb, world.org_b), (world.pc, world.org_c)]
    leaves = [n for code, n in nodes.items() if n.kind not in (NodeKind.GENERALISED_FUNCTION,)]
    for index in range(count):
        person, organisation = rng.choice(people)
        DeficitFactory(
            person=person,
            organisation=organisation,
            node=rng.choice(leaves),
            state=rng.choice(DeficitState.values),
            source=rng.choice(DeficitSource.values),
            source_ref=f"r:{index}",
            decided_at="2025-10-01T10:00:00Z",
            closed_at="2025-12-01T10:00:00Z",
        )


def _expected_rollup(rows, node_rows, kind):
    """Plain Python: walk each deficit's node up to the nearest node of ``kind`` (else the root)."""
    parent = {pk: p for pk, p, _k in node_rows}
    node_kind = {pk: k for pk, _p, k in node_rows}
    counts: dict[int, Counter] = defaultdict(Counter)
    people: dict[int, set] = defaultdict(set)
    for node_id, state, person_id in rows:
        current, target = node_id, None
        while current is not None:
            if node_kind[current] == kind:
                target = current
                break
            if parent[current] is None:
                target = current
            current = parent[current]
        counts[target][state] += 1
        if state in ("proposed", "confirmed"):
            people[target].add(person_id)
    return counts, people


@pytest.mark.parametrize("role", ["admin", "methodologist", "coordinator", "teacher"])
def test_rollup_by_labour_function_equals_an_independent_count(world, role):
    nodes = small_standard()
    _random_deficits(world, nodes)
    user = world.users[role]
    scoped = TeacherDeficit.objects.visible_to(user)
    rows = list(scoped.values_list("node_id", "state", "person_id"))
    node_rows = list(CompetenceNode.objects.values_list("pk", "parent_id", "kind"))
    counts, people = _expected_rollup(rows, node_rows, "labour_function")
    result = {int(r.key): r for r in selectors.rollup(scoped, by=RollupLevel.LABOUR_FUNCTION)}
    for target, counter in counts.items():
        row = result[target]
        assert (row.proposed, row.confirmed, row.rejected, row.closed) == (
            counter["proposed"],
            counter["confirmed"],
            counter["rejected"],
            counter["closed"],
        )
        assert row.people_open == len(people[target])
    assert sum(r.total for r in result.values()) == len(rows)


def test_rollup_by_generalised_function_and_by_area(world):
    nodes = small_standard()
    _random_deficits(world, nodes)
    scoped = TeacherDeficit.objects.all()
    rows = list(scoped.values_list("node_id", "state", "person_id"))
    node_rows = list(CompetenceNode.objects.values_list("pk", "parent_id", "kind"))
    counts, _people = _expected_rollup(rows, node_rows, "generalised_function")
    result = {int(r.key): r.total for r in selectors.rollup(scoped, by=RollupLevel.GENERALISED_FUNCTION)}
    assert result == {target: sum(c.values()) for target, c in counts.items()}
    # areas: own ∪ inherited, computed here from the raw parent links and tags
    own = dict(CompetenceNode.objects.values_list("pk", "areas"))
    parent = {pk: p for pk, p, _k in node_rows}

    def effective(pk):
        found = set()
        while pk is not None:
            found |= set(own[pk])
            pk = parent[pk]
        return found

    expected = Counter()
    for node_id, _state, _person in rows:
        for area in effective(node_id):
            expected[area] += 1
    by_area = {r.key: r.total for r in selectors.rollup(scoped, by=RollupLevel.AREA)}
    assert {k: v for k, v in by_area.items() if v} == dict(expected)


@pytest.mark.parametrize("role", ["admin", "methodologist", "coordinator", "observer", "teacher"])
def test_funnel_equals_an_independent_count(world, role):
    nodes = small_standard()
    _random_deficits(world, nodes)
    user = world.users[role]
    scoped = TeacherDeficit.objects.visible_to(user)
    rows = list(scoped.values_list("person_id", "state"))
    funnel = selectors.deficit_funnel(scoped, user=user)
    assert funnel.surveyed == len({p for p, _s in rows})
    assert funnel.identified == len({p for p, _s in rows})
    assert funnel.confirmed == len({p for p, s in rows if s in ("confirmed", "closed")})
    assert funnel.deficits_proposed == sum(1 for _p, s in rows if s == "proposed")
    assert funnel.deficits_rejected == sum(1 for _p, s in rows if s == "rejected")


def test_funnel_counts_people_examined_by_a_registered_source(world):
    from metodist.registry.models import Person

    nodes = small_standard()
    DeficitFactory(person=world.pa, organisation=world.org_a, node=nodes["A/01.6.ТД.1"])
    selectors.register_survey_source(
        "test.everyone_in_a", lambda user, year: Person.objects.visible_to(user).filter(pk=world.pa2.pk).values("pk")
    )
    try:
        funnel = selectors.deficit_funnel(TeacherDeficit.objects.all(), user=world.users["methodologist"])
        assert (funnel.surveyed, funnel.identified, funnel.confirmed) == (2, 1, 0)
    finally:
        selectors.unregister_survey_source("test.everyone_in_a")


def test_person_groups_by_area_and_labour_function(world):
    nodes = small_standard()
    digital_skill = DeficitFactory(person=world.pa, organisation=world.org_a, node=nodes["A/01.6.НУ.1"])
    action = DeficitFactory(person=world.pa, organisation=world.org_a, node=nodes["A/02.6.ТД.1"])
    groups = selectors.person_deficit_groups(TeacherDeficit.objects.select_related("node"))
    shape = [(g.area, g.function.code, [d.pk for d in g.deficits]) for g in groups]
    assert shape == [
        ("methodological", "A/01.6", [digital_skill.pk]),
        ("psychological", "A/02.6", [action.pk]),
        ("communicative", "A/02.6", [action.pk]),
        ("digital", "A/01.6", [digital_skill.pk]),
    ]
