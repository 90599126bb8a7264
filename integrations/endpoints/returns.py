"""Refunds, their external platforms' confirmation, and the return parcels' logistics."""

from ninja import Router, Status

from accounts.models import Freeze
from accounts.money import to_money
from accounts.services import reports, returns
from appeals.workflow import sync

from .. import present
from ..schemas import DEMO_REFUND, LogisticsIn, LogisticsOut, RefundIn, RefundOut, SyncOut
from .common import LEDGER, LOGISTICS, POST_ERRORS, business_id

router = Router(tags=["returns"])


@router.post("/refunds", auth=LEDGER, response={201: RefundOut, **POST_ERRORS})
def refund_create(request, payload: RefundIn):
    """A refund, full or partial (by its amount against what is left of the order), held frozen under
    the risk rules; `platform_synced: false` while an external platform has not confirmed it."""
    refund = reports.refund_report(
        refund_id=payload.refund_id, order_number=payload.order_number, amount=to_money(payload.amount),
        returned_item_name=payload.returned_item_name, returned_item_sku=payload.returned_item_sku,
        return_address=payload.return_address, tracking_number=payload.tracking_number.replace(" ", "").upper(),
        platform_synced=payload.platform_synced, occurred_at=payload.occurred_at)
    freezes = list(Freeze.objects.filter(account_id=refund.order.account_id, created_at=refund.created_at)
                   .select_related("refund__order").order_by("pk"))
    return Status(201, {"refund_id": refund.platform_refund_id, "order_number": refund.order.number,
                 "amount": present.money(refund.amount), "kind": refund.kind, "risk_level": refund.risk_level,
                 "platform_synced": refund.platform_synced, "freezes": [present.freeze(f) for f in freezes]})


@router.post("/refunds/{refund_id}/synced", auth=LEDGER, response={200: SyncOut, **POST_ERRORS})
def refund_synced(request, refund_id: str = business_id("The platform's refund id", DEMO_REFUND)):
    """The external platform confirmed the refund: a freeze held only for it goes back to its timer
    (its date, or today if that has passed); an open appeal on it gets a timeline line."""
    result = sync.refund_synced(refund_id=refund_id)
    return {"refund_id": refund_id, "changed": result.changed,
            "freeze": present.freeze(result.freeze) if result.freeze else None}


@router.post("/logistics", auth=LOGISTICS, response={200: LogisticsOut, 201: LogisticsOut, **POST_ERRORS})
def logistics_create(request, payload: LogisticsIn):
    """One step of a return parcel (picked up, in transit, delivered to the merchant). With the
    parcel on record, the customer's appeal needs no logistics screenshot."""
    step, created = returns.logistics_record(refund_id=payload.refund_id, carrier=payload.carrier,
                                             tracking_number=payload.tracking_number, status=payload.status,
                                             occurred_at=payload.occurred_at)
    body = {"refund_id": payload.refund_id, "tracking_number": step.tracking_number, "status": step.status,
            "occurred_at": present.local(step.occurred_at), "recorded": created}
    return Status(201 if created else 200, body)
