from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..evidence import images
from ..models import Evidence


class FilePicker(forms.FileInput):
    """A file input with our own button and "no file chosen" in the page's language (the browser's
    own say "Choose File" whatever the page's language)."""

    template_name = "widgets/file_picker.html"


class MultipleFileInput(FilePicker):
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
    order_screenshot = forms.FileField(
        label=_("Order screenshot"), widget=FilePicker(attrs=IMAGE_ACCEPT),
        error_messages={"required": _("Add a screenshot of the order page, showing the order number and the amount.")},
    )
    logistics_screenshot = forms.FileField(
        label=_("Return logistics screenshot (with tracking number)"), widget=FilePicker(attrs=IMAGE_ACCEPT),
        error_messages={"required": _("Add a screenshot of the return's tracking page, showing the tracking number.")},
    )
    refund_receipt = forms.FileField(
        label=_("Refund receipt"), widget=FilePicker(attrs=IMAGE_ACCEPT),
        error_messages={"required": _("Add the refund receipt (a screenshot or a PDF), showing the refunded amount.")},
    )
    order_history = forms.FileField(label=_("Order history"), required=False,
                                    widget=FilePicker(attrs=IMAGE_ACCEPT))
    platform_proof = forms.FileField(label=_("External platform refund proof"), required=False,
                                     widget=FilePicker(attrs=IMAGE_ACCEPT))
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
    kind = forms.ChoiceField(label=_("What the screenshots show"), required=False,
                             choices=[("", _("Choose…")), *Evidence.Kind.choices])
    other = MultipleImageField(label=_("Screenshots"), required=False, widget=MultipleFileInput(attrs=IMAGE_ACCEPT))

    def __init__(self, *args, existing_files: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_files = existing_files

    def clean(self):
        cleaned = super().clean()
        self._check_files(["other"])
        if not cleaned["files"] and not cleaned.get("message", "").strip():
            raise forms.ValidationError(_("Write a reply or add a screenshot (or both), then send."))
        kind = cleaned.get("kind")
        if cleaned["files"] and not kind:
            self.add_error("kind", _("Tell us what the screenshots show, so the agent finds them."))
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
