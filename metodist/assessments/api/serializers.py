"""Serializers of the assessments API (read-only): procedures with tasks, class results with task figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate


class TaskSerializer(serializers.ModelSerializer[Task]):
    class Meta:
        model = Task
        fields = [
            "id", "number", "position", "max_score", "level", "checked_element", "planned_result", "codifier_codes",
            "literacy_type", "competence_codes",
        ]  # fmt: skip


class ProcedureSerializer(serializers.ModelSerializer[Procedure]):
    subject = serializers.CharField(source="subject.name", read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id", "kind", "title", "subject", "grade", "academic_year", "held_on", "organisation", "mark_scale",
            "tasks",
        ]  # fmt: skip


class TaskAggregateSerializer(serializers.ModelSerializer[TaskAggregate]):
    task = serializers.CharField(source="task.number", read_only=True)
    max_score = serializers.IntegerField(source="task.max_score", read_only=True)

    class Meta:
        model = TaskAggregate
        fields = ["task", "max_score", "participants", "points", "not_attempted", "full_score"]


class StudentResultSerializer(serializers.ModelSerializer[StudentResult]):
    gender = serializers.CharField(read_only=True, help_text="«m», «f» или пусто")
    scores = serializers.SerializerMethodField()

    class Meta:
        model = StudentResult
        fields = [
            "student_code", "variant", "absent", "gender", "primary_score", "stated_score", "mark", "journal_mark",
            "scores",
        ]  # fmt: skip

    def get_scores(self, student: StudentResult) -> list[Any]:
        """Points per task in the task order; «X» (not attempted) as the string "X"."""
        return ["X" if s.not_attempted else s.score for s in getattr(student, "ordered_scores", [])]


class ClassAssessmentSerializer(serializers.ModelSerializer[ClassAssessment]):
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    tasks = TaskAggregateSerializer(source="task_aggregates", many=True, read_only=True)

    class Meta:
        model = ClassAssessment
        fields = [
            "id", "procedure", "organisation", "organisation_name", "school_class", "class_label", "participants",
            "absent", "loaded_at", "tasks",
        ]  # fmt: skip


class ClassAssessmentDetailSerializer(ClassAssessmentSerializer):
    students = StudentResultSerializer(many=True, read_only=True)

    class Meta(ClassAssessmentSerializer.Meta):
        fields = [*ClassAssessmentSerializer.Meta.fields, "students"]
