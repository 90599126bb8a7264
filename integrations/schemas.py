"""Request and response bodies of the API. Amounts are strings with two decimals ("599.00"), never
JSON numbers; times carry their offset (ISO 8601); every text refuses control characters and
anything that is not valid Unicode, so nothing reaches the database that it would refuse."""

from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from accounts.models import Order, ReturnShipmentEvent


def _encodable(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("not valid Unicode text") from exc
    return text


def Text(max_length: int, min_length: int = 1):  # noqa: N802 - a type, used like one
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,
                                            pattern=r"^[^\x00-\x1f\x7f]*$"), AfterValidator(_encodable)]


def _plausible(moment: date) -> date:
    if not 2000 <= moment.year <= 2100:
        raise ValueError("a day between the years 2000 and 2100")
    return moment


When = Annotated[AwareDatetime, AfterValidator(_plausible), Field(description="ISO 8601 with its offset")]
Day = Annotated[date, AfterValidator(_plausible)]
BUSINESS_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
BusinessId = Annotated[str, StringConstraints(pattern=BUSINESS_ID)]
# The demo's customer (log in as `demo`) and the takeaway customer's food-delivery refund: the docs'
# examples work against `make run`'s demo data.
DEMO_CUSTOMER = "U13800138000"
DEMO_REFUND = "ELM-RF-20261110-0001"
CustomerId = Annotated[BusinessId, Field(examples=[DEMO_CUSTOMER])]
OrderNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}$")]  # the column's 32
Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$"),
                  Field(description="Yuan as a decimal string, at most two decimals, e.g. \"599.00\"",
                        examples=["599.00"])]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{0,19}$")]


class CustomerIn(Schema):
    external_id: CustomerId
    phone: Phone = ""
    name: Text(150, 0) = ""
    opening_limit: Money | None = Field(None, description="Required when the customer is new: the first limit.")


class LimitIn(Schema):
    limit: Money
    note: Text(200, 0) = ""


class OrderIn(Schema):
    order_number: OrderNumber
    customer: CustomerId
    amount: Money
    item_name: Text(200)
    item_sku: Text(64)
    delivery_address: Text(300)
    platform: Literal[tuple(Order.Platform.values)] = Order.Platform.MALL
    occurred_at: When | None = None


class RepaymentIn(Schema):
    customer: CustomerId
    amount: Money
    note: Text(200, 0) = ""


class RefundIn(Schema):
    refund_id: BusinessId
    order_number: OrderNumber
    amount: Money
    returned_item_name: Text(200)
    returned_item_sku: Text(64)
    return_address: Text(300)
    tracking_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]{0,40}$")] = ""
    platform_synced: bool = Field(True, description="False while the external platform has not confirmed it.")
    occurred_at: When | None = None


class LogisticsIn(Schema):
    refund_id: Annotated[BusinessId, Field(examples=[DEMO_REFUND])]
    carrier: Text(40)
    tracking_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$")]
    status: Literal[tuple(ReturnShipmentEvent.Status.values)]
    occurred_at: When


class BillIn(Schema):
    customer: CustomerId
    due_on: Day
    amount: Money


class BillPaidIn(Schema):
    customer: CustomerId
    due_on: Day
    paid_on: Day


class BillOverdueIn(Schema):
    customer: CustomerId
    due_on: Day


class FreezeOut(Schema):
    id: int
    amount: str
    reason: str
    status: str
    expected_release_on: date | None
    delayed: bool
    refund_id: str | None
    order_number: str | None


class CreditOut(Schema):
    customer: str
    status: str
    limit: str
    used: str
    frozen: str
    available: str
    freezes: list[FreezeOut]


class CustomerOut(Schema):
    external_id: str
    opened: bool
    credit: CreditOut


class OrderOut(Schema):
    order_number: str
    amount: str
    available: str


class RepaymentOut(Schema):
    customer: str
    amount: str
    available: str


class RefundOut(Schema):
    refund_id: str
    order_number: str
    amount: str
    kind: str
    risk_level: str
    platform_synced: bool
    freezes: list[FreezeOut]


class SyncOut(Schema):
    refund_id: str
    changed: bool
    freeze: FreezeOut | None


class LogisticsOut(Schema):
    refund_id: str
    tracking_number: str
    status: str
    occurred_at: AwareDatetime
    recorded: bool


class BillOut(Schema):
    customer: str
    due_on: date
    amount: str
    paid_on: date | None
    overdue: bool
    limit: str


class TimelineLine(Schema):
    at: AwareDatetime
    transition: str
    line: str


class AppealOut(Schema):
    reference: str
    state: str
    state_label: str
    freeze_id: int
    amount: str
    submitted_at: AwareDatetime
    decided_at: AwareDatetime | None
    timeline: list[TimelineLine]


class EventOut(Schema):
    id: str
    type: str
    position: int
    timestamp: AwareDatetime
    account_id: int | None
    customer: str | None
    data: dict


class FeedOut(Schema):
    events: list[EventOut]
    next: int = Field(description="Pass as ?after= to get the events that follow.")
