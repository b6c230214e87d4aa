"""Writes of the competences app: teachers' deficits (профессиональные дефициты) and their decisions.

Other apps call these, never ``TeacherDeficit.objects.create``: the diagnostics (a self-assessment or a
lesson observation below the framework's threshold), the analysis of students' results (a class's
insufficient tasks → its teacher's competence indicators), a methodologist's manual entry.

* :func:`deficit_propose` — idempotent per (person, node, ``source_ref``): proposing again refreshes the
  evidence and the measured level, never a decision already taken.
* :func:`deficit_decide` — a coordinator or methodologist confirms or rejects a deficit (step 1.3 of seed
  003: after a lesson observation, with a note); a teacher never decides their own.
* :func:`deficit_close` — a confirmed deficit is overcome («преодолён»), e.g. after a repeated diagnostic.

The functions do not set django-auditlog's actor: pages have it from the middleware, API views from
``metodist.core.audit.acting_as``, jobs from ``auditlog.context.set_actor``. Who decided is stored on the
row itself (``decided_by``, ``closed_by``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.core.permissions import Action

from .choices import DECIDABLE_STATES, CompetenceArea, DeficitSource, DeficitState
from .framework_files import ParsedFramework, check_tree
from .models import CompetenceNode, Framework, TeacherDeficit, code_key

if TYPE_CHECKING:
    from metodist.accounts.models import User
    from metodist.registry.models import Organisation, Person, Subject

# Messages (tests assert them) ------------------------------------------------------------------------------

UNKNOWN_SOURCE = _("Неизвестный источник дефицита: «%(value)s».")
EMPTY_SOURCE_REF = _("Не указана ссылка на источник дефицита.")
FRAMEWORK_INACTIVE = _("Рамка компетенций «%(framework)s» не действует: дефицит по ней не предлагается.")
LEVEL_OUT_OF_SCALE = _("Уровень %(level)s вне шкалы рамки (%(min)s–%(max)s).")
ACADEMIC_YEAR_INVALID = _("Учебный год %(value)s указан неверно.")
NOTE_REQUIRED = _("Напишите комментарий к решению: на чём оно основано.")
NOT_IN_SCOPE = _("Дефицит не найден или вне вашей зоны доступа.")
OWN_DEFICIT = _("Решение о собственном дефиците принимает координатор или методист, а не сам педагог.")
CLOSED_CANNOT_BE_DECIDED = _("Дефицит уже отмечен как преодолённый: решение по нему не меняется.")
ONLY_CONFIRMED_CLOSE = _("Преодолённым можно отметить только подтверждённый дефицит.")
DECISION_REF_TOO_LONG = _("Основание решения слишком длинное (не более %(max)s символов).")

CONFIRMED = _("Дефицит подтверждён.")
REJECTED = _("Дефицит отклонён.")
CLOSED = _("Дефицит отмечен как преодолённый.")

_SOURCE_REF_MAX = TeacherDeficit._meta.get_field("source_ref").max_length or 200
_DECISION_REF_MAX = TeacherDeficit._meta.get_field("decision_ref").max_length or 200
_LABEL_MAX = TeacherDeficit._meta.get_field("source_label").max_length or 500


def _check_proposal(*, node: CompetenceNode, source: str, source_ref: str, level: Decimal | None, year: int) -> None:
    errors: list[ValidationError] = []
    if source not in DeficitSource.values:
        errors.append(ValidationError(UNKNOWN_SOURCE, code="unknown_source", params={"value": source}))
    if not source_ref.strip():
        errors.append(ValidationError(EMPTY_SOURCE_REF, code="empty_source_ref"))
    framework = node.framework
    if not framework.is_active:
        errors.append(
            ValidationError(FRAMEWORK_INACTIVE, code="framework_inactive", params={"framework": framework.name})
        )
    if level is not None and not (framework.scale_min <= level <= framework.scale_max):
        errors.append(
            ValidationError(
                LEVEL_OUT_OF_SCALE,
                code="level_out_of_scale",
                params={"level": level, "min": framework.scale_min, "max": framework.scale_max},
            )
        )
    if not 2000 <= year <= 2100:
        errors.append(ValidationError(ACADEMIC_YEAR_INVALID, code="academic_year_invalid", params={"value": year}))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deficit_propose(
    *,
    person: Person,
    organisation: Organisation,
    node: CompetenceNode,
    source: str,
    source_ref: str,
    source_label: str = "",
    evidence: str = "",
    level: Decimal | None = None,
    academic_year: int,
    previous_year_teacher: bool = False,
    subject: Subject | None = None,
) -> TeacherDeficit:
    """Propose a deficit of ``person`` at ``node`` (a labour action, skill, knowledge or indicator).

    ``source_ref`` names what proposed it, stably (``"assessments.ClassResult:12:task:5"``,
    ``"diagnostics.SelfAssessment:7"``): proposing again with the same person, node and ``source_ref``
    updates the evidence, label, level and organisation of the same row and keeps its state and decision —
    a rejected proposal stays rejected. ``subject`` defaults to the framework's subject.
    Raises ``ValidationError`` (messages above) for an unknown source, an empty ``source_ref``, an inactive
    framework or a level outside the framework's scale.
    """
    node = CompetenceNode.objects.select_related("framework").get(pk=node.pk)
    level = Decimal(level) if level is not None else None
    _check_proposal(node=node, source=source, source_ref=source_ref, level=level, year=academic_year)
    source_ref = source_ref.strip()[:_SOURCE_REF_MAX]
    values = {
        "organisation": organisation,
        "source": source,
        "source_label": source_label[:_LABEL_MAX],
        "evidence": evidence,
        "level": level,
        "academic_year": academic_year,
        "previous_year_teacher": previous_year_teacher,
        "subject_id": subject.pk if subject is not None else node.framework.subject_id,
    }
    key = {"person": person, "node": node, "source_ref": source_ref}
    deficit: TeacherDeficit | None = TeacherDeficit.objects.select_for_update().filter(**key).first()
    if deficit is None:
        try:
            with transaction.atomic():  # a concurrent proposal of the same row: fall through to the update
                created: TeacherDeficit = TeacherDeficit.objects.create(**key, **values)
                return created
        except IntegrityError:
            deficit = TeacherDeficit.objects.select_for_update().get(**key)
    changed = [name for name, value in values.items() if getattr(deficit, name) != value]
    if changed:
        for name in changed:
            setattr(deficit, name, values[name])
        deficit.save(update_fields=[*changed, "updated_at"])
    return deficit


def _in_change_scope(user: User, deficit_id: int) -> bool:
    return TeacherDeficit.objects.visible_to(user, Action.CHANGE).filter(pk=deficit_id).exists()


@transaction.atomic
def deficit_decide(
    *, deficit: TeacherDeficit, user: User, confirm: bool, note: str, decision_ref: str = ""
) -> TeacherDeficit:
    """Confirm (``confirm=True``) or reject a deficit, with a required ``note``.

    ``decision_ref`` names what the decision rests on, e.g. a lesson observation
    (``"diagnostics.Observation:17"``). Only a user with CHANGE on the deficit in the ``competences``
    capability may decide (``PermissionDenied(NOT_IN_SCOPE)`` otherwise — the same answer whether the
    deficit exists or not); the teacher whose deficit it is never decides it (``PermissionDenied(OWN_DEFICIT)``),
    whatever their other roles. A decision may be revised while the deficit is not closed; each one is
    recorded with who and when (and in the audit log).
    """
    if not _in_change_scope(user, deficit.pk):
        raise PermissionDenied(NOT_IN_SCOPE)
    deficit = TeacherDeficit.objects.select_for_update().get(pk=deficit.pk)
    if user.person_id is not None and deficit.person_id == user.person_id:
        raise PermissionDenied(OWN_DEFICIT)
    errors: list[ValidationError] = []
    if deficit.state not in DECIDABLE_STATES:
        errors.append(ValidationError(CLOSED_CANNOT_BE_DECIDED, code="closed"))
    if not note.strip():
        errors.append(ValidationError(NOTE_REQUIRED, code="note_required"))
    if len(decision_ref.strip()) > _DECISION_REF_MAX:
        errors.append(
            ValidationError(DECISION_REF_TOO_LONG, code="decision_ref_too_long", params={"max": _DECISION_REF_MAX})
        )
    if errors:
        raise ValidationError(errors)
    deficit.state = DeficitState.CONFIRMED if confirm else DeficitState.REJECTED
    deficit.decided_by = user
    deficit.decided_at = timezone.now()
    deficit.decision_note = note.strip()
    deficit.decision_ref = decision_ref.strip()
    deficit.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "decision_ref", "updated_at"])
    return deficit


@transaction.atomic
def deficit_close(
    *, deficit: TeacherDeficit, user: User, note: str, closed_at: datetime.datetime | None = None
) -> TeacherDeficit:
    """Mark a confirmed deficit as overcome («преодолён»), with a required ``note`` (what showed it).

    The same rights as :func:`deficit_decide`; only a confirmed deficit closes.
    """
    if not _in_change_scope(user, deficit.pk):
        raise PermissionDenied(NOT_IN_SCOPE)
    deficit = TeacherDeficit.objects.select_for_update().get(pk=deficit.pk)
    if user.person_id is not None and deficit.person_id == user.person_id:
        raise PermissionDenied(OWN_DEFICIT)
    errors: list[ValidationError] = []
    if deficit.state != DeficitState.CONFIRMED:
        errors.append(ValidationError(ONLY_CONFIRMED_CLOSE, code="not_confirmed"))
    if not note.strip():
        errors.append(ValidationError(NOTE_REQUIRED, code="note_required"))
    if errors:
        raise ValidationError(errors)
    deficit.state = DeficitState.CLOSED
    deficit.closed_by = user
    deficit.closed_at = closed_at or timezone.now()
    deficit.close_note = note.strip()
    deficit.save(update_fields=["state", "closed_by", "closed_at", "close_note", "updated_at"])
    return deficit


# Frameworks -------------------------------------------------------------------------------------------------

FRAMEWORK_VERSION_EXISTS = _("Рамка с кодом «%(code)s» и версией «%(version)s» уже есть: укажите другую версию.")
FRAMEWORK_CODE_EMPTY = _("Укажите код и версию рамки.")
NO_FRAMEWORK_RIGHT = _("Загружать и изменять рамки компетенций могут методисты и администратор.")
NODE_CODE_TAKEN = _("Код «%(code)s» уже есть в этой рамке.")
NODE_HAS_DEFICITS = _("У элемента «%(code)s» или его потомков есть дефициты педагогов: его нельзя удалить.")


def _require_framework_right(user: User | None, action: str) -> None:
    """``user=None`` is the system itself (a management command, the demo): pages and the API always pass
    the request's user."""
    from metodist.core.scoping import can

    from .permissions import FRAMEWORK_CAPABILITY

    if user is not None and not can(user, action, FRAMEWORK_CAPABILITY):
        raise PermissionDenied(NO_FRAMEWORK_RIGHT)


def _node_depths(parsed: ParsedFramework) -> list[list[int]]:
    """Indices of ``parsed.nodes`` by depth (parents before children), for creating the tree level by level."""
    by_key = {code_key(n.code): i for i, n in enumerate(parsed.nodes)}
    depth: dict[int, int] = {}

    def depth_of(index: int) -> int:
        if index not in depth:
            parent = parsed.nodes[index].parent_code
            depth[index] = 0 if not parent else depth_of(by_key[code_key(parent)]) + 1
        return depth[index]

    levels: dict[int, list[int]] = {}
    for index in range(len(parsed.nodes)):
        levels.setdefault(depth_of(index), []).append(index)
    return [levels[d] for d in sorted(levels)]


@transaction.atomic
def framework_import(
    *,
    parsed: ParsedFramework,
    user: User | None,
    code: str,
    version: str,
    name: str,
    kind: str,
    subject: Subject | None = None,
    source: str = "",
    scale_min: Decimal = Decimal(0),
    scale_max: Decimal = Decimal(100),
    proficiency_threshold: Decimal = Decimal(60),
    default_areas: dict[str, list[str]] | None = None,
) -> Framework:
    """Create a framework version from a checked file (:mod:`metodist.competences.framework_files`).

    All or nothing. Areas of a node come from the file, else from ``default_areas`` (code → areas), else
    from the node with the same code in the latest earlier version of the same framework code — so the
    methodologists' tags survive a new version of the standard.
    """
    _require_framework_right(user, Action.IMPORT)
    code, version = code.strip(), version.strip()
    if not code or not version:
        raise ValidationError(FRAMEWORK_CODE_EMPTY, code="framework_code_empty")
    if Framework.objects.filter(code=code, version=version).exists():
        raise ValidationError(
            FRAMEWORK_VERSION_EXISTS, code="framework_version_exists", params={"code": code, "version": version}
        )
    problems = check_tree(parsed.nodes)
    if problems:
        raise ValidationError(problems)
    earlier = Framework.objects.filter(code=code).order_by("-created_at", "-pk").first()
    inherited = (
        {key: areas for key, areas in earlier.nodes.values_list("code_key", "areas") if areas} if earlier else {}
    )
    defaults = {code_key(k): v for k, v in (default_areas or {}).items()}
    framework = Framework(
        code=code,
        version=version,
        name=name.strip() or parsed.name or code,
        kind=kind,
        subject=subject,
        source=source or parsed.order,
        scale_min=scale_min,
        scale_max=scale_max,
        proficiency_threshold=proficiency_threshold,
    )
    framework.full_clean()
    framework.save()
    created: dict[str, CompetenceNode] = {}
    for level in _node_depths(parsed):
        batch = []
        for index in level:
            item = parsed.nodes[index]
            key = code_key(item.code)
            areas = item.areas or defaults.get(key) or inherited.get(key) or []
            batch.append(
                CompetenceNode(
                    framework=framework,
                    parent=created[code_key(item.parent_code)] if item.parent_code else None,
                    kind=item.kind,
                    code=item.code,
                    code_key=key,
                    title=item.title,
                    position=index + 1,
                    areas=list(areas),
                )
            )
        for node in CompetenceNode.objects.bulk_create(batch):
            created[node.code_key] = node
    return framework


@transaction.atomic
def framework_update(*, framework: Framework, user: User, values: dict[str, object]) -> Framework:
    """Change a framework's name, source, scale, threshold, subject or whether it is in force."""
    _require_framework_right(user, Action.CHANGE)
    allowed = {"name", "source", "kind", "subject", "scale_min", "scale_max", "proficiency_threshold", "is_active"}
    for name, value in values.items():
        if name in allowed:
            setattr(framework, name, value)
    framework.full_clean()
    framework.save()
    return framework


@transaction.atomic
def node_save(
    *,
    user: User,
    framework: Framework,
    node: CompetenceNode | None = None,
    parent: CompetenceNode | None = None,
    code: str,
    kind: str,
    title: str,
    areas: list[str],
) -> CompetenceNode:
    """Create a node under ``parent`` (``node=None``) or change ``node``: code, kind, title and areas."""
    _require_framework_right(user, Action.CHANGE)
    clash = CompetenceNode.objects.filter(framework=framework, code_key=code_key(code))
    if node is not None:
        clash = clash.exclude(pk=node.pk)
    if clash.exists():
        raise ValidationError({"code": ValidationError(NODE_CODE_TAKEN, code="node_code_taken", params={"code": code})})
    if node is None:
        last = framework.nodes.order_by("-position").values_list("position", flat=True).first() or 0
        node = CompetenceNode(framework=framework, parent=parent, position=last + 1)
    node.code, node.kind, node.title = code.strip(), kind, title.strip()
    node.areas = [a for a in CompetenceArea.values if a in areas]
    node.full_clean(exclude=["code_key"])
    node.save()
    return node


@transaction.atomic
def node_delete(*, user: User, node: CompetenceNode) -> None:
    """Delete a node and its subtree, unless a deficit points at any of them."""
    _require_framework_right(user, Action.CHANGE)
    subtree = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(CompetenceNode.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        subtree.extend(frontier)
    if TeacherDeficit.objects.filter(node_id__in=subtree).exists():
        raise ValidationError(NODE_HAS_DEFICITS, code="node_has_deficits", params={"code": node.code})
    node.delete()
