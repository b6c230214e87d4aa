"""Who may do what with the analysis settings and the reference figures (capability ``analysis``).

The analysis pages themselves read student results through the ``assessments`` capability
(``ClassAssessment.objects.visible_to``): a methodologist sees their territory, a coordinator their
school, a teacher the classes they teach. This capability covers what the analysis adds: thresholds
a methodologist may change for their territory, and the region's and Russia's reference figures.
"""

from metodist.accounts.choices import Action, Role

CAPABILITY = "analysis"

ANALYSIS_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
    Role.OBSERVER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.EXPORT}),
    Role.TEACHER: frozenset({Action.VIEW, Action.EXPORT}),
}
