"""Canned replies (macros) for the desk's request-for-information and reject messages, kept by
supervisors in both languages, with placeholders the desk fills for the appeal at hand."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .appeal import RejectReason

# What a reply may say about the appeal it is used on (filled by appeals.desk.canned).
PLACEHOLDERS = ("order_number", "amount", "failing_check")
BRACED = re.compile(r"\{([^{}]*)\}")


class CannedReply(models.Model):
    class Use(models.TextChoices):
        REQUEST_INFO = "request_info", _("Request more information")
        REJECT = "reject", _("Reject")

    name = models.CharField(_("name"), max_length=80)
    use = models.CharField(_("used for"), max_length=20, choices=Use.choices)
    reject_reason = models.CharField(_("reject reason"), max_length=20, choices=RejectReason.choices, blank=True,
                                     help_text=_("For a reject reply: the reason it is chosen with."))
    text_zh = models.TextField(_("text (Simplified Chinese)"), help_text=_(
        "Placeholders: {order_number}, {amount}, {failing_check}."))
    text_en = models.TextField(_("text (English)"), help_text=_(
        "Placeholders: {order_number}, {amount}, {failing_check}."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["use", "name"]
        constraints = [models.UniqueConstraint(fields=["use", "name"], name="one_canned_reply_name_per_use")]

    def __str__(self):
        return self.name

    def clean(self):
        for field in ("text_zh", "text_en"):
            if set(BRACED.findall(getattr(self, field))) - set(PLACEHOLDERS):
                raise ValidationError({field: _("Use only the placeholders {order_number}, {amount} and "
                                                "{failing_check}.")})

    def text(self, language: str, values: dict) -> str:
        """The reply in "zh" or "en" with its placeholders filled (plain substitution: a text is never
        a format string)."""
        return BRACED.sub(lambda match: str(values.get(match.group(1), match.group(0))),
                          getattr(self, f"text_{language}"))
