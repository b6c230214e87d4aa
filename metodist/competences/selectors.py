"""Reads of the competences app shared by pages, exports, the API and other apps.

* :func:`nodes_by_codes` — resolve natural keys («A/01.6», «ПМ-М.1»; e.g. ``Task.competence_codes`` of the
  assessments app) to nodes.
* :func:`framework_tree` — a framework's nodes in tree order with depth and effective areas.
* :func:`rollup` — deficits rolled up the tree (per labour function, generalised function) or per area.
* :func:`deficit_funnel` — «обследовано → выявлено дефицитов → подтверждено» for the user's scope.
* :func:`person_deficit_groups` — one teacher's deficits grouped by area and labour function.

Every read of deficits takes a queryset the caller limited with ``TeacherDeficit.objects.visible_to``
(or does it itself from ``user``): nothing here reads deficits around the contract.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from metodist.core.permissions import Action

from .choices import OPEN_STATES, CompetenceArea, DeficitState, NodeKind, RollupLevel
from .models import CompetenceNode, Framework, TeacherDeficit, code_key
from .querysets import TeacherDeficitQuerySet

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

NO_AREA = _("Область не указана")

_CODE_SEPARATORS = re.compile(r"[,;\n]+")


def split_codes(codes: str | Iterable[str]) -> list[str]:
    """Codes from a comma/semicolon-separated string (or an iterable of them), stripped, without repeats."""
    items = [codes] if isinstance(codes, str) else list(codes)
    found: list[str] = []
    for item in items:
        for code in _CODE_SEPARATORS.split(item or ""):
            code = code.strip()
            if code and code not in found:
                found.append(code)
    return found


def nodes_by_codes(codes: str | Iterable[str], framework: Framework | None = None) -> dict[str, CompetenceNode]:
    """The nodes named by ``codes`` (as typed: «A/01.6, ПМ-М.1»), keyed by the code as given; unknown ones absent.

    Codes match whatever their case, spaces, dashes and Cyrillic look-alikes (``models.code_key``). Without
    ``framework`` the active frameworks are searched; where several hold the code (two versions of the
    standard), the most recently created framework wins. One query.
    """
    wanted = {code: code_key(code) for code in split_codes(codes)}
    if not wanted:
        return {}
    nodes = CompetenceNode.objects.filter(code_key__in=set(wanted.values())).select_related("framework")
    nodes = nodes.filter(framework=framework) if framework is not None else nodes.filter(framework__is_active=True)
    by_key: dict[str, CompetenceNode] = {}
    for node in nodes.order_by("framework__created_at", "framework_id"):
        by_key[node.code_key] = node  # later frameworks replace earlier ones
    return {code: by_key[key] for code, key in wanted.items() if key in by_key}


def unknown_codes(codes: str | Iterable[str], framework: Framework | None = None) -> list[str]:
    """The codes of ``codes`` that name no node (for an import's or a form's error message)."""
    known = nodes_by_codes(codes, framework)
    return [code for code in split_codes(codes) if code not in known]


# The tree ------------------------------------------------------------------------------------------------


@dataclass
class TreeNode:
    """A node with its place in the tree: depth, ancestors and effective areas (own ∪ inherited)."""

    node: CompetenceNode
    depth: int
    ancestor_ids: list[int]
    areas: list[str]
    children: list[TreeNode] = field(default_factory=list)

    @property
    def area_labels(self) -> list[str]:
        return [str(CompetenceArea(a).label) for a in self.areas]


def framework_tree(framework: Framework, nodes: Sequence[CompetenceNode] | None = None) -> list[TreeNode]:
    """The framework's nodes in tree order (depth first, by position); areas are inherited from ancestors."""
    if nodes is None:
        nodes = list(framework.nodes.order_by("position", "id"))
    by_parent: dict[int | None, list[CompetenceNode]] = defaultdict(list)
    for node in nodes:
        by_parent[node.parent_id].append(node)
    for siblings in by_parent.values():
        siblings.sort(key=lambda n: (n.position, n.pk))
    ordered: list[TreeNode] = []

    def walk(parent_id: int | None, depth: int, ancestors: list[int], inherited: list[str]) -> list[TreeNode]:
        made = []
        for node in by_parent.get(parent_id, []):
            areas = [a for a in CompetenceArea.values if a in inherited or a in (node.areas or [])]
            item = TreeNode(node=node, depth=depth, ancestor_ids=list(ancestors), areas=areas)
            ordered.append(item)
            item.children = walk(node.pk, depth + 1, [*ancestors, node.pk], areas)
            made.append(item)
        return made

    walk(None, 0, [], [])
    return ordered


# Roll-up ---------------------------------------------------------------------------------------------------


@dataclass
class RollupRow:
    """One line of a roll-up: a node (labour or generalised function) or an area, with counts by state."""

    key: str
    code: str
    title: str
    framework: str = ""
    proposed: int = 0
    confirmed: int = 0
    rejected: int = 0
    closed: int = 0
    people_open: int = 0  # distinct teachers with a proposed or confirmed deficit here

    @property
    def total(self) -> int:
        return self.proposed + self.confirmed + self.rejected + self.closed


def _rollup_target(item: TreeNode, kind: str, by_id: dict[int, TreeNode]) -> CompetenceNode:
    """The nearest node of ``kind`` among ``item`` and its ancestors; the root where there is none."""
    chain = [item.node, *(by_id[a].node for a in reversed(item.ancestor_ids))]
    for node in chain:
        if node.kind == kind:
            return node
    return chain[-1]


def rollup(deficits: QuerySet[TeacherDeficit], *, by: str = RollupLevel.LABOUR_FUNCTION) -> list[RollupRow]:
    """Deficits of ``deficits`` (a queryset the caller scoped) rolled up the tree, or per competence area.

    ``by`` is a :class:`~metodist.competences.choices.RollupLevel`: a deficit at a labour action counts for its
    labour function (or generalised function); nodes of frameworks without that level count for their root
    (a section of subject-methodological indicators). Per area, a deficit counts for every area its node has
    or inherits, so area rows may add up to more than the total. One aggregate query plus the frameworks' trees.
    """
    framework_ids = set(deficits.order_by().values_list("node__framework_id", flat=True).distinct())
    frameworks = {f.pk: f for f in Framework.objects.filter(pk__in=framework_ids)}
    nodes = list(CompetenceNode.objects.filter(framework_id__in=framework_ids).order_by("position", "id"))
    per_framework: dict[int, list[CompetenceNode]] = defaultdict(list)
    for node in nodes:
        per_framework[node.framework_id].append(node)
    groups: dict[str, tuple[RollupRow, list[int]]] = {}
    if by == RollupLevel.AREA:
        members: dict[str, list[int]] = {area: [] for area in CompetenceArea.values}
        for framework_id in sorted(per_framework):
            for item in framework_tree(frameworks[framework_id], per_framework[framework_id]):
                for area in item.areas:
                    members[area].append(item.node.pk)
        for area, label in CompetenceArea.choices:
            groups[area] = (RollupRow(key=area, code="", title=str(label)), members[area])
    else:
        kind = NodeKind.GENERALISED_FUNCTION if by == RollupLevel.GENERALISED_FUNCTION else NodeKind.LABOUR_FUNCTION
        for framework_id in sorted(per_framework, key=lambda pk: (frameworks[pk].name, pk)):
            tree = framework_tree(frameworks[framework_id], per_framework[framework_id])
            by_id = {item.node.pk: item for item in tree}
            for item in tree:
                target = _rollup_target(item, kind, by_id)
                key = str(target.pk)
                if key not in groups:
                    row = RollupRow(
                        key=key, code=target.code, title=target.title, framework=frameworks[framework_id].name
                    )
                    groups[key] = (row, [])
                groups[key][1].append(item.node.pk)
    if not groups:
        return []
    aggregates: dict[str, Any] = {}
    for index, (_row, node_ids) in enumerate(groups.values()):
        in_group = Q(node_id__in=node_ids)
        for state in DeficitState.values:
            aggregates[f"g{index}_{state}"] = Count("pk", filter=in_group & Q(state=state))
        aggregates[f"g{index}_people"] = Count("person", filter=in_group & Q(state__in=OPEN_STATES), distinct=True)
    figures = deficits.order_by().aggregate(**aggregates)
    rows = []
    for index, (row, _ids) in enumerate(groups.values()):
        row.proposed = figures[f"g{index}_{DeficitState.PROPOSED}"]
        row.confirmed = figures[f"g{index}_{DeficitState.CONFIRMED}"]
        row.rejected = figures[f"g{index}_{DeficitState.REJECTED}"]
        row.closed = figures[f"g{index}_{DeficitState.CLOSED}"]
        row.people_open = figures[f"g{index}_people"]
        rows.append(row)
    return rows


# The funnel «обследовано → выявлено → подтверждено» -------------------------------------------------------

# Other apps tell the funnel who was examined without a deficit being found: name → function
# (user, academic_year or None) → a queryset of ``registry.Person`` ids in the user's scope
# (diagnostics: participants of a campaign; analysis: teachers of classes whose results were analysed).
SurveySource = Callable[[Any, int | None], QuerySet[Any]]
_SURVEY_SOURCES: dict[str, SurveySource] = {}


def register_survey_source(name: str, function: SurveySource) -> None:
    """Add (or replace) a source of «обследованные» teachers for :func:`deficit_funnel`.

    ``function(user, academic_year)`` must return ``Person`` ids (``values("pk")`` or ``values_list``) read
    through the permission contract of its own app.
    """
    _SURVEY_SOURCES[name] = function


def unregister_survey_source(name: str) -> None:
    _SURVEY_SOURCES.pop(name, None)


@dataclass(frozen=True)
class Funnel:
    """The municipality's funnel: people examined, with a deficit found, with a deficit confirmed."""

    surveyed: int
    identified: int
    confirmed: int
    deficits_proposed: int
    deficits_confirmed: int
    deficits_rejected: int
    deficits_closed: int

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [("surveyed", self.surveyed), ("identified", self.identified), ("confirmed", self.confirmed)]


def deficit_funnel(deficits: QuerySet[TeacherDeficit], *, user: AnyUser, academic_year: int | None = None) -> Funnel:
    """The funnel over ``deficits`` (scoped by the caller, already filtered by year, school, subject …).

    * обследовано — teachers with any deficit row (any source, any state) or named by a registered
      survey source (:func:`register_survey_source`) for ``academic_year``;
    * выявлено дефицитов — teachers with at least one deficit (every deficit is first proposed);
    * подтверждено — teachers with at least one confirmed deficit (or one confirmed and since overcome).
    """
    from metodist.registry.models import Person

    figures = deficits.order_by().aggregate(
        identified=Count("person", distinct=True),
        confirmed=Count("person", distinct=True, filter=Q(state__in=(DeficitState.CONFIRMED, DeficitState.CLOSED))),
        proposed_n=Count("pk", filter=Q(state=DeficitState.PROPOSED)),
        confirmed_n=Count("pk", filter=Q(state=DeficitState.CONFIRMED)),
        rejected_n=Count("pk", filter=Q(state=DeficitState.REJECTED)),
        closed_n=Count("pk", filter=Q(state=DeficitState.CLOSED)),
    )
    surveyed = figures["identified"]
    if _SURVEY_SOURCES:
        condition = Q(pk__in=deficits.order_by().values("person_id"))
        for function in _SURVEY_SOURCES.values():
            condition |= Q(pk__in=function(user, academic_year))
        surveyed = Person.objects.filter(condition).count()
    return Funnel(
        surveyed=surveyed,
        identified=figures["identified"],
        confirmed=figures["confirmed"],
        deficits_proposed=figures["proposed_n"],
        deficits_confirmed=figures["confirmed_n"],
        deficits_rejected=figures["rejected_n"],
        deficits_closed=figures["closed_n"],
    )


# One teacher ---------------------------------------------------------------------------------------------


def deficit_rows() -> TeacherDeficitQuerySet:
    """Deficits with what their pages show joined (node, framework, organisation, subject, deciders) —
    not yet scoped: pass it to ``scoped_or_404`` or call ``visible_to``."""
    rows: TeacherDeficitQuerySet = TeacherDeficit.objects.select_related(
        "person",
        "node",
        "node__framework",
        "node__framework__subject",
        "organisation",
        "subject",
        "decided_by",
        "closed_by",
    )
    return rows


def deficits_visible(user: AnyUser, action: str = Action.VIEW) -> TeacherDeficitQuerySet:
    """Deficits ``user`` may reach, with what their list shows."""
    return deficit_rows().visible_to(user, action)


@dataclass
class DeficitGroup:
    """Deficits of one teacher under one labour function (or a framework's section), in one area."""

    area: str
    area_label: str
    function: CompetenceNode
    deficits: list[TeacherDeficit]


def person_deficit_groups(deficits: Iterable[TeacherDeficit]) -> list[DeficitGroup]:
    """``deficits`` (one teacher's, scoped) grouped by area, then labour function; a deficit appears in every
    area of its node (own or inherited), or under «без области» when it has none.

    Queries: one (the trees of the frameworks involved), whatever the number of deficits.
    """
    deficits = list(deficits)
    framework_ids = {d.node.framework_id for d in deficits}
    per_framework: dict[int, list[CompetenceNode]] = defaultdict(list)
    for node in CompetenceNode.objects.filter(framework_id__in=framework_ids).order_by("position", "id"):
        per_framework[node.framework_id].append(node)
    trees: dict[int, dict[int, TreeNode]] = {
        framework_id: {item.node.pk: item for item in framework_tree(Framework(pk=framework_id), nodes)}
        for framework_id, nodes in per_framework.items()
    }
    groups: dict[tuple[str, int], DeficitGroup] = {}
    area_order = {area: index for index, area in enumerate(CompetenceArea.values)}
    for deficit in deficits:
        by_id = trees[deficit.node.framework_id]
        item = by_id[deficit.node_id]
        function = _rollup_target(item, NodeKind.LABOUR_FUNCTION, by_id)
        for area in item.areas or [""]:
            key = (area, function.pk)
            if key not in groups:
                label = str(CompetenceArea(area).label) if area else str(NO_AREA)
                groups[key] = DeficitGroup(area=area, area_label=label, function=function, deficits=[])
            groups[key].deficits.append(deficit)
    return sorted(
        groups.values(),
        key=lambda g: (
            area_order.get(g.area, len(area_order)),
            g.function.framework_id,
            g.function.position,
            g.function.pk,
        ),
    )


def node_ids_with_area(area: str, framework_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of nodes that have ``area`` themselves or inherit it from an ancestor (one query per call)."""
    nodes = CompetenceNode.objects.all()
    if framework_ids is not None:
        nodes = nodes.filter(framework_id__in=list(framework_ids))
    return [pk for pk, areas in effective_areas(nodes).items() if area in areas]


def effective_areas(nodes: QuerySet[CompetenceNode]) -> dict[int, list[str]]:
    """Node id → its areas, own and inherited from ancestors (the nodes' whole frameworks are read)."""
    framework_ids = nodes.order_by().values("framework_id")
    rows = list(CompetenceNode.objects.filter(framework_id__in=framework_ids).values_list("pk", "parent_id", "areas"))
    parent = {pk: parent_id for pk, parent_id, _a in rows}
    own = {pk: areas or [] for pk, _p, areas in rows}
    found: dict[int, list[str]] = {}

    def areas_of(pk: int) -> list[str]:
        if pk not in found:
            inherited = areas_of(parent[pk]) if parent[pk] is not None else []
            found[pk] = [a for a in CompetenceArea.values if a in inherited or a in own[pk]]
        return found[pk]

    for pk in own:
        areas_of(pk)
    return found
