"""Supervisors' audit in the admin: the daily samples of decisions, each with its verdict form."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.admin import ReadOnlyAdminMixin

from ..errors import AppealError
from ..models import AuditSample, AuditVerdict
from ..workflow import audit
from . import forms


class VerdictInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = AuditVerdict
    fields = ("verdict", "supervisor", "note", "refrozen", "shortfall", "created_at")
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
        return f"{obj.event.get_transition_display()} → {obj.event.get_to_state_display()}"

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
            form = forms.VerdictForm(request.POST)
            if form.is_valid():
                try:
                    audit.audit_record_verdict(sample_id=sample.pk, supervisor=request.user,
                                                  **form.cleaned_data)
                except AppealError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(request, _("Verdict recorded."), messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        else:
            form = forms.VerdictForm()
        waiting = sample is not None and not hasattr(sample, "verdict")
        own = request.user.pk in (sample.decided_by_id, sample.appeal.proposed_by_id) if sample else False
        may_judge = waiting and roles.is_supervisor(request.user) and not own
        extra_context = {**(extra_context or {}), "verdict_form": form if may_judge else None}
        return super().change_view(request, object_id, form_url, extra_context)


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
