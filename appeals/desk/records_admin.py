"""Records in the admin: the decision log, the notifications sent, the evidence rows and the
evidence access log (read-only), and the official calendar exceptions (saved through the service
that moves the dates they change)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from accounts.admin import ReadOnlyAdminMixin
from accounts.models import CalendarException

from ..models import AppealEvent, Evidence, EvidenceAccess, Notification
from ..transitions import Transition
from ..workflow import calendar


class TransitionFilter(admin.SimpleListFilter):
    """The log's actions by their names, not their codes."""

    title = gettext_lazy("action")
    parameter_name = "transition"

    def lookups(self, request, model_admin):
        return Transition.choices

    def queryset(self, request, queryset):
        return queryset.filter(transition=self.value()) if self.value() else queryset


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def notice_proof(notification: Notification) -> str:
    """How the customer was told (complaint rules Art. 21): shown in the app, and the e-mail."""
    shown = (_("shown in the app %(at)s") % {"at": _at(notification.read_at)} if notification.read_at
             else _("in the app, not yet shown"))
    if notification.emailed_at:
        mail = _("e-mail sent %(at)s, %(id)s") % {"at": _at(notification.emailed_at),
                                                   "id": notification.email_message_id or "—"}
    elif not notification.user.email:
        mail = _("no e-mail address")
    else:
        mail = _("e-mail not sent yet")
    return f"{shown} · {mail}"


def customer_told(event: AppealEvent) -> str:
    """The notifications that told the customer of this event (prefetched with their user)."""
    notices = list(event.notifications.all())
    if not notices:
        return _("not told")
    return format_html_join("", "<div>{}</div>", ((notice_proof(notice),) for notice in notices))


class CustomerToldColumn:
    @admin.display(description=gettext_lazy("customer told"))
    def customer_told(self, obj):
        return customer_told(obj)


@admin.register(AppealEvent)
class AppealEventAdmin(CustomerToldColumn, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The decision log: every transition, read-only for everyone, with how the customer was told."""

    list_display = ("created_at", "appeal", "actor", "get_transition_display", "from_state", "to_state",
                    "customer_told")
    fields = ("appeal", "actor", "get_transition_display", "from_state", "to_state", "reject_reason", "note",
              "customer_message", "created_at")
    readonly_fields = ("get_transition_display",)
    list_filter = (TransitionFilter, "to_state", ("created_at", admin.DateFieldListFilter), "actor")
    list_select_related = ("appeal", "actor")
    search_fields = ("=appeal__reference",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("notifications__user")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "appeal", "message", "read_at", "emailed_at", "email_message_id")
    list_select_related = ("user", "appeal")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("appeal", "kind", "status", "rejection_reason", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("appeal",)
    exclude = ("upload", "image", "thumbnail")


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Supervisors enter the State Council's notice; saving moves the promised dates it changes."""

    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    actions = None  # a bulk delete would skip the service

    def _report(self, request, change: calendar.CalendarChange) -> None:
        self.message_user(request, _("%(freezes)d restore dates and %(appeals)d appeal due times moved; the "
                                     "customers were told.") % {"freezes": change.freezes_moved,
                                                                "appeals": change.appeals_moved}, messages.INFO)

    def save_model(self, request, obj, form, change):
        self._report(request, calendar.calendar_exception_save(exception=obj))

    def delete_model(self, request, obj):
        self._report(request, calendar.calendar_exception_delete(exception=obj))


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
