"""Who may do what with assessment results (capability ``assessments``).

Results are anonymous (student codes, never names) but they are still data of minors and of one
school: they follow the registry's structural scope. A teacher sees the results of the classes they
teach in the procedure's subject (``querysets.ClassAssessmentQuerySet``). Shared procedures (ВПР, ОГЭ,
regional diagnostics) are changed by methodologists and administrators; a coordinator creates and changes
their own school's diagnostics and loads their school's results.
"""

from metodist.accounts.choices import Action, Role

CAPABILITY = "assessments"

ASSESSMENT_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.OBSERVER: frozenset({Action.VIEW, Action.EXPORT}),
    # A coordinator changes only their school's own diagnostics (querysets.ProcedureQuerySet.access_q).
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.TEACHER: frozenset({Action.VIEW, Action.EXPORT}),
}
