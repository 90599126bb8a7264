"""The review desk in the Django admin. Transition buttons come from django-fsm's admin mixin,
but every button runs through appeals.services, so money, locks and the event log are the same
as anywhere else."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from accounts.admin import ReadOnlyAdminMixin

from . import admin_forms, services
from .errors import AppealError
from .models import Appeal, AppealEvent, Evidence, Notification

# Transition name → the service that performs it (customer-only transitions are not offered here).
STAFF_TRANSITIONS = {
    "claim": services.appeal_claim,
    "request_info": services.appeal_request_info,
    "escalate": services.appeal_escalate,
    "approve": services.appeal_approve,
    "reject": services.appeal_reject,
    "reject_escalated": services.appeal_reject,
}
TRANSITION_LABELS = {
    "claim": _("Start review"),
    "request_info": _("Request more information"),
    "escalate": _("Escalate to a supervisor"),
    "approve": _("Approve and release"),
    "reject": _("Reject"),
    "reject_escalated": _("Reject"),
}


class EvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Evidence
    fields = ("kind", "status", "rejection_reason", "width", "height", "created_at")
    readonly_fields = fields
    extra = 0


class AppealEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppealEvent
    fields = ("created_at", "actor", "transition", "from_state", "to_state", "note", "customer_message")
    readonly_fields = fields
    extra = 0


@admin.register(Appeal)
class AppealAdmin(FSMAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = {
        "reject": admin_forms.RejectForm,
        "reject_escalated": admin_forms.RejectForm,
        "request_info": admin_forms.RequestInfoForm,
        "escalate": admin_forms.EscalateForm,
    }
    list_display = ("reference", "customer", "frozen_amount", "state", "risk_level", "assignee", "created_at")
    list_filter = ("state", "risk_level")
    list_select_related = ("customer", "freeze", "assignee")
    search_fields = ("reference", "claimed_order_number", "claimed_tracking_number", "customer__username")
    readonly_fields = ("reference", "customer", "freeze", "frozen_amount", "state", "assignee",
                       "claimed_order_number", "claimed_tracking_number", "description", "risk_level",
                       "reject_reason", "created_at", "decided_at", "decided_by")
    inlines = [EvidenceInline, AppealEventInline]

    @admin.display(description=_("frozen amount"))
    def frozen_amount(self, obj):
        return obj.freeze.amount

    def has_change_permission(self, request, obj=None):
        # The change page is where transition buttons live; every field stays read-only.
        return request.user.has_perm("appeals.view_appeal")

    def is_fsm_transition_visible(self, transition):
        return transition.name in STAFF_TRANSITIONS

    def get_fsm_label(self, transition):
        return TRANSITION_LABELS[transition.name]

    def get_fsm_block_label(self, fsm_field_name):
        return _("Decision")

    def save_model(self, request, obj, form, change):
        """Nothing on the page is editable; only transitions change an appeal."""

    def save_related(self, request, form, formsets, change):
        """Inlines are read-only."""

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        service = STAFF_TRANSITIONS.get(transition_name)
        if service is None:
            self.message_user(request, _("That action is not available here."), messages.ERROR)
            return False
        try:
            result = service(appeal_id=obj.pk, actor=request.user, **(kwargs or {}))
        except AppealError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        detail = getattr(result, "message", "")
        self.message_user(request, f"{TRANSITION_LABELS[transition_name]} ✓ {detail}", messages.SUCCESS)
        return True


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "appeal", "actor", "transition", "from_state", "to_state")
    list_filter = ("transition", "to_state")
    list_select_related = ("appeal", "actor")
    search_fields = ("appeal__reference",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "appeal", "message", "read_at")
    list_select_related = ("user", "appeal")
