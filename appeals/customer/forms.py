from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..evidence import images
from ..models import Evidence


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


# What the file pickers offer; the content decides in images.sniff. HEIC by extension too, as some
# browsers give it no type.
IMAGE_ACCEPT = {"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf,.pdf"}

# Form field → evidence kind; the first three are required for a refund freeze.
EVIDENCE_FIELDS = {
    "order_screenshot": Evidence.Kind.ORDER,
    "logistics_screenshot": Evidence.Kind.LOGISTICS,
    "refund_receipt": Evidence.Kind.REFUND_RECEIPT,
    "order_history": Evidence.Kind.ORDER_HISTORY,
    "platform_proof": Evidence.Kind.PLATFORM_PROOF,
    "other": Evidence.Kind.OTHER,
}


class EvidenceFormMixin:
    """Cheap, per-file checks in the request; the worker does the full decode."""

    existing_files = 0

    def _check_files(self, field_names):
        files = []
        for name in field_names:
            value = self.cleaned_data.get(name)
            for upload in value if isinstance(value, list) else [value] if value else []:
                try:
                    images.sniff(upload)
                except images.EvidenceRejected as exc:
                    self.add_error(name, f"{upload.name[:60]}: {exc.message}")
                files.append((EVIDENCE_FIELDS[name], upload))
        if self.existing_files + len(files) > settings.EVIDENCE_MAX_FILES:
            raise forms.ValidationError(
                _("At most %(max)d files per appeal.") % {"max": settings.EVIDENCE_MAX_FILES}
            )
        self.cleaned_data["files"] = files


class AppealForm(EvidenceFormMixin, forms.Form):
    order_number = forms.CharField(label=_("Order number"), max_length=32)
    tracking_number = forms.CharField(label=_("Return tracking number"), max_length=40, required=False)
    amount = forms.DecimalField(
        label=_("Frozen amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        error_messages={"invalid": _("Enter the amount in yuan, for example 599.00.")},
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    order_screenshot = forms.FileField(label=_("Order screenshot"), widget=forms.FileInput(attrs=IMAGE_ACCEPT))
    logistics_screenshot = forms.FileField(
        label=_("Return logistics screenshot (with tracking number)"), widget=forms.FileInput(attrs=IMAGE_ACCEPT)
    )
    refund_receipt = forms.FileField(label=_("Refund receipt"), widget=forms.FileInput(attrs=IMAGE_ACCEPT))
    order_history = forms.FileField(label=_("Order history"), required=False,
                                    widget=forms.FileInput(attrs=IMAGE_ACCEPT))
    platform_proof = forms.FileField(label=_("External platform refund proof"), required=False,
                                     widget=forms.FileInput(attrs=IMAGE_ACCEPT))
    other = MultipleImageField(label=_("Other screenshots"), required=False,
                               widget=MultipleFileInput(attrs=IMAGE_ACCEPT))

    def __init__(self, *args, refund_required: bool = True, logistics_on_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not refund_required:
            for name in ("order_screenshot", "logistics_screenshot", "refund_receipt"):
                self.fields[name].required = False
            self.fields["order_number"].required = False
        if logistics_on_file:  # we hold the carrier's record: not asked of the customer (Art. 13)
            self.fields["logistics_screenshot"].required = False
            self.fields["logistics_screenshot"].help_text = _(
                "Not needed: we already have the carrier's record of your return.")

    def clean(self):
        cleaned = super().clean()
        self._check_files(EVIDENCE_FIELDS)
        return cleaned


class ResubmitForm(EvidenceFormMixin, forms.Form):
    message = forms.CharField(label=_("Your reply"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("What the screenshots show"), choices=Evidence.Kind.choices,
                             initial=Evidence.Kind.OTHER)
    other = MultipleImageField(label=_("Screenshots"), required=False, widget=MultipleFileInput(attrs=IMAGE_ACCEPT))

    def __init__(self, *args, existing_files: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_files = existing_files

    def clean(self):
        cleaned = super().clean()
        self._check_files(["other"])
        kind = cleaned.get("kind", Evidence.Kind.OTHER)
        cleaned["files"] = [(kind, upload) for _kind, upload in cleaned["files"]]
        return cleaned


class ReviewRequestForm(EvidenceFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why the decision should be looked at again"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    other = MultipleImageField(label=_("New screenshots (optional)"), required=False,
                               widget=MultipleFileInput(attrs=IMAGE_ACCEPT))

    def __init__(self, *args, allow_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_files:  # an automatic decision has no appeal to hold screenshots: the reason is enough
            del self.fields["other"]

    def clean(self):
        cleaned = super().clean()
        self._check_files(["other"] if "other" in self.fields else [])
        return cleaned
