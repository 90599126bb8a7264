"""Appeal errors with messages fit to show the person who acted; nothing was changed."""

from django.utils.translation import gettext_lazy as _


class AppealError(Exception):
    default_message = _("This action is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(AppealError):
    default_message = _("You are not allowed to do this on this appeal.")


class WrongState(AppealError):
    default_message = _("This action is not possible in the appeal's current state.")


class AlreadyDecided(WrongState):
    pass


class InvalidAppeal(AppealError):
    default_message = _("The appeal could not be filed.")
