"""The catalogue of events Appeal Desk tells other systems (README "Events out"). Names only: each
app records its own events through events.outbox.record, inside the transaction of the change."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    LIMIT_CHANGED = "limit.changed", _("Limit changed")
    ACCOUNT_STATUS_CHANGED = "account.status_changed", _("Account status changed")
    FREEZE_CREATED = "freeze.created", _("Freeze created")
    FREEZE_RELEASED = "freeze.released", _("Freeze released")
    REFUND_SYNCED = "refund.synced", _("External refund synced")
    APPEAL_SUBMITTED = "appeal.submitted", _("Appeal submitted")
    APPEAL_DECIDED = "appeal.decided", _("Appeal decided")
    APPEAL_OVERTURNED = "appeal.overturned", _("Appeal decision overturned on audit")
    # The hook for the customer's review (复核, complaint rules Art. 20): the review service records
    # it when a review is decided. No review service exists yet, so nothing records it today.
    REVIEW_DECIDED = "review.decided", _("Review decided")
