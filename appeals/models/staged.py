"""Files a customer chose on a form that came back with an error: kept (private storage) so the
customer does not choose them again, until the appeal or reply is sent or the file is a day old."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..evidence.storage import private_storage


class StagedUpload(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    field = models.CharField(_("form field"), max_length=32)
    original_name = models.CharField(_("file name"), max_length=120)
    file = models.FileField(_("file"), storage=private_storage, upload_to="staged/")
    created_at = models.DateTimeField(_("chosen at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("file kept for a form")
        verbose_name_plural = _("files kept for forms")

    def __str__(self):
        return self.original_name
