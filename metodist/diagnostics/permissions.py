"""Who may do what in the diagnostics (capability ``diagnostics``).

A campaign belongs to a municipality (or one school); its results are personal data of the teachers:
the structural scope sees them, a teacher sees their own questionnaires and the observations of their
own lessons, an expert reaches the campaigns they are assigned to and the observations they write
(relation scopes registered in ``apps.py``).
"""

from metodist.accounts.choices import Action, Role

CAPABILITY = "diagnostics"

DIAGNOSTICS_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.OBSERVER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    # Own profile: the teacher's own questionnaires, results and the observations of their lessons. A mentor,
    # an expert or an association head is a teacher too; an expert's campaigns and observations come
    # through relation scopes (apps.py).
    Role.TEACHER: frozenset({Action.VIEW}),
    Role.MENTOR: frozenset({Action.VIEW}),
    Role.EXPERT: frozenset({Action.VIEW}),
    Role.ASSOCIATION_HEAD: frozenset({Action.VIEW}),
}
