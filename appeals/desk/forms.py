"""Forms the admin asks for before a transition that needs input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditVerdict, RejectReason


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    message = forms.CharField(label=_("Message to the customer"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000)


class RequestInfoForm(forms.Form):
    message = forms.CharField(label=_("What the customer should add"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000)


class EscalateForm(forms.Form):
    note = forms.CharField(label=_("Why a supervisor should decide (internal)"),
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ProposeApprovalForm(forms.Form):
    note = forms.CharField(label=_("Why the appeal should be approved (for the confirming supervisor)"),
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReturnProposalForm(forms.Form):
    note = forms.CharField(label=_("Why the proposal goes back (internal)"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=AuditVerdict.Verdict.choices,
                                widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (required to overturn)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("verdict") == AuditVerdict.Verdict.OVERTURNED and not data.get("note", "").strip():
            self.add_error("note", _("Write why the decision is overturned."))
        return data


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        ("uphold", _("Uphold the decision")), ("overturn", _("Overturn it (release; restore a banned account)"))])
    message = forms.CharField(label=_("Answer to the customer (what was checked, why)"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Internal note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmOverturnForm(forms.Form):
    action = forms.ChoiceField(label=_("Four eyes"), widget=forms.RadioSelect, choices=[
        ("confirm", _("Confirm the overturn")), ("return", _("Send the proposal back"))])
    note = forms.CharField(label=_("Note (required to send back)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
