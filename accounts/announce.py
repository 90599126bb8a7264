"""The credit line's events for other systems (events.types), written through the outbox in the
transaction of the change: the ledger and the policy call these right after they change a row."""

from events import outbox
from events.types import EventType

from .models import CreditAccount, Freeze


def _day(value) -> str | None:
    return value.isoformat() if value else None


def limit_changed(account: CreditAccount, *, old_limit, note: str = "") -> None:
    outbox.record(EventType.LIMIT_CHANGED, account_id=account.pk, data={
        "old_limit": str(old_limit), "new_limit": str(account.limit), "available": str(account.available),
        "note": note,
    })


def status_changed(account: CreditAccount, *, old_status: str, note: str = "") -> None:
    outbox.record(EventType.ACCOUNT_STATUS_CHANGED, account_id=account.pk, data={
        "old_status": old_status, "new_status": account.status, "note": note,
    })


def freeze_created(freeze: Freeze) -> None:
    refund = freeze.refund
    outbox.record(EventType.FREEZE_CREATED, account_id=freeze.account_id, data={
        "freeze_id": freeze.pk, "amount": str(freeze.amount), "reason": freeze.reason,
        "expected_release_on": _day(freeze.expected_release_on),
        "refund_id": refund.platform_refund_id if refund else None,
        "order_number": refund.order.number if refund else None,
    })


def freezes_released(freezes: list[Freeze]) -> None:
    outbox.record_many([
        (EventType.FREEZE_RELEASED, freeze.account_id, {
            "freeze_id": freeze.pk, "amount": str(freeze.amount), "source": freeze.release_source,
            "released_at": freeze.released_at.isoformat(),
        }) for freeze in freezes
    ])


def refund_synced(freeze: Freeze | None, refund) -> None:
    outbox.record(EventType.REFUND_SYNCED, account_id=refund.order.account_id, data={
        "refund_id": refund.platform_refund_id, "order_number": refund.order.number,
        "freeze_id": freeze.pk if freeze else None,
        "expected_release_on": _day(freeze.expected_release_on) if freeze else None,
    })


def account_restored(account: CreditAccount, *, released: list[Freeze], note: str = "") -> None:
    outbox.record(EventType.ACCOUNT_RESTORED, account_id=account.pk, data={
        "status": account.status, "released_freeze_ids": [freeze.pk for freeze in released],
        "available": str(account.available), "note": note,
    })
