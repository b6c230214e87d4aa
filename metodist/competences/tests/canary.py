"""Routes of the competences app for the canary walker; see metodist/core/tests/canary.py.

The canary teacher gets deficits at the canary school (proposed, and one confirmed by the canary user), and
the bridge — in scope for school A's side — a deficit at the canary school: A's coordinator and the
methodologist of A's municipality see the bridge's page and the bridge's deficits in A, never the one in the
canary school. Every text of a deficit is marked; frameworks are reference data that everyone reads, so their
nodes carry no marker. The canary user also has an uploaded framework file waiting for its preview.
"""

from __future__ import annotations

from metodist.core.tests.canary import variant


def build(world) -> None:
    from django.utils import timezone

    from metodist.competences.choices import DeficitSource, DeficitState, NodeKind
    from metodist.competences.models import FrameworkUpload

    from .factories import DeficitFactory, FrameworkFactory, NodeFactory

    framework = FrameworkFactory(code="CANARY-CF", name="Рамка канареечного теста")
    group = NodeFactory(framework=framework, code="КФ", kind=NodeKind.GROUP, areas=["methodological"])
    nodes = [NodeFactory(framework=framework, code=f"КФ.{i}", parent=group, title=f"Показатель {i}") for i in (1, 2)]

    def marked(**values):
        return DeficitFactory(
            source_label=world.mark("Источник"),
            evidence=world.mark("Основания"),
            source=DeficitSource.TEST,
            **values,
        )

    world.extra["deficit"] = marked(person=world.person, organisation=world.organisation, node=nodes[0])
    world.extra["deficit_confirmed"] = marked(
        person=world.person,
        organisation=world.organisation,
        node=nodes[1],
        state=DeficitState.CONFIRMED,
        decided_by=world.user,
        decided_at=timezone.now(),
        decision_note=world.mark("Решение"),
        decision_ref=world.mark("diagnostics.Observation"),
    )
    world.extra["bridge_deficit"] = marked(person=world.bridge, organisation=world.organisation, node=nodes[0])
    world.extra["competence_framework"] = framework
    world.extra["competence_node"] = nodes[0]
    world.extra["framework_upload"] = FrameworkUpload.objects.create(
        user=world.user, filename=world.mark("рамка") + ".csv", content=b"x", params={"code": world.mark("код")}
    )


def _deficit_queries(w) -> list[dict]:
    return [
        variant(query={"q": w.search_term}),
        variant(query={"q": w.person.last_name.split()[0]}),
        variant(query={"organisation": w.organisation.pk}),
        variant(query={"territory": w.territory.pk}),
        variant(query={"state": "confirmed"}),
        variant(query={"area": "methodological", "source": "test"}),
        variant(query={"framework": w.extra["competence_framework"].pk}),
        variant(query={"sort": "person"}),
    ]


def _export_queries(w) -> list[dict]:
    return [
        variant(query={"format": "csv"}),
        variant(query={"format": "xlsx"}),
        variant(query={"format": "csv", "organisation": w.organisation.pk}),
        variant(query={"format": "xlsx", "q": w.search_term, "territory": w.territory.pk}),
    ]


def _deficits(w) -> list[dict]:
    return [
        variant(pk=w.extra["deficit"].pk, hidden=True),
        variant(pk=w.extra["deficit_confirmed"].pk, hidden=True),
        variant(pk=w.extra["bridge_deficit"].pk, hidden=True),
    ]


def _api_list(*queries):
    def declare(w) -> list[dict]:
        return [variant(query=query(w)) for query in queries]

    return declare


CANARY_ROUTES = {
    # Frameworks: reference data, the same for everyone (the canary's nodes carry no marker).
    "competences:framework_detail": lambda w: [variant(pk=w.extra["competence_framework"].pk)],
    "competences:framework_edit": lambda w: [variant(pk=w.extra["competence_framework"].pk)],
    "competences:node_create": lambda w: [
        variant(pk=w.extra["competence_framework"].pk),
        variant(pk=w.extra["competence_framework"].pk, query={"parent": w.extra["competence_node"].pk}),
    ],
    "competences:node_edit": lambda w: [variant(pk=w.extra["competence_node"].pk)],
    "competences:node_delete": lambda w: [variant(pk=w.extra["competence_node"].pk)],  # POST only: GET is 405
    # The canary user's upload: only its owner reads it.
    "competences:framework_upload_preview": lambda w: [variant(pk=w.extra["framework_upload"].pk, hidden=True)],
    # Deficits.
    "competences:deficit_list": _deficit_queries,
    "competences:deficit_export": _export_queries,
    "competences:deficit_report": lambda w: [
        variant(query={"organisation": w.organisation.pk}),
        variant(query={"territory": w.territory.pk}),
        variant(query={"framework": w.extra["competence_framework"].pk}),
    ],
    "competences:deficit_detail": _deficits,
    "competences:deficit_decide": _deficits,
    "competences:deficit_close": _deficits,
    "competences:person_deficits": lambda w: [variant(pk=w.person.pk, hidden=True), variant(pk=w.bridge.pk)],
    # API.
    "api:competence-framework-list": _api_list(lambda w: {}),
    "api:competence-framework-detail": lambda w: [variant(pk=w.extra["competence_framework"].pk)],
    "api:competence-node-list": _api_list(
        lambda w: {"framework": w.extra["competence_framework"].pk}, lambda w: {"code": "КФ.1"}
    ),
    "api:competence-node-detail": lambda w: [variant(pk=w.extra["competence_node"].pk)],
    "api:teacher-deficit-list": _api_list(
        lambda w: {"q": w.search_term},
        lambda w: {"organisation": w.organisation.pk},
        lambda w: {"territory": w.territory.pk},
        lambda w: {"page_size": 500},
        lambda w: {"format": "api"},
    ),
    "api:teacher-deficit-detail": lambda w: [
        variant(pk=w.extra["deficit"].pk, hidden=True),
        variant(pk=w.extra["bridge_deficit"].pk, hidden=True),
    ],
}
