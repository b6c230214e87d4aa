"""The people export as one SQL statement: PostgreSQL writes the CSV itself (``COPY … TO STDOUT``).

The generic export (``core.exports`` over ``selectors.person_export_rows``) builds every row in Python;
for a region (30 000 people) that costs seconds. Here the scope, the list's filters (both already in the
``people`` queryset), the derived figures (``PersonQuerySet.with_derived_figures``), the current visible
employments and the cell rules of ``core.exports`` (control characters removed, formulas neutralised —
``core.export_sql.SafeCsvText``) are one statement, and the database streams the file.

The columns and their text are those of ``exports.PERSON_COLUMNS`` through ``core.exports.csv_cell``;
a test compares both files. Other databases (the SQLite demo) use the generic path.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection
from django.db.models import Case, F, Value, When
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.utils import timezone

from metodist.core.audit import export_failed, export_finished, record_export, request_query
from metodist.core.export_sql import safe_csv_text_sql
from metodist.core.exports import csv_cell
from metodist.core.fields import PERSONAL_ACCESS, with_personal_access
from metodist.core.models import DataExport

from .choices import QualificationCategory
from .exports import PERSON_COLUMNS
from .models import Employment, Subject
from .querysets import active_on

CHUNK_BYTES = 1 << 16


def is_available() -> bool:
    """Whether the database can write the export itself (PostgreSQL)."""
    return connection.vendor == "postgresql"


def _employments_sql(user) -> tuple[str, tuple]:
    """Current employments ``user`` may see, one row each, with their cells' text."""
    employment = Employment._meta.db_table
    # A JSON list of numbers, «[5, 6, 11]» → «5, 6, 11» (the generic export joins them with ", ").
    grades = RawSQL(f"""translate("{employment}"."grades"::text, '[]"', '')""", ())
    expires = RawSQL(f'to_char("{employment}"."category_expires_on", \'DD.MM.YYYY\')', ())
    category = Case(
        *(When(category=value, then=Value(str(label))) for value, label in QualificationCategory.choices),
        default=F("category"),
    )
    rows = (
        Employment.objects.visible_to(user)
        .filter(active_on())
        .order_by()
        .annotate(
            organisation_text=F("organisation__short_name"),
            position_text=F("position__name"),
            grades_text=grades,
            category_text=category,
            expires_text=expires,
        )
        .values(
            "id",
            "person_id",
            "kind",
            "organisation_text",
            "position_text",
            "grades_text",
            "category_text",
            "expires_text",
        )
    )
    return rows.query.sql_with_params()


def _people_sql(people, user) -> tuple[str, tuple]:
    rows = (
        with_personal_access(people.with_derived_figures(), user)
        .order_by()
        .values(
            "id",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "age_years",
            "experience_start",
            "experience_full_years",
            "is_young_flag",
            "has_recent_courses_flag",
            "email",
            "phone",
            PERSONAL_ACCESS,
        )
    )
    return rows.query.sql_with_params()


def person_export_sql(user, people) -> str:
    """The ``SELECT`` of the export (parameters inlined), in the order of ``PERSON_COLUMNS``."""
    people_sql, people_params = _people_sql(people, user)
    jobs_sql, jobs_params = _employments_sql(user)
    through = Employment.subjects.through._meta.db_table
    subject = Subject._meta.db_table

    def text(expression: str) -> str:
        return f"NULLIF({safe_csv_text_sql(expression)}, '')"

    def joined(column: str, table: str = "e.") -> str:
        return f"string_agg({table}{column}, '; ' ORDER BY e.kind DESC, e.organisation_text, e.id)"

    def personal(expression: str) -> str:
        # A person whose personal data the user may not see: the public card only (metodist.core.fields).
        return f"CASE WHEN p.{PERSONAL_ACCESS} THEN {expression} END"

    def yes_no(column: str) -> str:
        return personal(f"CASE WHEN p.{column} THEN 'да' ELSE 'нет' END")

    sql = f"""
SELECT {text("p.last_name")}, {text("p.first_name")}, {text("p.patronymic")},
       {personal("to_char(p.birth_date, 'DD.MM.YYYY')")}, {personal("p.age_years")},
       {text("j.organisations")}, {text("j.positions")}, {text("j.subjects")}, {text("j.grades")},
       {text("j.categories")}, {text("j.expires")},
       {personal("to_char(p.experience_start, 'DD.MM.YYYY')")}, {personal("p.experience_full_years")},
       {yes_no("is_young_flag")}, {yes_no("has_recent_courses_flag")},
       {personal(text("p.email"))}, {personal(text("p.phone"))}
  FROM ({people_sql} OFFSET 0) AS p  -- OFFSET 0: computed once per person, not inlined per column
  LEFT JOIN (
       SELECT e.person_id,
              {joined("organisation_text")} AS organisations,
              {joined("position_text")} AS positions,
              {joined("subjects_text", "es.")} AS subjects,
              {joined("grades_text")} AS grades,
              {joined("category_text")} AS categories,
              {joined("expires_text")} AS expires
         FROM ({jobs_sql}) AS e
         LEFT JOIN (
              SELECT es.employment_id, string_agg(s.name, '; ' ORDER BY s.sort_order, s.id) AS subjects_text
                FROM {through} AS es JOIN {subject} AS s ON s.id = es.subject_id
               GROUP BY es.employment_id
              ) AS es ON es.employment_id = e.id
        GROUP BY e.person_id
       ) AS j ON j.person_id = p.id
 ORDER BY p.last_name, p.first_name, p.patronymic, p.id"""
    # compose_sql exists on PostgreSQL's operations only (this export runs there), so the stub lacks it.
    return connection.ops.compose_sql(sql, (*people_params, *jobs_params))  # type: ignore[attr-defined]


def header_line() -> bytes:
    """The header of the file: UTF-8 BOM and the column titles, as the generic CSV writes them."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerow([csv_cell(str(c.header)) for c in PERSON_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def person_csv_chunks(user, people, *, counter: list[int] | None = None) -> Iterator[bytes]:
    """The CSV file of ``people`` (already scoped and filtered) in chunks of bytes, written by PostgreSQL.

    ``counter[0]`` receives the number of data rows once the file is complete.
    """
    statement = f"COPY ({person_export_sql(user, people)}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
    yield header_line()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        # (JIT is off for the project's connections, config/settings/base.py: compiling this statement
        # would cost PostgreSQL more than running it.)
        pending = bytearray()
        with cursor.copy(statement) as copy:
            for data in copy:
                pending += data
                if len(pending) >= CHUNK_BYTES:
                    yield bytes(pending)
                    pending.clear()
        if pending:
            yield bytes(pending)
        if counter is not None:
            counter[0] = cursor.rowcount


def csv_response(request, people, *, stem: str, what: str) -> StreamingHttpResponse:
    """The streamed CSV of ``people``, recorded as an export: STARTED, then DONE with the rows written
    once the last byte was sent, or FAILED if the download broke off (as ``core.exports.audited_export``)."""
    user = request.user
    entry = record_export(
        request,
        what=what,
        file_format="csv",
        row_count=people.count(),
        query=request_query(request),
        outcome=DataExport.Outcome.STARTED,
    )
    counter = [0]

    def stream() -> Iterator[bytes]:
        finished = False
        try:
            yield from person_csv_chunks(user, people, counter=counter)
            finished = True
        finally:
            if finished:
                export_finished(entry, row_count=counter[0])
            else:
                export_failed(entry, row_count=counter[0])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
