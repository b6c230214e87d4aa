from django.apps import AppConfig

from metodist.accounts.choices import Action, Capability, Role

ROUTES = "test_routes"


class ScopingTestAppConfig(AppConfig):
    name = "metodist.core.tests.scoping_app"
    label = "scoping_app"
    verbose_name = "Scoping contract test app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from metodist.core.scoping import register_permissions, register_relation_scope

        register_permissions(
            ROUTES,
            {
                Role.ADMIN: {Action.VIEW, Action.CHANGE},
                Role.METHODOLOGIST: {Action.VIEW, Action.CHANGE},
                Role.COORDINATOR: {Action.VIEW},
                Role.TEACHER: {Action.VIEW},
            },
        )
        # mentor → mentees in the registry: the public card of the person and of their employments
        register_relation_scope(
            name="scoping_app.mentees",
            role=Role.MENTOR,
            capability=Capability.REGISTRY,
            model="registry.Person",
            path="test_mentor_links__mentor",
        )
        register_relation_scope(
            name="scoping_app.mentee_employments",
            role=Role.MENTOR,
            capability=Capability.REGISTRY,
            model="registry.Employment",
            path="person__test_mentor_links__mentor",
        )
        # mentor → mentees' routes: view and change, in the routes capability only
        register_relation_scope(
            name="scoping_app.mentee_routes",
            role=Role.MENTOR,
            capability=ROUTES,
            model="scoping_app.Route",
            path="person__test_mentor_links__mentor",
            actions=(Action.VIEW, Action.CHANGE),
        )
