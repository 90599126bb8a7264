"""Canned replies, kept by supervisors (add, change, switch off); agents pick them on the forms."""

from django.contrib import admin

from ..models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("name", "use", "reject_reason", "active")
    list_filter = ("use", "active")
    search_fields = ("name", "text_zh", "text_en")

    def has_delete_permission(self, request, obj=None):
        return False  # switched off instead: a reply that was used stays readable
