"""The external platform confirmed a refund: the credit side hands the freeze back to its timer
(accounts.services.returns), and an open appeal on it gets a line in its timeline, so the agent
and the customer see why the amount is coming back; an appeal whose clocks waited for this
confirmation starts them again."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import returns

from ..models import OPEN_STATES, Appeal, PauseReason
from ..notifications import notify_customer
from ..transitions import Transition
from . import clocks
from .steps import log_event


@transaction.atomic
def refund_synced(*, refund_id: str) -> returns.SyncResult:
    """Mark the platform's refund as synced; log it on the freeze's open appeal (once)."""
    result = returns.refund_mark_synced(refund_id=refund_id)
    if not result.changed or result.freeze is None:
        return result
    freeze = result.freeze
    message = (_("the amount is expected back on %(date)s.") % {"date": freeze.expected_release_on}
               if result.on_timer else _("an agent reviews the amount."))
    code, params = (("platform_synced_dated", {"date": str(freeze.expected_release_on)}) if result.on_timer
                    else ("platform_synced_review", {}))
    appeals = Appeal.objects.select_for_update().filter(freeze=freeze, state__in=OPEN_STATES).order_by("pk")
    for appeal in appeals:
        appeal.freeze = freeze
        if appeal.clock_pause_reason == PauseReason.PLATFORM and clocks.resume(appeal):
            Appeal.objects.filter(pk=appeal.pk).update(**{name: getattr(appeal, name) for name in clocks.CLOCK_FIELDS})
        log_event(appeal, Transition.PLATFORM_SYNCED, None, from_state=appeal.state, customer_message=message,
                  note=f"platform refund {refund_id} confirmed by the platform")
        notify_customer(appeal, code, **params)
    return result
