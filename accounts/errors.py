"""Domain errors, each with a message fit to show the person who acted and a stable machine code
(the API returns it). Raising one means nothing was changed."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """The shared base of every refusal of the credit line and of the appeals."""

    code = "refused"
    default_message = _("The operation was refused.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class LedgerError(DomainError):
    """A money operation refused."""


class InvalidAmount(LedgerError):
    code = "invalid_amount"
    default_message = _("The amount must be a positive number of yuan with at most two decimal places.")


class InsufficientAvailable(LedgerError):
    code = "insufficient_available"
    default_message = _("The amount is more than the available limit.")


class ExceedsUsed(LedgerError):
    code = "exceeds_used"
    default_message = _("The amount is more than what is owed.")


class ExceedsFrozen(LedgerError):
    code = "exceeds_frozen"
    default_message = _("Cannot release more than is frozen.")


class RefundExceedsOrder(LedgerError):
    code = "refund_exceeds_order"
    default_message = _("The refund is more than what is left of the order.")


class LimitBelowCommitted(LedgerError):
    code = "limit_below_committed"
    default_message = _("The limit cannot go below what is used and frozen.")


class AccountNotActive(LedgerError):
    code = "account_not_active"
    default_message = _("This operation is not allowed while the account is restricted or banned.")


class AlreadyRecorded(DomainError):
    code = "already_recorded"
    default_message = _("This was already recorded (its business id is on file).")


class NotOnFile(DomainError):
    """The record the report refers to is not on file."""

    code = "not_found"
    default_message = _("No such record.")


class UnknownCustomer(NotOnFile):
    code = "unknown_customer"
    default_message = _("No customer with this platform id.")


class UnknownOrder(NotOnFile):
    code = "unknown_order"
    default_message = _("No order with this number.")


class UnknownRefund(NotOnFile):
    code = "unknown_refund"
    default_message = _("No refund with this platform refund id.")


class UnknownBill(NotOnFile):
    code = "unknown_bill"
    default_message = _("No bill of this customer is due on that day.")


class LimitRequired(DomainError):
    code = "limit_required"
    default_message = _("A new customer's credit line needs an opening limit.")


class TrackingMismatch(DomainError):
    code = "tracking_mismatch"
    default_message = _("The tracking number differs from the one recorded for this return.")


class BillAlreadyPaid(DomainError):
    code = "bill_already_paid"
    default_message = _("This bill is paid; it cannot become overdue.")
