"""Indexes for region-scale pages (bench/RESULTS.md).

On PostgreSQL:

* ``pg_trgm`` GIN indexes on ``UPPER(column)`` — the expression that ``icontains`` compares — so that
  a substring search of people (surname, name, patronymic, e-mail) and organisations (names, address)
  is an index scan instead of a scan of every row;
* an expression index on the audit log's ``additional_data -> 'person_id'`` (with the time, newest
  first): a person's page filters the history by this JSON key;
* people by full name with the id as tie-breaker — the order of the people list — so that a page of
  the sorted list reads the index instead of sorting the whole scope.

On SQLite (the demo) only the full-name order index is created: it has no trigram or GIN indexes,
and its audit log stays small. The indexes are not part of the models' state (they are for the
database only), so they are created with SQL guarded by the connection's vendor.
"""

from django.db import migrations

TRIGRAM_COLUMNS = {
    "registry_person": ("last_name", "first_name", "patronymic", "email"),
    "registry_organisation": ("short_name", "full_name", "address"),
}
NAME_ORDER_INDEX = "person_name_order"
HISTORY_INDEX = "auditlog_logentry_person_id_time"


def _trigram_index(table: str, column: str) -> str:
    return f"{table.removeprefix('registry_')}_{column}_trgm"


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    execute = schema_editor.execute
    execute(f"CREATE INDEX IF NOT EXISTS {NAME_ORDER_INDEX} ON registry_person (last_name, first_name, patronymic, id)")
    if connection.vendor != "postgresql":
        return
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            execute(
                f"CREATE INDEX IF NOT EXISTS {_trigram_index(table, column)} ON {table} "
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )
    execute(
        f"CREATE INDEX IF NOT EXISTS {HISTORY_INDEX} ON auditlog_logentry "
        "((additional_data -> 'person_id'), \"timestamp\" DESC)"
    )


def drop_indexes(apps, schema_editor):
    execute = schema_editor.execute
    execute(f"DROP INDEX IF EXISTS {NAME_ORDER_INDEX}")
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            execute(f"DROP INDEX IF EXISTS {_trigram_index(table, column)}")
    execute(f"DROP INDEX IF EXISTS {HISTORY_INDEX}")
    # The pg_trgm extension stays: other database objects may use it.


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_person_match_requests_and_rule_messages"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
