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
