"""Read-only records in the admin: the decision log, the notifications sent, the evidence rows."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdminMixin

from ..models import AppealEvent, Evidence, Notification
from ..transitions import Transition


class TransitionFilter(admin.SimpleListFilter):
    """The log's actions by their names, not their codes."""

    title = _("action")
    parameter_name = "transition"

    def lookups(self, request, model_admin):
        return Transition.choices

    def queryset(self, request, queryset):
        return queryset.filter(transition=self.value()) if self.value() else queryset


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The decision log: every transition, read-only for everyone."""

    list_display = ("created_at", "appeal", "actor", "get_transition_display", "from_state", "to_state")
    fields = ("appeal", "actor", "get_transition_display", "from_state", "to_state", "reject_reason", "note",
              "customer_message", "created_at")
    readonly_fields = ("get_transition_display",)
    list_filter = (TransitionFilter, "to_state", ("created_at", admin.DateFieldListFilter), "actor")
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
