"""Exact row counts of region-scale lists, computed once per state of the tables they read.

A list page's count is its most expensive statement (the people of a region: a semi-join of 30 000
people with their current employments, ~30 ms) and it is the same for every page, sort and reload of
one list until somebody changes the data. :func:`cached_count` keeps the count in the cache under a
key made of the count statement itself (scope, filters and «today» are in its SQL and parameters)
and the **versions of every table the statement reads**.

A table's version is a row of ``core_tableversion`` that a PostgreSQL statement trigger bumps on every
INSERT, UPDATE, DELETE or TRUNCATE of that table — ORM saves, ``bulk_create``, queryset updates,
``COPY`` and raw SQL alike (:func:`version_table_sql` installs the trigger; an app lists its tables in a
migration). The bump is part of the writing transaction, so a reader sees a new version exactly when
it can see the new rows: a count stored under a version can be newer than that version, never older.
A statement that reads a table without a trigger, a database other than PostgreSQL, or a failing
cache all mean the plain ``COUNT``: the figure is always exact.

The price: writers of one versioned table queue on its version row until they commit (registry writes
are small and rare next to reads; an import holds it for the seconds of its transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

CACHE_PREFIX = "metodist:count:"
CACHE_SECONDS = 24 * 3600

# The function every versioned table's trigger calls (created by core's migration 0003). Versions are
# drawn from a sequence, never reused: a transaction that bumped a version and rolled back leaves a
# number nobody will meet again, so a count it cached can never be taken for a later state.
BUMP_FUNCTION_SQL = [
    "CREATE SEQUENCE IF NOT EXISTS core_tableversion_seq",
    """
CREATE OR REPLACE FUNCTION metodist_bump_table_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_tableversion (table_name, version) VALUES (TG_TABLE_NAME, nextval('core_tableversion_seq'))
    ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$;
""",
]
DROP_BUMP_FUNCTION_SQL = [
    "DROP FUNCTION IF EXISTS metodist_bump_table_version()",
    "DROP SEQUENCE IF EXISTS core_tableversion_seq",
]

_TABLE_NAME = re.compile(r'(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')


def version_table_sql(table: str) -> list[str]:
    """Statements that make ``table`` versioned (for a migration's ``RunSQL``; PostgreSQL only)."""
    trigger = f"{table}_version"
    return [
        f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"',
        f'CREATE TRIGGER "{trigger}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION metodist_bump_table_version()",
    ]


def seed_version_sql(table: str) -> str:
    """Give ``table`` its first version as the trigger is installed (for the same migration), so that its
    counts are cached from the start rather than after its first write."""
    return (
        "INSERT INTO core_tableversion (table_name, version) "
        f"VALUES ('{table}', nextval('core_tableversion_seq')) ON CONFLICT (table_name) DO NOTHING"
    )


def unversion_table_sql(table: str) -> list[str]:
    return [f'DROP TRIGGER IF EXISTS "{table}_version" ON "{table}"']


_VERSIONED: set[str] = set()


def register_versioned_tables(tables: list[str]) -> None:
    """An app names the tables its migrations gave the version trigger (from ``AppConfig.ready()``);
    ``core/tests/test_counts.py`` checks the names against the triggers the database really has."""
    _VERSIONED.update(tables)


def versioned_tables() -> frozenset[str]:
    return frozenset(_VERSIONED)


def database_versioned_tables(using: str = "default") -> frozenset[str]:
    """Tables that carry the version trigger in the database (for the test of the registrations)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_version' AND NOT t.tgisinternal"
        )
        return frozenset(row[0] for row in cursor.fetchall())


def table_state(tables: list[str], using: str = "default") -> str | None:
    """The versions of ``tables`` as one string, or ``None`` when some table is not versioned (or the
    database is not PostgreSQL): a key part under which anything computed from those tables stays exact."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not set(tables) <= _VERSIONED:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, version FROM core_tableversion WHERE table_name = ANY(%s) ORDER BY table_name",
            [sorted(tables)],
        )
        versions = dict(cursor.fetchall())
    if len(versions) < len(set(tables)):
        # A table not written since it was created (or since a flush) has no version yet: two different
        # contents could share that state, so nothing is cached until its first write.
        return None
    return ";".join(f"{table}={versions[table]}" for table in sorted(tables))


def cached_count(queryset: QuerySet[Any]) -> int:
    """``queryset.count()``, served from the cache while none of the tables it reads has changed."""
    using = queryset.db
    connection = connections[using]
    if connection.vendor != "postgresql":
        return queryset.count()
    query = queryset.query.chain()
    query.clear_ordering(force=True)
    try:
        sql, params = query.get_compiler(using).as_sql()
    except Exception:  # an empty result set (EmptyResultSet) and the like: let Django count
        return queryset.count()
    tables = sorted(set(_TABLE_NAME.findall(sql)))
    state = table_state(tables, using) if tables else None
    if state is None:
        return queryset.count()
    digest = hashlib.sha256(repr((sql, params, state)).encode()).hexdigest()
    key = CACHE_PREFIX + digest
    try:
        value = cache.get(key)
    except Exception:
        value = None
    if isinstance(value, int):
        return value
    count = queryset.count()
    with contextlib.suppress(Exception):
        cache.set(key, count, CACHE_SECONDS)
    return count


class CachedCountPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose total comes from :func:`cached_count` when it pages a queryset (or a
    django-tables2 table over one)."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        queryset = _queryset_of(self.object_list)
        if queryset is None:
            return super().count
        return cached_count(queryset)


def _queryset_of(object_list: Any) -> QuerySet[Any] | None:
    if isinstance(object_list, QuerySet):
        return object_list
    data = getattr(object_list, "data", None)  # django-tables2: BoundRows → TableQuerysetData → QuerySet
    inner = getattr(data, "data", None)
    if isinstance(inner, QuerySet):
        return inner
    return None
