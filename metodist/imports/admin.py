from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "original_filename", "organisation", "created_by", "status", "rows_total"]
    list_filter = ["kind", "status"]
    search_fields = ["original_filename", "created_by__username", "organisation__short_name"]
    raw_id_fields = ["organisation", "created_by"]
    readonly_fields = ["created_at", "updated_at", "applied_at", "report"]
    date_hierarchy = "created_at"
