from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are created by the pages and run by the worker; the operator only looks."""

    list_display = ["created_at", "kind", "title", "owner", "state", "progress_done", "progress_total", "heartbeat_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "owner__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
