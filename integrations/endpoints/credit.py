"""Customers, limits, purchases, repayments and bills, as the mall and the credit core report them."""

from ninja import Router, Status

from accounts.money import to_money
from accounts.services import bills, ledger, reports

from .. import present
from ..schemas import (
    DEMO_CUSTOMER,
    BillIn,
    BillOut,
    BillOverdueIn,
    BillPaidIn,
    CreditOut,
    CustomerIn,
    CustomerOut,
    LimitIn,
    OrderIn,
    OrderOut,
    RepaymentIn,
    RepaymentOut,
)
from .common import GET_ERRORS, LEDGER, POST_ERRORS, READ, business_id

router = Router(tags=["credit"])
CUSTOMER_ID = "The platform's customer id"


@router.post("/customers", auth=LEDGER, response={200: CustomerOut, 201: CustomerOut, **POST_ERRORS})
def customer_upsert(request, payload: CustomerIn):
    """Create the customer and open the credit line with `opening_limit` (201), or update phone and name (200)."""
    account, opened = reports.customer_upsert(external_id=payload.external_id, phone=payload.phone.replace(" ", ""),
                                              name=payload.name, opening_limit=payload.opening_limit)
    body = {"external_id": payload.external_id, "opened": opened, "credit": present.credit(account)}
    return Status(201 if opened else 200, body)


@router.post("/customers/{external_id}/limit", auth=LEDGER, response={200: CreditOut, **POST_ERRORS})
def limit_change(request, payload: LimitIn, external_id: str = business_id(CUSTOMER_ID, DEMO_CUSTOMER)):
    """Set a new limit; a cut never goes below what is used and frozen (limit_below_committed)."""
    account = reports.account_of(external_id)
    ledger.limit_change(account=account, new_limit=to_money(payload.limit), note=payload.note or "platform API")
    account.refresh_from_db()
    return present.credit(account)


@router.post("/orders", auth=LEDGER, response={201: OrderOut, **POST_ERRORS})
def order_create(request, payload: OrderIn):
    """A purchase on monthly pay (available → used); an order number already on file: already_recorded."""
    order = reports.order_report(
        external_id=payload.customer, number=payload.order_number, amount=to_money(payload.amount),
        item_name=payload.item_name, item_sku=payload.item_sku, delivery_address=payload.delivery_address,
        platform=payload.platform, occurred_at=payload.occurred_at)
    return Status(201, {"order_number": order.number, "amount": present.money(order.amount),
                 "available": present.money(order.account.available)})


@router.post("/repayments", auth=LEDGER, response={201: RepaymentOut, **POST_ERRORS})
def repayment_create(request, payload: RepaymentIn):
    """A repayment (used → available)."""
    account = reports.account_of(payload.customer)
    entry = ledger.account_repay(account=account, amount=to_money(payload.amount), note=payload.note)
    return Status(201, {"customer": payload.customer, "amount": present.money(entry.amount),
                 "available": present.money(entry.account.available)})


@router.post("/bills", auth=LEDGER, response={201: BillOut, **POST_ERRORS})
def bill_issue(request, payload: BillIn):
    """A monthly bill issued (or its amount corrected)."""
    bill = bills.bill_issue(account=reports.account_of(payload.customer), due_on=payload.due_on,
                            amount=to_money(payload.amount))
    return Status(201, present.bill(bill))


@router.post("/bills/paid", auth=LEDGER, response={200: BillOut, **POST_ERRORS})
def bill_paid(request, payload: BillPaidIn):
    bill = bills.bill_pay(account=reports.account_of(payload.customer), due_on=payload.due_on,
                          paid_on=payload.paid_on)
    return present.bill(bill)


@router.post("/bills/overdue", auth=LEDGER, response={200: BillOut, **POST_ERRORS})
def bill_overdue(request, payload: BillOverdueIn):
    """The bill was not paid by its day; enough overdue bills in a row cut the limit (the streak rule)."""
    bill = bills.bill_mark_overdue(account=reports.account_of(payload.customer), due_on=payload.due_on)
    return present.bill(bill)


@router.get("/customers/{external_id}/credit", auth=READ, response={200: CreditOut, **GET_ERRORS})
def credit_read(request, external_id: str = business_id(CUSTOMER_ID, DEMO_CUSTOMER)):
    """The customer's credit line: limit, used, frozen, available, and the freezes (active first)."""
    return present.credit(reports.account_of(external_id))
