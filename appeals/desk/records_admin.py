"""Read-only records in the admin: the decision log, the notifications sent, the evidence rows, the
evidence access log."""

from django.contrib import admin

from accounts import roles
from accounts.admin import ReadOnlyAdminMixin

from ..models import AppealEvent, Evidence, EvidenceAccess, Notification


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The decision log: every transition, read-only for everyone."""

    list_display = ("created_at", "appeal", "actor", "transition", "from_state", "to_state")
    list_filter = ("transition", "to_state", ("created_at", admin.DateFieldListFilter), "actor")
    list_select_related = ("appeal", "actor")
    search_fields = ("=appeal__reference",)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "appeal", "message", "read_at")
    list_select_related = ("user", "appeal")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("appeal", "kind", "status", "rejection_reason", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("appeal",)
    exclude = ("upload", "image", "thumbnail")


@admin.register(EvidenceAccess)
class EvidenceAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The evidence access log, for supervisors: per appeal (search its reference) and per staff member."""

    list_display = ("created_at", "viewer", "role", "what", "appeal", "evidence", "address", "detail")
    list_filter = (("viewer", admin.RelatedOnlyFieldListFilter), "role", "what",
                   ("created_at", admin.DateFieldListFilter))
    list_select_related = ("viewer", "appeal")
    search_fields = ("=appeal__reference", "=viewer__username")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return roles.may_oversee(request.user)

    def has_module_permission(self, request):
        return roles.may_oversee(request.user)
