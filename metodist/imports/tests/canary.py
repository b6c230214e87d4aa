"""Routes of the imports for the canary walker (see metodist/core/tests/canary.py).

``build`` gives the canary user (a methodologist of the canary municipality) an uploaded staff list
for the canary organisation, with the marker in the file name, the file and the stored check report.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from metodist.core.tests.canary import variant
from metodist.imports.models import ImportBatch, ImportKind


def build(world) -> None:
    marked = world.mark("Канарейкина")
    world.import_batch = ImportBatch.objects.create(
        kind=ImportKind.STAFF,
        organisation=world.organisation,
        file=ContentFile(f"Фамилия;Имя\n{marked};Кира\n".encode(), name="canary.csv"),
        original_filename=world.mark("список") + ".csv",
        created_by=world.user,
        rows_total=2,
        rows_valid=1,
        rows_invalid=1,
        rows_new=1,
        report={
            "columns": [world.mark("Фамилия"), "Имя"],
            "preview": [{"line": 2, "cells": [marked, "Кира"], "status": "new"}],
            "errors": [{"line": 3, "label": marked, "messages": [world.mark("ошибка")]}],
            "warnings": [world.mark("предупреждение")],
            "recognised": [[world.mark("Фамилия"), "last_name"]],
            "header_line": 1,
        },
    )


CANARY_ROUTES = {
    "imports:upload": lambda w: [
        variant(query={"organisation": w.organisation.pk}),
        variant(query={"organisation": w.organisation.pk, "kind": "staff"}),
    ],
    "imports:list": lambda w: [variant(query={"page": "1"})],
    "imports:template": lambda w: [variant(kind="staff"), variant(kind="organisations")],
    "imports:preview": lambda w: [variant(pk=w.import_batch.pk, hidden=True)],
    "imports:apply": lambda w: [variant(pk=w.import_batch.pk, hidden=True)],
    "imports:recheck": lambda w: [variant(pk=w.import_batch.pk, hidden=True)],
    "imports:errors_file": lambda w: [variant(pk=w.import_batch.pk, hidden=True)],
}
