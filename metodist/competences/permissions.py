"""Who may do what with teachers' competences and deficits (capability ``competences``).

A deficit is personal data of the teacher: the structural scope (territory, organisation) sees and
decides; the teacher sees their own (owner rows); a mentor or expert reaches deficits only through a
relation scope registered by the app that gives the relation.
"""

from metodist.accounts.choices import Action, Role

CAPABILITY = "competences"

COMPETENCE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.OBSERVER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT}),
    Role.TEACHER: frozenset({Action.VIEW}),
}

# Frameworks are reference data (no personal data): everyone who works in the system reads them; the
# municipal methodologists and the administrator edit and import them.
FRAMEWORK_CAPABILITY = "competence_frameworks"

_READ_FRAMEWORKS = frozenset({Action.VIEW})
FRAMEWORK_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.IMPORT}),
    Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE, Action.IMPORT}),
    Role.OBSERVER: _READ_FRAMEWORKS,
    Role.COORDINATOR: _READ_FRAMEWORKS,
    Role.TEACHER: _READ_FRAMEWORKS,
    Role.MENTOR: _READ_FRAMEWORKS,
    Role.EXPERT: _READ_FRAMEWORKS,
    Role.ASSOCIATION_HEAD: _READ_FRAMEWORKS,
}
