"""The review desk in the Django admin. Transition buttons come from django-fsm's admin mixin,
but every button runs through appeals.services, so money, locks and the event log are the same
as anywhere else. Nothing on an appeal is edited by hand."""

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_fsm.admin import FSMAdminMixin

from accounts.admin import ReadOnlyAdminMixin

from . import admin_forms, admin_panels, services
from .admin_dashboard import dashboard_view, decisions_csv_view
from .errors import AppealError
from .models import (
    OPEN_STATES,
    Appeal,
    AppealEvent,
    AuditSample,
    AuditVerdict,
    Escalation,
    Evidence,
    Notification,
    State,
)

# Transition name → the service that performs it (customer-only transitions are not offered here).
STAFF_TRANSITIONS = {
    "claim": services.appeal_claim,
    "request_info": services.appeal_request_info,
    "escalate": services.appeal_escalate,
    "approve": services.appeal_approve,
    "reject": services.appeal_reject,
    "reject_escalated": services.appeal_reject,
}
DECISIONS = {"approve", "reject", "reject_escalated"}
TRANSITION_LABELS = {
    "claim": _("Start review"),
    "request_info": _("Request more information"),
    "escalate": _("Escalate to a supervisor"),
    "approve": _("Approve and release"),
    "reject": _("Reject"),
    "reject_escalated": _("Reject"),
}


class QueueFilter(admin.SimpleListFilter):
    """Open appeals by default: the queue is what still needs a decision."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("mine", _("Assigned to me")), ("unassigned", _("Unassigned")),
                ("overdue", _("Overdue")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "all" or request.GET.get("state__exact"):
            return queryset
        queryset = queryset.filter(state__in=OPEN_STATES)
        if value == "mine":
            return queryset.filter(assignee=request.user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if value == "overdue":
            return queryset.filter(due_at__lt=timezone.now())
        return queryset


class AppealEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppealEvent
    fields = ("created_at", "actor", "transition", "from_state", "to_state", "note", "customer_message")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Transition log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Appeal)
class AppealAdmin(FSMAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = {
        "reject": admin_forms.RejectForm,
        "reject_escalated": admin_forms.RejectForm,
        "request_info": admin_forms.RequestInfoForm,
        "escalate": admin_forms.EscalateForm,
    }
    change_list_template = "admin/appeals/appeal/change_list.html"
    list_display = ("reference", "customer_display", "frozen_amount", "freeze_reason", "risk_level", "state",
                    "assignee", "age", "due")
    list_filter = (QueueFilter, "state", "risk_level", ("freeze__reason", admin.ChoicesFieldListFilter),
                   ("freeze__refund__order__platform", admin.ChoicesFieldListFilter))
    list_select_related = ("customer", "freeze", "assignee")
    list_per_page = 100
    show_full_result_count = False
    ordering = ("due_at", "pk")
    search_fields = ("=reference", "=claimed_order_number", "=freeze__refund__order__number",
                     "=claimed_tracking_number", "=freeze__refund__tracking_number", "=customer__username",
                     "=customer__phone")
    fieldsets = (
        (None, {"fields": ("reference", "state", "customer_contact", "assignee", "due", "description")}),
        (_("Record and claims"), {"fields": ("facts",)}),
        (_("Screenshots"), {"fields": ("evidence_thumbnails", "checks")}),
        (_("Risk"), {"fields": ("risk",)}),
        (_("Customer history"), {"fields": ("history",)}),
    )
    readonly_fields = ("reference", "state", "customer_contact", "assignee", "due", "description", "facts",
                       "evidence_thumbnails", "checks", "risk", "history")
    inlines = [AppealEventInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    # Columns and panels

    @admin.display(description=_("customer"), ordering="customer__username")
    def customer_display(self, obj):
        return f"{obj.customer.get_username()} {obj.customer.masked_phone}"

    @admin.display(description=_("customer"))
    def customer_contact(self, obj):
        return f"{obj.customer.get_username()} {obj.customer.phone}"

    @admin.display(description=_("frozen amount"), ordering="freeze__amount")
    def frozen_amount(self, obj):
        return obj.freeze.amount

    @admin.display(description=_("freeze reason"))
    def freeze_reason(self, obj):
        return obj.freeze.get_reason_display()

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj):
        hours = int((timezone.now() - obj.created_at).total_seconds() // 3600)
        return f"{hours // 24}d {hours % 24}h"

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj):
        if obj.due_at is None:
            return "—"
        text = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        if obj.is_overdue:
            return format_html('<span class="overdue">{} ({})</span>', text, _("overdue"))
        return text

    @admin.display(description=_("record and claims"))
    def facts(self, obj):
        return admin_panels.facts_panel(obj)

    @admin.display(description=_("screenshots"))
    def evidence_thumbnails(self, obj):
        return admin_panels.evidence_panel(obj)

    @admin.display(description=_("checks against the record"))
    def checks(self, obj):
        return admin_panels.checks_panel(obj)

    @admin.display(description=_("risk"))
    def risk(self, obj):
        return admin_panels.risk_panel(obj)

    @admin.display(description=_("history"))
    def history(self, obj):
        return admin_panels.history_panel(obj)

    # Access: staff with the view permission open the page; only transitions change it.

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "customer", "assignee", "freeze__account", "freeze__refund__order"
        ).prefetch_related("evidence")

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False, "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

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
        return transition.name in STAFF_TRANSITIONS

    def get_fsm_label(self, transition):
        return TRANSITION_LABELS[transition.name]

    def get_fsm_block_label(self, fsm_field_name):
        return _("Decision")

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
        except (OperationalError, InterfaceError):  # the service's transaction was rolled back
            logging.getLogger(__name__).exception("appeal %s: %s failed on the database", obj.pk, transition_name)
            self.message_user(request, _("The database connection was lost; nothing was changed. Please try again."),
                              messages.ERROR)
            return False
        detail = getattr(result, "message", "")
        self.message_user(request, f"{obj.reference}: {TRANSITION_LABELS[transition_name]} ✓ {detail}",
                          messages.SUCCESS)
        request.appeal_decided = transition_name in DECISIONS
        return True

    def _next_after_decision(self, request, response):
        if not getattr(request, "appeal_decided", False):
            return response
        mine = Appeal.objects.filter(assignee=request.user, state=State.IN_REVIEW).order_by("due_at", "pk").first()
        if mine:
            return redirect("admin:appeals_appeal_change", mine.pk)
        return redirect("admin:appeals_appeal_changelist")

    def response_change(self, request, obj):
        return self._next_after_decision(request, super().response_change(request, obj))

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        return self._next_after_decision(request, super().fsm_transition_view(request, object_id, transition_name,
                                                                             **kwargs))

    # Extra pages

    def get_urls(self):
        return [
            path("take-next/", self.admin_site.admin_view(require_POST(self.take_next_view)),
                 name="appeals_appeal_take_next"),
            path("dashboard/", self.admin_site.admin_view(dashboard_view), name="appeals_dashboard"),
            path("evidence/<int:pk>/annotated/", self.admin_site.admin_view(self.annotated_evidence_view),
                 name="appeals_evidence_annotated"),
            path("dashboard/decisions.csv", self.admin_site.admin_view(decisions_csv_view),
                 name="appeals_decisions_csv"),
            *super().get_urls(),
        ]

    def annotated_evidence_view(self, request, pk):
        """The full-size screenshot with the boxes of the text read; ?line=N highlights one."""
        evidence = get_object_or_404(Evidence.objects.select_related("appeal"), pk=pk,
                                     status=Evidence.Status.READY)
        if not self.has_view_permission(request, evidence.appeal):
            raise PermissionDenied
        line = int(request.GET.get("line", -1)) if request.GET.get("line", "").lstrip("-").isdigit() else -1
        boxes = [{"points": " ".join(f"{x},{y}" for x, y in item["box"]), "text": item["text"],
                  "highlight": index == line} for index, item in enumerate(evidence.ocr_lines)]
        return TemplateResponse(request, "admin/appeals/evidence_annotated.html", {
            **self.admin_site.each_context(request), "title": evidence, "evidence": evidence, "boxes": boxes,
            "image_url": reverse("evidence-image", args=[evidence.appeal.reference, evidence.pk]),
        })

    def take_next_view(self, request):
        if not (request.user.is_agent or request.user.is_supervisor):
            self.message_user(request, _("Only agents and supervisors take appeals."), messages.ERROR)
            return redirect("admin:appeals_appeal_changelist")
        appeal = services.appeal_take_next(actor=request.user)
        if appeal is None:
            self.message_user(request, _("No unassigned appeal is waiting."), messages.INFO)
            return redirect("admin:appeals_appeal_changelist")
        return redirect("admin:appeals_appeal_change", appeal.pk)


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


class VerdictInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = AuditVerdict
    fields = ("verdict", "supervisor", "note", "created_at")
    readonly_fields = fields
    extra = 0


class HasVerdictFilter(admin.SimpleListFilter):
    title = _("verdict")
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [("none", _("Waiting")), *AuditVerdict.Verdict.choices]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(verdict__isnull=True)
        if self.value():
            return queryset.filter(verdict__verdict=self.value())
        return queryset


@admin.register(AuditSample)
class AuditSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/appeals/auditsample/change_form.html"
    list_display = ("decided_on", "appeal", "decided_by", "decision", "reason", "verdict_display")
    list_filter = (HasVerdictFilter, "reason", "decided_on")
    list_select_related = ("appeal", "decided_by", "event", "verdict")
    search_fields = ("=appeal__reference",)
    readonly_fields = ("appeal_link", "decided_by", "decided_on", "decision", "reason", "decision_note")
    fields = readonly_fields
    inlines = [VerdictInline]

    @admin.display(description=_("decision"))
    def decision(self, obj):
        return f"{obj.event.transition} → {obj.event.get_to_state_display()}"

    @admin.display(description=_("verdict"))
    def verdict_display(self, obj):
        verdict = getattr(obj, "verdict", None)
        return verdict.get_verdict_display() if verdict else _("Waiting")

    @admin.display(description=_("appeal"))
    def appeal_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:appeals_appeal_change", args=[obj.appeal_id]),
                           obj.appeal.reference)

    @admin.display(description=_("note and message"))
    def decision_note(self, obj):
        return " / ".join(part for part in (obj.event.note, obj.event.customer_message) if part) or "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sample = self.get_object(request, object_id)
        if not self.has_view_permission(request, sample):
            raise PermissionDenied
        if request.method == "POST" and sample is not None:
            form = admin_forms.VerdictForm(request.POST)
            if form.is_valid():
                try:
                    services.audit_record_verdict(sample_id=sample.pk, supervisor=request.user,
                                                  **form.cleaned_data)
                except AppealError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(request, _("Verdict recorded."), messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        else:
            form = admin_forms.VerdictForm()
        waiting = sample is not None and not hasattr(sample, "verdict")
        may_judge = waiting and request.user.is_supervisor and sample.decided_by_id != request.user.pk
        extra_context = {**(extra_context or {}), "verdict_form": form if may_judge else None}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditVerdict)
class AuditVerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "sample", "supervisor", "verdict", "note")
    list_filter = ("verdict", ("created_at", admin.DateFieldListFilter), "supervisor")
    list_select_related = ("sample__appeal", "supervisor")


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


