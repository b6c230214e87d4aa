from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    """Read-only: jobs are created by the pages and run by the worker; the operator only looks."""

    list_display = ["created_at", "kind", "title", "owner", "state", "progress_done", "progress_total", "heartbeat_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "owner__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False
