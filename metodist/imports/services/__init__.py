"""Checking and loading staff lists and organisation lists.

Every function that writes is here, keyword-only, and writes in one transaction. The check and the load
share one code path: :class:`~.staff._StaffImport` and :class:`~.organisations._OrganisationImport` read
the file, check every row, look the rows up in the register and work out what would change; ``write()``
then saves only what differs, so that loading the same file twice changes nothing (and leaves no audit
entries).

- :mod:`.base` — the report of a check, the row results and the base class both imports share;
- :mod:`.staff` — staff lists of one organisation;
- :mod:`.organisations` — organisation lists, and who may load them;
- :mod:`.batches` — uploaded files: checked for the preview, then loaded.
"""

from .base import STATUS_NEW, STATUS_UNCHANGED, STATUS_UPDATED, ImportRejected, ImportReport, RowResult, grades_text
from .batches import import_batch_apply, import_batch_create
from .organisations import (
    can_import_organisations,
    municipalities_for_import,
    organisations_import_apply,
    organisations_import_check,
)
from .staff import staff_import_apply, staff_import_check

__all__ = [
    "STATUS_NEW",
    "STATUS_UNCHANGED",
    "STATUS_UPDATED",
    "ImportRejected",
    "ImportReport",
    "RowResult",
    "can_import_organisations",
    "grades_text",
    "import_batch_apply",
    "import_batch_create",
    "municipalities_for_import",
    "organisations_import_apply",
    "organisations_import_check",
    "staff_import_apply",
    "staff_import_check",
]
