"""Domain errors of the credit line, each with a message fit to show the user."""

from django.utils.translation import gettext_lazy as _


class LedgerError(Exception):
    """A money operation refused; nothing was changed."""

    default_message = _("The operation was refused.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidAmount(LedgerError):
    default_message = _("The amount must be a positive number of yuan with at most two decimal places.")


class InsufficientAvailable(LedgerError):
    default_message = _("The amount is more than the available limit.")


class ExceedsUsed(LedgerError):
    default_message = _("The amount is more than what is owed.")


class ExceedsFrozen(LedgerError):
    default_message = _("Cannot release more than is frozen.")


class RefundExceedsOrder(LedgerError):
    default_message = _("The refund is more than what is left of the order.")


class LimitBelowCommitted(LedgerError):
    default_message = _("The limit cannot go below what is used and frozen.")


class AccountNotActive(LedgerError):
    default_message = _("This operation is not allowed while the account is restricted or banned.")
