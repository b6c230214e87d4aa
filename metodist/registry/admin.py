from django.contrib import admin

from . import models


@admin.register(models.Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "oktmo"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "territory", "kind", "inn", "low_results", "is_active"]
    list_filter = ["kind", "low_results", "innovation_site", "territory"]
    search_fields = ["short_name", "full_name", "inn", "fis_oko_login"]
    list_select_related = ["territory"]


@admin.register(models.Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "is_teaching", "sort_order"]
    list_filter = ["group"]
    search_fields = ["name"]


@admin.register(models.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


class EmploymentInline(admin.TabularInline):
    model = models.Employment
    extra = 0
    autocomplete_fields = ["organisation", "position"]
    filter_horizontal = ["subjects"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "patronymic", "birth_date"]
    search_fields = ["last_name", "first_name", "patronymic", "snils"]
    inlines = [EmploymentInline]
