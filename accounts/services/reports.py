"""What the platform reports, addressed by its own business ids: customers by their platform id,
orders by number, refunds by the platform's refund id. Each report calls the ledger or the policy
once; a business id already on file is refused (AlreadyRecorded), so a retried report without its
Idempotency-Key still cannot book anything twice."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from .. import roles
from ..errors import AlreadyRecorded, LimitRequired, UnknownCustomer, UnknownOrder
from ..models import CreditAccount, Order, Refund, User
from . import ledger, policy


def _once(book: Callable, already: Callable[[], bool]):
    """Run `book`, an atomic service (its own savepoint undoes it and leaves the caller's transaction
    usable); a unique business id already taken (by an earlier or a concurrent report of the same
    thing) becomes AlreadyRecorded instead of an integrity error."""
    try:
        return book()
    except IntegrityError:
        if already():
            raise AlreadyRecorded() from None
        raise


def account_of(external_id: str) -> CreditAccount:
    account = CreditAccount.objects.filter(customer__external_id=external_id).first()
    if account is None:
        raise UnknownCustomer()
    return account


@transaction.atomic
def customer_upsert(*, external_id: str, phone: str, name: str, opening_limit=None) -> tuple[CreditAccount, bool]:
    """Create the customer and open their credit line, or update their phone and name. Returns the
    account and whether it was opened now. The limit of an open line changes through limit_change."""
    user, created = User.objects.get_or_create(external_id=external_id, defaults={
        "username": f"p_{external_id}", "phone": phone, "first_name": name})
    if created:
        user.set_unusable_password()  # they sign in through the platform, not with a password here
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=roles.CUSTOMER))
    elif (user.phone, user.first_name) != (phone, name):
        User.objects.filter(pk=user.pk).update(phone=phone, first_name=name)
    account = CreditAccount.objects.filter(customer=user).first()
    if account is not None:
        return account, False
    if opening_limit is None:
        raise LimitRequired()
    return ledger.account_open(customer=user, limit=opening_limit), True


def order_report(*, external_id: str, number: str, occurred_at: datetime | None = None, **order) -> Order:
    """A purchase on monthly pay (available → used), once per order number."""
    account = account_of(external_id)
    return _once(lambda: ledger.order_purchase(account=account, number=number, occurred_at=occurred_at, **order),
                 lambda: Order.objects.filter(number=number).exists())


def refund_report(*, refund_id: str, order_number: str, **refund) -> Refund:
    """A refund of an order (held frozen under the risk rules), once per platform refund id."""
    order = Order.objects.filter(number=order_number).first()
    if order is None:
        raise UnknownOrder()
    return _once(lambda: policy.refund_record(order=order, platform_refund_id=refund_id, **refund),
                 lambda: Refund.objects.filter(platform_refund_id=refund_id).exists())
