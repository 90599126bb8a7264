"""The queue's columns and the appeal page's read-only panels (appeals.desk.appeal_admin.AppealAdmin)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import clock, panels, workspace


class AppealColumns:
    """The queue's columns and the appeal page's read-only panels."""

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

    @admin.display(description=_("risk level"), ordering="risk_level")
    def risk_display(self, obj):
        return _("being assessed") if obj.is_risk_pending else obj.get_risk_level_display()

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj):
        if getattr(obj, "customer_replied", False):
            return format_html('{} <span class="replied">{}</span>', obj.get_state_display(), _("customer replied"))
        return obj.get_state_display()

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj):
        hours = int((timezone.now() - obj.created_at).total_seconds() // 3600)
        return f"{hours // 24}d {hours % 24}h"

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj):
        if obj.due_at is None:
            return "—"
        text = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        if obj.is_paused:
            return format_html('{} <span class="paused">({})</span>', text, obj.get_clock_pause_reason_display())
        if obj.is_overdue:
            return format_html('<span class="overdue">{} ({})</span>', text, _("overdue"))
        return text

    @admin.display(description=_("four eyes"))
    def proposal(self, obj):
        return panels.proposal_panel(obj)

    @admin.display(description=_("answer due (complaint rules)"), ordering="regulatory_due_at")
    def regulatory_due(self, obj):
        text = timezone.localtime(obj.regulatory_due_at).strftime("%Y-%m-%d") if obj.regulatory_due_at else "—"
        if obj.regulatory_breached or obj.is_past_regulatory_deadline:
            return format_html('<span class="overdue">{} ({})</span>', text, _("breached"))
        return text

    @admin.display(description=_("clocks"))
    def clocks(self, obj):
        return clock.clocks_panel(obj)

    @admin.display(description=_("record and claims"))
    def facts(self, obj):
        return panels.facts_panel(obj)

    @admin.display(description=_("screenshots"))
    def screenshots(self, obj):
        return workspace.viewer_panel(obj)

    @admin.display(description=_("carrier's record of the return"))
    def logistics(self, obj):
        return panels.logistics_panel(obj)

    @admin.display(description=_("checks against the record"))
    def checks(self, obj):
        return panels.checks_panel(obj)

    @admin.display(description=_("risk"))
    def risk(self, obj):
        return panels.risk_panel(obj)

    @admin.display(description=_("history"))
    def history(self, obj):
        return panels.history_panel(obj)
