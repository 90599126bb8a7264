"""Records as the API shows them: amounts as two-decimal strings, business ids, no internal notes."""

from django.utils import timezone

from accounts.models import Bill, CreditAccount, Freeze


def money(value) -> str:
    return f"{value:.2f}"


def freeze(item: Freeze) -> dict:
    refund = item.refund
    return {"id": item.pk, "amount": money(item.amount), "reason": item.reason, "status": item.status,
            "expected_release_on": item.expected_release_on, "delayed": item.is_delayed,
            "refund_id": refund.platform_refund_id if refund else None,
            "order_number": refund.order.number if refund else None}


def credit(account: CreditAccount, freezes: list[Freeze] | None = None) -> dict:
    """The credit line with its active freezes (and the last 20 released ones), two queries at most."""
    if freezes is None:
        freezes = list(Freeze.objects.filter(account=account).select_related("refund__order")
                       .order_by("status", "-created_at")[:50])
    return {"customer": account.customer.external_id, "status": account.status, "limit": money(account.limit),
            "used": money(account.used), "frozen": money(account.frozen), "available": money(account.available),
            "freezes": [freeze(item) for item in freezes]}


def bill(item: Bill) -> dict:
    item.account.refresh_from_db(fields=["limit"])  # the streak rule may have cut it
    return {"customer": item.account.customer.external_id, "due_on": item.due_on, "amount": money(item.amount),
            "paid_on": item.paid_on, "overdue": item.is_overdue or item.declared_overdue_on is not None,
            "limit": money(item.account.limit)}


def local(value):
    return timezone.localtime(value) if value else None
