"""Supervisors' audit in the admin: the daily samples of decisions, each with its verdict form."""

import copy

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.admin import ReadOnlyAdminMixin

from ..errors import AppealError
from ..models import AuditSample, AuditVerdict
from ..workflow import audit
from . import forms, panels


class VerdictInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = AuditVerdict
    fields = ("verdict", "supervisor", "note", "refrozen", "shortfall", "created_at")
    readonly_fields = fields
    extra = 0


class HasVerdictFilter(admin.SimpleListFilter):
    """Waiting means waiting for *your* verdict: your own decisions wait for another supervisor."""

    title = _("verdict")
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [("none", _("Waiting for your verdict")), ("others", _("Your decisions, for another supervisor")),
                *AuditVerdict.Verdict.choices]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(verdict__isnull=True).exclude(audit.own_decisions(request.user))
        if self.value() == "others":
            return queryset.filter(audit.own_decisions(request.user), verdict__isnull=True)
        if self.value():
            return queryset.filter(verdict__verdict=self.value())
        return queryset


OWN_DECISION = _("You decided or proposed this decision; another supervisor audits it.")


@admin.register(AuditSample)
class AuditSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/appeals/auditsample/change_form.html"
    list_display = ("decided_on", "appeal", "decided_by", "decision", "reason", "verdict_display")
    list_filter = (HasVerdictFilter, "reason", "decided_on")
    list_select_related = ("appeal", "decided_by", "event", "verdict")
    search_fields = ("=appeal__reference",)
    fieldsets = (
        (None, {"fields": ("appeal_link", "decided_by", "decided_on", "decision", "reason", "decision_note")}),
        (_("Record and claims"), {"fields": ("facts",)}),
        (_("Screenshots and checks"), {"fields": ("evidence", "checks")}),
    )
    readonly_fields = ("appeal_link", "decided_by", "decided_on", "decision", "reason", "decision_note", "facts",
                       "evidence", "checks")
    inlines = [VerdictInline]

    def get_queryset(self, request):
        # Whether the sample is this supervisor's own decision: the verdict column says so.
        own = ExpressionWrapper(audit.own_decisions(request.user), output_field=BooleanField())
        return super().get_queryset(request).select_related(
            "appeal__freeze__account", "appeal__freeze__refund__order", "decided_by", "event").annotate(own=own)

    @admin.display(description=_("decision"))
    def decision(self, obj):
        text = f"{obj.event.get_transition_display()} → {obj.event.get_to_state_display()}"
        reason = obj.event.get_reject_reason_display()
        return f"{text} ({reason})" if reason else text

    @admin.display(description=_("verdict"))
    def verdict_display(self, obj):
        verdict = getattr(obj, "verdict", None)
        if verdict:
            return verdict.get_verdict_display()
        if obj.own:
            return _("Waiting for another supervisor (your decision)")
        return _("Waiting")

    @admin.display(description=_("appeal"))
    def appeal_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:appeals_appeal_change", args=[obj.appeal_id]),
                           obj.appeal.reference)

    @admin.display(description=_("note and message"))
    def decision_note(self, obj):
        return " / ".join(part for part in (obj.event.note, obj.event.customer_message) if part) or "—"

    @admin.display(description=_("record and claims"))
    def facts(self, obj):
        return panels.facts_panel(obj.appeal)

    @admin.display(description=_("screenshots"))
    def evidence(self, obj):
        return panels.evidence_panel(obj.appeal)

    @admin.display(description=_("checks against the record"))
    def checks(self, obj):
        return panels.checks_panel(obj.appeal)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sample = self.get_object(request, object_id)
        if not self.has_view_permission(request, sample):
            raise PermissionDenied
        form = forms.VerdictForm()
        if request.method == "POST" and sample is not None:
            form = forms.VerdictForm(request.POST)
            if form.is_valid() and self._record(request, sample, form):
                return self._next(request)
            request = copy.copy(request)
            request.method = "GET"  # shown again with the form and its errors: the admin's POST is a save
        waiting = sample is not None and not hasattr(sample, "verdict")
        own = sample is not None and audit.is_own_decision(sample, request.user)
        may_judge = waiting and roles.is_supervisor(request.user) and not own
        extra_context = {**(extra_context or {}), "verdict_form": form if may_judge else None,
                         "own_decision": OWN_DECISION if waiting and own else None,
                         "verdict_errors": form.non_field_errors() if not may_judge else None}
        return super().change_view(request, object_id, form_url, extra_context)

    def _record(self, request, sample, form) -> bool:
        try:
            audit.audit_record_verdict(sample_id=sample.pk, supervisor=request.user, **form.cleaned_data)
        except AppealError as exc:
            form.add_error(None, exc.message)
            return False
        self.message_user(request, _("Verdict recorded."), messages.SUCCESS)
        return True

    def _next(self, request):
        """On to the next decision waiting for this supervisor, or back to the list when none is left."""
        upcoming = audit.next_sample_for(request.user)
        if upcoming is None:
            self.message_user(request, _("No more decisions are waiting for your verdict."), messages.INFO)
            return HttpResponseRedirect(reverse("admin:appeals_auditsample_changelist") + "?verdict=none")
        return HttpResponseRedirect(reverse("admin:appeals_auditsample_change", args=[upcoming.pk]))


class ShortfallFilter(admin.SimpleListFilter):
    title = _("shortfall")
    parameter_name = "shortfall"

    def lookups(self, request, model_admin):
        return [("yes", _("Could not all be frozen again"))]

    def queryset(self, request, queryset):
        return queryset.filter(shortfall__gt=0) if self.value() == "yes" else queryset


@admin.register(AuditVerdict)
class AuditVerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "sample", "supervisor", "verdict", "note", "refrozen", "shortfall")
    list_filter = ("verdict", ("created_at", admin.DateFieldListFilter), "supervisor", ShortfallFilter)
    list_select_related = ("sample__appeal", "supervisor")
