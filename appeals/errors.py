"""Appeal errors with messages fit to show the person who acted; nothing was changed."""

from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError


class AppealError(DomainError):
    code = "appeal_refused"
    default_message = _("This action is not possible.")


class NotAllowed(AppealError):
    code = "not_allowed"
    default_message = _("You are not allowed to do this on this appeal.")


class WrongState(AppealError):
    code = "wrong_state"
    default_message = _("This action is not possible in the appeal's current state.")


class AlreadyDecided(WrongState):
    code = "already_decided"


class RiskPending(WrongState):
    code = "risk_pending"
    default_message = _("The risk of this appeal is still being assessed (its screenshots are being read). "
                        "Decide once it is done, usually within a minute.")


class InvalidAppeal(AppealError):
    code = "invalid_appeal"
    default_message = _("The appeal could not be filed.")
