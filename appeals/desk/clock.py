"""The appeal's two clocks on the desk: a panel on the appeal page (due time, the complaint rules'
deadline, pauses, extensions) and the page where a supervisor extends the deadline, a second
supervisor approves a further extension, or an agent pauses the clocks for the external platform."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..errors import AppealError
from ..models import Appeal
from ..workflow import deadline


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def clocks_panel(appeal: Appeal) -> str:
    rows = [(_("Service level due"), _at(appeal.due_at) + (" · " + _("overdue") if appeal.is_overdue else "")),
            (_("Answer due under the complaint rules"), _at(appeal.regulatory_due_at)
             + (" · " + _("breached") if appeal.regulatory_breached or appeal.is_past_regulatory_deadline else ""))]
    if appeal.is_paused:
        rows.append((_("Clocks paused"), f"{appeal.get_clock_pause_reason_display()} · {_at(appeal.clock_paused_at)}"))
    for extension in appeal.extensions.select_related("requested_by", "approved_by"):
        state = (_("approved by %(who)s") % {"who": extension.approved_by.get_username()} if extension.is_approved
                 else _("waiting for a second supervisor"))
        rows.append((extension.get_step_display(), f"+{extension.days} · {extension.requested_by.get_username()} · "
                                                   f"{state} · {extension.reason}"))
    table = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
    link = ""
    if appeal.is_open:
        link = format_html('<p><a class="button" href="{}">{}</a></p>',
                           reverse("admin:appeals_appeal_clock", args=[appeal.pk]), _("Extend or pause the clocks"))
    return format_html('<table class="clocks">{}</table>{}', table, link)


class ClockForm(forms.Form):
    ACTIONS = [("extend", gettext_lazy("Extend the answer deadline (supervisor)")),
               ("approve", gettext_lazy("Approve the further extension another supervisor proposed")),
               ("platform", gettext_lazy("Pause the clocks: waiting for the external platform's confirmation"))]
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=ACTIONS, widget=forms.RadioSelect)
    text = forms.CharField(label=gettext_lazy("Reason or notice the customer reads"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def _run(action: str, appeal: Appeal, user, text: str):
    if action == "extend":
        return deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=user, reason=text)
    if action == "approve":
        return deadline.appeal_deadline_approve(appeal_id=appeal.pk, actor=user)
    return deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=user, message=text)


def clock_view(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.select_related("freeze__refund", "customer"), pk=pk)
    if not request.user.has_perm("appeals.view_appeal"):
        raise PermissionDenied
    form = ClockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _run(form.cleaned_data["action"], appeal, request.user, form.cleaned_data["text"])
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(ref)s: the clocks were updated.") % {"ref": appeal.reference})
            return redirect("admin:appeals_appeal_change", appeal.pk)
    return TemplateResponse(request, "admin/appeals/appeal/clock.html", {
        **admin.site.each_context(request), "title": _("Clocks of %(ref)s") % {"ref": appeal.reference},
        "appeal": appeal, "form": form, "panel": clocks_panel(appeal),
    }, status=400 if request.method == "POST" else 200)
