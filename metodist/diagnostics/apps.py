from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "metodist.diagnostics"
    verbose_name = _("Диагностика профессиональных дефицитов")

    def ready(self) -> None:
        from metodist.accounts.choices import Action, Capability, Role
        from metodist.core.scoping import register_permissions, register_relation_scope

        from . import (
            audit,  # noqa: F401  (registers models with django-auditlog)
            contributions,
        )
        from .permissions import CAPABILITY, DIAGNOSTICS_PERMISSIONS

        register_permissions(CAPABILITY, DIAGNOSTICS_PERMISSIONS)
        # An expert assigned to a campaign sees it, the public card of its participants and the classes
        # they teach (to name the lesson), and writes observations of their lessons: people who may work
        # outside the expert's own school or municipality.
        experts = {"role": Role.EXPERT, "anchor": "user"}
        register_relation_scope(
            name="diagnostics.expert_campaigns",
            model="diagnostics.Campaign",
            path="experts",
            capability=CAPABILITY,
            **experts,
        )
        register_relation_scope(
            name="diagnostics.expert_participants",
            model="diagnostics.Participant",
            path="campaign__experts",
            capability=CAPABILITY,
            **experts,
        )
        register_relation_scope(
            name="diagnostics.expert_people",
            model="registry.Person",
            path="diagnostic_participations__campaign__experts",
            capability=Capability.REGISTRY,
            **experts,
        )
        register_relation_scope(
            name="diagnostics.expert_classes",
            model="registry.SchoolClass",
            path="teaching_assignments__person__diagnostic_participations__campaign__experts",
            capability=Capability.REGISTRY,
            **experts,
        )
        # The observations an expert writes, their results: view and change.
        register_relation_scope(
            name="diagnostics.observer",
            model="diagnostics.Observation",
            path="observer",
            capability=CAPABILITY,
            actions=(Action.VIEW, Action.CHANGE),
            **experts,
        )
        register_relation_scope(
            name="diagnostics.observer_results",
            model="diagnostics.Result",
            path="observation__observer",
            capability=CAPABILITY,
            **experts,
        )
        contributions.register()
        from metodist.competences.panels import register_teacher_panel

        from .panels import teacher_panel

        register_teacher_panel(
            "diagnostics.teacher", template="diagnostics/panels/teacher.html", context=teacher_panel, order=40
        )
