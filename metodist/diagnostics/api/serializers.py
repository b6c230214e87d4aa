"""Serializers of the diagnostics API (read only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Campaign, Observation, Participant, Rating, Result

_Base = serializers.ModelSerializer


class CampaignSerializer(_Base):  # type: ignore[type-arg]
    indicators: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    threshold = serializers.DecimalField(
        source="framework.proficiency_threshold", max_digits=6, decimal_places=2, read_only=True
    )
    methods = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "description",
            "territory",
            "organisation",
            "framework",
            "threshold",
            "indicators",
            "methods",
            "starts_on",
            "ends_on",
            "academic_year",
            "state",
            "audience_subject",
            "audience_young",
            "card_template",
        ]


class ParticipantSerializer(_Base):  # type: ignore[type-arg]
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    answers_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "campaign",
            "person",
            "person_name",
            "organisation",
            "state",
            "invited_at",
            "started_at",
            "submitted_at",
            "answers_count",
        ]


class ResultSerializer(_Base):  # type: ignore[type-arg]
    node_code = serializers.CharField(source="node.code", read_only=True)
    is_below = serializers.BooleanField(read_only=True)
    deficit_state = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = [
            "id",
            "campaign",
            "person",
            "organisation",
            "node",
            "node_code",
            "method",
            "level",
            "threshold",
            "is_below",
            "observation",
            "author",
            "measured_on",
            "source_label",
            "evidence",
            "deficit",
            "deficit_state",
        ]

    def get_deficit_state(self, result: Result) -> str | None:
        return result.deficit.state if result.deficit_id and result.deficit else None


class RatingSerializer(_Base):  # type: ignore[type-arg]
    criterion_title = serializers.CharField(source="criterion.title", read_only=True)
    node = serializers.IntegerField(source="criterion.node_id", read_only=True, allow_null=True)
    scale_min = serializers.IntegerField(source="criterion.scale_min", read_only=True)
    scale_max = serializers.IntegerField(source="criterion.scale_max", read_only=True)

    class Meta:
        model = Rating
        fields = ["criterion", "criterion_title", "node", "value", "scale_min", "scale_max", "comment"]


class ObservationSerializer(_Base):  # type: ignore[type-arg]
    ratings = RatingSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = [
            "id",
            "template",
            "campaign",
            "observer",
            "person",
            "organisation",
            "lesson_date",
            "school_class",
            "subject",
            "topic",
            "notes",
            "state",
            "completed_at",
            "ratings",
            "attachments",
        ]

    def get_attachments(self, observation: Observation) -> list[dict[str, Any]]:
        return [{"id": a.pk, "filename": a.original_filename, "size": a.size} for a in observation.attachments.all()]
