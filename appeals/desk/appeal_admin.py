"""The agents' queue and the appeal page in the Django admin. Transition buttons come from
django-fsm's admin mixin, but every button runs through appeals.workflow, so money, locks and the
event log are the same as anywhere else. Nothing on an appeal is edited by hand."""

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from accounts.admin import ReadOnlyAdminMixin

from ..errors import AppealError
from ..models import Appeal, AppealEvent, Escalation, State
from ..selectors import with_customer_reply
from ..transitions import DECISIONS, STAFF_ACTIONS, Transition
from ..workflow import decide, four_eyes, review
from . import clock, dashboard, export, forms, views, workspace
from .columns import AppealColumns
from .queue_filter import QueueFilter
from .records_admin import CustomerToldColumn

log = logging.getLogger(__name__)

# The service behind each button of the decision bar (appeals.transitions.STAFF_ACTIONS).
STAFF_SERVICES = {
    Transition.CLAIM: review.appeal_claim,
    Transition.REQUEST_INFO: review.appeal_request_info,
    Transition.ESCALATE: review.appeal_escalate,
    Transition.APPROVE: decide.appeal_approve,
    Transition.PROPOSE_APPROVAL: four_eyes.appeal_propose_approval,
    Transition.CONFIRM_APPROVAL: four_eyes.appeal_confirm_approval,
    Transition.RETURN_PROPOSAL: four_eyes.appeal_return_proposal,
    Transition.REJECT: decide.appeal_reject,
    Transition.REJECT_ESCALATED: decide.appeal_reject,
}
assert set(STAFF_SERVICES) == set(STAFF_ACTIONS)
# After these the appeal is off the actor's hands (decided, or waiting on the customer or a supervisor):
# the page that follows is their next appeal, so a queue is one page load per appeal.
GO_ON = DECISIONS | {Transition.REQUEST_INFO, Transition.ESCALATE, Transition.PROPOSE_APPROVAL}


class AppealEventInline(CustomerToldColumn, ReadOnlyAdminMixin, admin.TabularInline):
    model = AppealEvent
    fields = ("created_at", "actor", "get_transition_display", "from_state", "to_state", "reject_reason", "note",
              "customer_message", "customer_told")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Transition log")

    def get_queryset(self, request):  # each row shows str(event), which names the appeal: joined, not N reads
        return super().get_queryset(request).select_related("actor", "appeal").prefetch_related("notifications__user")


@admin.register(Appeal)
class AppealAdmin(workspace.ReadOncePerPage, FSMAdminMixin, ReadOnlyAdminMixin, AppealColumns, admin.ModelAdmin):
    fsm_fields = ["state"]
    # A stale link or a second tab: said in words, not django_fsm's "FSM transition 'reject' is not allowed".
    fsm_transition_not_allowed_msg = _("That action is not available for this appeal in its current state.")
    fsm_forms = {
        Transition.REJECT: forms.RejectForm,
        Transition.REJECT_ESCALATED: forms.RejectForm,
        Transition.REQUEST_INFO: forms.RequestInfoForm,
        Transition.ESCALATE: forms.EscalateForm,
        Transition.PROPOSE_APPROVAL: forms.ProposeApprovalForm,
        Transition.RETURN_PROPOSAL: forms.ReturnProposalForm,
    }
    change_list_template = "admin/appeals/appeal/change_list.html"
    list_display = ("reference", "customer_display", "frozen_amount", "freeze_reason", "risk_display", "state_display",
                    "assignee", "age", "due", "regulatory_due")
    list_filter = (QueueFilter, "state", "risk_level", ("freeze__reason", admin.ChoicesFieldListFilter),
                   ("freeze__refund__order__platform", admin.ChoicesFieldListFilter))
    list_select_related = ("customer", "freeze", "assignee")
    list_per_page = 100
    show_full_result_count = False
    ordering = ("due_at", "pk")
    search_fields = ("=reference", "=claimed_order_number", "=freeze__refund__order__number",
                     "=claimed_tracking_number", "=freeze__refund__tracking_number", "=customer__username",
                     "=customer__phone")
    # The workspace (templates/admin/appeals/appeal/change_form.html): the "ws-evidence" fieldset on the
    # left, the others on the right in this order, the reference and state in the decision bar.
    change_form_template = "admin/appeals/appeal/change_form.html"
    fieldsets = (
        (_("Screenshots"), {"classes": ("ws-evidence",), "fields": ("screenshots",)}),
        (_("Checks against the record"), {"fields": ("checks",)}),
        (_("Record and claims"), {"fields": ("facts",)}),
        (_("Carrier's record of the return"), {"fields": ("logistics",)}),
        (_("Risk"), {"fields": ("risk",)}),
        (_("The appeal"), {"fields": ("customer_contact", "assignee", "proposal", "clocks", "description")}),
        (_("Customer history"), {"fields": ("history",)}),
    )
    readonly_fields = ("customer_contact", "assignee", "proposal", "clocks", "description", "facts", "screenshots",
                       "logistics", "checks", "risk", "history")
    inlines = [AppealEventInline]

    # Access: staff with the view permission open the page; only transitions change it.

    def get_queryset(self, request):
        return with_customer_reply(super().get_queryset(request).select_related(
            "customer", "assignee", "proposed_by", "freeze__account", "freeze__refund__order"
        ).prefetch_related("evidence"))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False, "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["decision_buttons"] = workspace.decision_buttons(context.pop(self.fsm_context_key, ()), obj,
                                                                 self.fsm_forms)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A POST on an appeal is a transition button or nothing: no field is edited by hand."""
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.POST.get(self.fsm_post_param):
            return self.response_change(request, obj)
        self.message_user(request, _("Appeals change only through the decision buttons."), messages.ERROR)
        return redirect(request.path)

    # Transitions go through the services; decisions land the agent on the next appeal.

    def is_fsm_transition_visible(self, transition):
        return transition.name in STAFF_SERVICES

    def get_fsm_label(self, transition):
        return Transition(transition.name).label

    def get_fsm_block_label(self, fsm_field_name):
        return _("Decision")

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        service = STAFF_SERVICES.get(transition_name)
        if service is None:
            self.message_user(request, _("That action is not available here."), messages.ERROR)
            return False
        try:
            result = service(appeal_id=obj.pk, actor=request.user, **(kwargs or {}))
        except AppealError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            request.appeal_refused = True
            return False
        except (OperationalError, InterfaceError):  # the service's transaction was rolled back
            log.exception("appeal %s: %s failed on the database", obj.pk, transition_name)
            self.message_user(request, _("The database connection was lost; nothing was changed. Please try again."),
                              messages.ERROR)
            return False
        detail = getattr(result, "message", "")
        self.message_user(request, f"{obj.reference}: {Transition(transition_name).label} ✓ {detail}",
                          messages.SUCCESS)
        request.appeal_done = transition_name in GO_ON
        return True

    def _next_after_decision(self, request, response):
        if not getattr(request, "appeal_done", False):
            return response
        return views.open_next(request)

    def response_change(self, request, obj):
        return self._next_after_decision(request, super().response_change(request, obj))

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        """The transition's form, on its own page or posted from the workspace's panel. A name without a
        form is refused in words (not django_fsm's 400 or 500); a refusal by the service (a stale page:
        the appeal moved on) goes back to the appeal, where its state shows; invalid input stays on the
        form page with the errors and what was typed."""
        if transition_name not in self.fsm_forms:
            self.message_user(request, self.fsm_transition_not_allowed_msg, messages.ERROR)
            return redirect("admin:appeals_appeal_change", object_id)
        response = super().fsm_transition_view(request, object_id, transition_name, **kwargs)
        if getattr(request, "appeal_refused", False):
            return redirect("admin:appeals_appeal_change", object_id)
        return self._next_after_decision(request, response)

    # Extra pages

    def get_urls(self):
        site = self.admin_site
        return [
            path("take-next/", site.admin_view(views.take_next), name="appeals_appeal_take_next"),
            path("<int:pk>/clock/", site.admin_view(clock.clock_view), name="appeals_appeal_clock"),
            path("dashboard/", site.admin_view(dashboard.dashboard_view), name="appeals_dashboard"),
            path("evidence/<int:pk>/annotated/", site.admin_view(views.annotated_evidence),
                 name="appeals_evidence_annotated"),
            path("dashboard/decisions.csv", site.admin_view(export.decisions_csv_view),
                 name="appeals_decisions_csv"),
            *super().get_urls(),
        ]


@admin.register(Escalation)
class EscalationAdmin(AppealAdmin):
    """Supervisors' queue of escalated appeals; deciding happens on the appeal's own page."""

    list_filter = ("risk_level",)
    change_list_template = "admin/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=State.ESCALATED)

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("admin:appeals_appeal_change", object_id)
