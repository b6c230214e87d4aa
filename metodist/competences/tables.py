"""Tables of the competences lists (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .choices import CompetenceArea, DeficitState
from .models import CompetenceNode, TeacherDeficit
from .selectors import effective_areas

STATE_BADGES: dict[str, str] = {
    DeficitState.PROPOSED: "text-bg-warning",
    DeficitState.CONFIRMED: "text-bg-danger",
    DeficitState.REJECTED: "text-bg-secondary",
    DeficitState.CLOSED: "text-bg-success",
}


def state_badge(deficit: TeacherDeficit) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATE_BADGES.get(deficit.state, "text-bg-light"),
        deficit.get_state_display(),
    )


class DeficitTable(tables.Table):
    """The «Дефициты педагогов» list; rows come with person, node, framework, organisation and deciders joined."""

    person = tables.Column(verbose_name=_("Педагог"), order_by=("person__last_name", "person__first_name", "id"))
    organisation = tables.Column(verbose_name=_("Организация"), order_by=("organisation__short_name", "id"))
    node = tables.Column(verbose_name=_("Показатель"), order_by=("node__code", "id"))
    areas = tables.Column(verbose_name=_("Области"), empty_values=(), orderable=False)
    source = tables.Column(verbose_name=_("Источник"), order_by=("source", "id"))
    state = tables.Column(verbose_name=_("Состояние"), order_by=("state", "id"))
    created_at = tables.DateColumn(verbose_name=_("Выявлен"), format="d.m.Y")
    decided_at = tables.Column(verbose_name=_("Решение"), order_by=("decided_at", "id"))

    class Meta:
        model = TeacherDeficit
        fields = ("person", "organisation", "node", "areas", "source", "state", "created_at", "decided_at")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-created_at",)

    _node_areas: dict[int, list[str]] | None = None

    @property
    def node_areas(self) -> dict[int, list[str]]:
        """Effective areas of the page's nodes, read once per page (``selectors.effective_areas``)."""
        if self._node_areas is None:
            rows = self.page.object_list if getattr(self, "page", None) else self.rows
            node_ids = {row.record.node_id for row in rows}
            self._node_areas = effective_areas(CompetenceNode.objects.filter(pk__in=node_ids)) if node_ids else {}
        return self._node_areas

    def render_person(self, record: TeacherDeficit) -> SafeString:
        url = reverse("competences:person_deficits", args=[record.person_id])
        return format_html('<a href="{}">{}</a>', url, record.person.full_name)

    def render_organisation(self, record: TeacherDeficit) -> str:
        return record.organisation.short_name

    def render_node(self, record: TeacherDeficit) -> SafeString:
        url = reverse("competences:deficit_detail", args=[record.pk])
        title = record.node.title if len(record.node.title) <= 90 else record.node.title[:88] + "…"
        return format_html('<a href="{}"><b>{}</b></a> <span class="small">{}</span>', url, record.node.code, title)

    def render_areas(self, record: TeacherDeficit) -> str:
        labels = {value: str(label) for value, label in CompetenceArea.choices}
        return ", ".join(labels[a] for a in self.node_areas.get(record.node_id, [])) or "—"

    def render_source(self, record: TeacherDeficit) -> SafeString:
        extra = (
            format_html('<div class="small text-muted">{}</div>', record.source_label) if record.source_label else ""
        )
        return format_html("{}{}", record.get_source_display(), extra)

    def render_state(self, record: TeacherDeficit) -> SafeString:
        return state_badge(record)

    def render_decided_at(self, record: TeacherDeficit) -> SafeString:
        who = record.decided_by.get_full_name() or record.decided_by.username if record.decided_by else ""
        return format_html('{}<div class="small text-muted">{}</div>', f"{record.decided_at:%d.%m.%Y}", who)
