"""The outbox, read-only: what was told, when, and in which order."""

from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "account_id", "position", "created_at")
    list_filter = ("type",)
    search_fields = ("=id", "=account_id")
    readonly_fields = ("type", "account_id", "data", "created_at", "position")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
