"""Serializers of the competences API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import CompetenceNode, Framework, TeacherDeficit


class CompetenceNodeSerializer(serializers.ModelSerializer[CompetenceNode]):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = CompetenceNode
        fields = ["id", "framework", "code", "parent", "parent_code", "kind", "title", "position", "areas"]


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    node_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "version",
            "name",
            "kind",
            "subject",
            "source",
            "scale_min",
            "scale_max",
            "proficiency_threshold",
            "is_active",
            "node_count",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    nodes = serializers.SerializerMethodField()

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "nodes"]

    def get_nodes(self, framework: Framework) -> list[dict[str, Any]]:
        nodes = framework.nodes.select_related("parent").order_by("position", "id")
        return list(CompetenceNodeSerializer(nodes, many=True).data)


class TeacherDeficitSerializer(serializers.ModelSerializer[TeacherDeficit]):
    node_code = serializers.CharField(source="node.code", read_only=True)
    framework = serializers.IntegerField(source="node.framework_id", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = TeacherDeficit
        fields = [
            "id",
            "person",
            "person_name",
            "organisation",
            "framework",
            "node",
            "node_code",
            "subject",
            "state",
            "source",
            "source_ref",
            "source_label",
            "evidence",
            "level",
            "academic_year",
            "previous_year_teacher",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "decision_ref",
            "closed_at",
            "close_note",
        ]
        read_only_fields = fields
