"""Version triggers on the registry's tables: list counts are cached while the tables are unchanged
(metodist.core.counts). PostgreSQL only; elsewhere every count is computed."""

from django.db import migrations

from metodist.core.counts import seed_version_sql, unversion_table_sql, version_table_sql

TABLES = [
    "registry_territory",
    "registry_organisation",
    "registry_position",
    "registry_subject",
    "registry_person",
    "registry_employment",
    "registry_employment_subjects",
    "registry_personstatus",
    "registry_award",
    "registry_coursecompletion",
    "registry_schoolclass",
    "registry_teachingassignment",
    "registry_personmatchrequest",
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            for statement in version_table_sql(table):
                schema_editor.execute(statement)
            schema_editor.execute(seed_version_sql(table))


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            for statement in unversion_table_sql(table):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_table_versions"),
        ("registry", "0006_organisation_fis_oko_login"),
    ]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
