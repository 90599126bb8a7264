"""A return after the refund: the external platform's confirmation (sync) and the carrier's
logistics events. Neither moves money; the sync hands a freeze held only for it back to its timer."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import announce, risk
from ..errors import TrackingMismatch, UnknownRefund
from ..freeze_dates import AUTO_RELEASE_REASONS
from ..models import Freeze, Refund, ReturnShipmentEvent, RiskLevel
from . import ledger


@dataclass(frozen=True)
class SyncResult:
    refund: Refund
    freeze: Freeze | None  # the refund's active freeze, if any
    changed: bool  # False: it was synced already, nothing changed
    on_timer: bool = False  # the freeze now waits only for its date (freeze.expected_release_on)


def refund_by_platform_id(refund_id: str) -> Refund:
    refund = Refund.objects.select_related("order").filter(platform_refund_id=refund_id).first()
    if refund is None:
        raise UnknownRefund()
    return refund


def _normal_waybill(number: str) -> str:
    return "".join(number.split()).upper()


@transaction.atomic
def refund_mark_synced(*, refund_id: str) -> SyncResult:
    """The external platform confirmed the refund. Its "not synced" finding is dropped; if that was
    all that held the freeze, the freeze goes back to its timer: on its promised date, or today
    when that date has passed (the next timer run releases it). A second call changes nothing."""
    found = refund_by_platform_id(refund_id)
    ledger.account_lock(found.order.account_id)
    refund = Refund.objects.select_for_update().select_related("order").get(pk=found.pk)
    freeze = Freeze.objects.select_for_update().filter(refund=refund, status=Freeze.Status.ACTIVE).first()
    if refund.platform_synced:
        return SyncResult(refund, freeze, False)
    refund.risk_rules = [rule for rule in refund.risk_rules if rule["code"] != "platform_not_synced"]
    refund.risk_level = risk.overall_level(refund.risk_rules)
    refund.platform_synced = True
    refund.save(update_fields=["platform_synced", "risk_rules", "risk_level"])
    on_timer = bool(freeze and freeze.reason in AUTO_RELEASE_REASONS and refund.risk_level != RiskLevel.HIGH
                    and freeze.expected_release_on)
    if on_timer and freeze.expected_release_on < timezone.localdate():
        freeze.expected_release_on = timezone.localdate()
        freeze.save(update_fields=["expected_release_on"])
    announce.refund_synced(freeze, refund)
    return SyncResult(refund, freeze, True, on_timer)


@transaction.atomic
def logistics_record(*, refund_id: str, carrier: str, tracking_number: str, status: str,
                     occurred_at: datetime) -> tuple[ReturnShipmentEvent, bool]:
    """Store one step of the return parcel's journey (once: a repeated report returns the stored
    step). A return recorded without a tracking number takes the carrier's."""
    found = refund_by_platform_id(refund_id)
    ledger.account_lock(found.order.account_id)
    refund = Refund.objects.select_for_update().get(pk=found.pk)
    number = _normal_waybill(tracking_number)
    if refund.tracking_number and _normal_waybill(refund.tracking_number) != number:
        raise TrackingMismatch()
    if not refund.tracking_number:
        refund.tracking_number = number
        refund.save(update_fields=["tracking_number"])
    return ReturnShipmentEvent.objects.get_or_create(
        refund=refund, tracking_number=number, status=status, occurred_at=occurred_at,
        defaults={"carrier": carrier})
