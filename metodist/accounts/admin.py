from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["territory", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "roles"]
    list_filter = ["is_active", "role_assignments__role"]
    autocomplete_fields = ["person"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Профиль педагога"), {"fields": ["person"]}))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description=_("роли"))
    def roles(self, obj):
        return ", ".join(a.get_role_display() for a in obj.role_assignments.all())
