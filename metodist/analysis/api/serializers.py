"""The analysis as JSON: the same :class:`~metodist.analysis.reports.Analysis` the pages show."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from metodist.assessments.models import ClassAssessment, Procedure

from .. import figures as fig
from ..reports import Analysis, Row


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _marks(marks: fig.MarkFigures | None) -> dict[str, Any] | None:
    if marks is None:
        return None
    return {
        "counts": {str(m): marks.counts[m] for m in fig.MARKS},
        "shares": {str(m): _r(marks.share(m)) for m in fig.MARKS},
        "quality": _r(marks.quality),
        "progress": _r(marks.progress),
        "journal": {c["kind"]: {"count": c["count"], "share": _r(c["share"])} for c in marks.comparison()},
    }


def _row(row: Row, analysis: Analysis) -> dict[str, Any]:
    return {
        "label": row.label,
        "participants": row.participants,
        "informative": row.informative(analysis.thresholds),
        "overall": _r(row.overall),
        "tasks": {
            t.number: {"rate": _r(f.rate), "mastery": f.mastery, "points": f.points, "not_attempted": f.not_attempted}
            for t in analysis.tasks
            if (f := row.figures.get(t.pk)) is not None
        },
        "marks": _marks(row.marks),
        "flags": [{"kind": f.kind, "label": f.label, "reasons": f.reasons} for f in row.flags],
        "low_results_rule": row.low_results_reasons,
    }


def analysis_data(analysis: Analysis) -> dict[str, Any]:
    t = analysis.thresholds
    return {
        "procedure": {"id": analysis.procedure.pk, "title": analysis.procedure.title},
        "title": analysis.title,
        "thresholds": {
            "origin": getattr(t, "origin", ""),
            "basic_sufficient": float(t.basic_sufficient),
            "basic_uncertain": float(t.basic_uncertain),
            "advanced_sufficient": float(t.advanced_sufficient),
            "advanced_uncertain": float(t.advanced_uncertain),
            "min_group": t.min_group,
            "min_distribution": t.min_distribution,
        },
        "tasks": [{"number": x.number, "level": x.level, "max_score": x.max_score} for x in analysis.tasks],
        "total": _row(analysis.total, analysis),
        "rows": [_row(r, analysis) for r in analysis.rows],
        "references": [
            {
                "label": ref.label,
                "origin": ref.origin,
                "participants": ref.participants,
                "overall": _r(ref.overall(analysis.tasks)),
                "tasks": {x.number: _r(ref.rate(x.pk)) for x in analysis.tasks},
                "marks": {str(m): _r(v) for m, v in ref.marks.items()},
            }
            for ref in analysis.references
        ],
        "distribution": {str(k): v for k, v in sorted(analysis.distribution.items())},
        "journal_gaps": [
            {"class": g.class_label, "student_code": g.student_code, "mark": g.mark, "journal_mark": g.journal_mark}
            for g in analysis.gaps
        ],
        "insufficient_tasks": [f.task.number for f in analysis.insufficient],
        "systemic_deficits": [
            {"kind": s.kind, "label": s.label, "tasks": [f.task.number for f in s.tasks]} for s in analysis.systemic
        ],
        "flags": [{"kind": f.kind, "label": f.label, "reasons": f.reasons} for f in analysis.flags],
        "flagged_schools": [_row(r, analysis) for r in analysis.flagged],
        "low_results_schools": [
            {"label": r.label, "rule": r.low_results_reasons, "registry": r.low_results} for r in analysis.low_results
        ],
    }


class ClassAssessmentSummarySerializer(serializers.ModelSerializer[ClassAssessment]):
    """A class's results in a list: who, which procedure, how many, the average success rate."""

    procedure_title = serializers.CharField(source="procedure.title", read_only=True)
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    overall = serializers.SerializerMethodField()

    class Meta:
        model = ClassAssessment
        fields = [
            "id",
            "procedure",
            "procedure_title",
            "organisation",
            "organisation_name",
            "class_label",
            "participants",
            "absent",
            "overall",
        ]

    def get_overall(self, obj: ClassAssessment) -> float | None:
        possible = getattr(obj, "possible_points", None)
        return _r(obj.total_points * 100.0 / possible) if possible else None  # type: ignore[attr-defined]


class ProcedureSummarySerializer(serializers.ModelSerializer[Procedure]):
    """A procedure with results in the user's scope; its detail is the analysis (``?territory=`` / ``?school=``)."""

    subject_name = serializers.CharField(source="subject.name", read_only=True)

    class Meta:
        model = Procedure
        fields = ["id", "kind", "title", "subject", "subject_name", "grade", "academic_year", "held_on"]
