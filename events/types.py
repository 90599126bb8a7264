"""The catalogue of events Appeal Desk tells other systems (README "Events out"). Names only: each
app records its own events through events.outbox.record, inside the transaction of the change."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    LIMIT_CHANGED = "limit.changed", _("Limit changed")
    ACCOUNT_STATUS_CHANGED = "account.status_changed", _("Account status changed")
    ACCOUNT_RESTORED = "account.restored", _("Banned account restored")
    FREEZE_CREATED = "freeze.created", _("Freeze created")
    FREEZE_RELEASED = "freeze.released", _("Freeze released")
    REFUND_SYNCED = "refund.synced", _("External refund synced")
    APPEAL_SUBMITTED = "appeal.submitted", _("Appeal submitted")
    APPEAL_DECIDED = "appeal.decided", _("Appeal decided")
    APPEAL_OVERTURNED = "appeal.overturned", _("Appeal decision overturned (audit or review)")
    # The customer's review of a decision (复核, complaint rules Art. 20): appeals.workflow.reviews.
    REVIEW_REQUESTED = "review.requested", _("Review requested")
    REVIEW_DECIDED = "review.decided", _("Review decided")
