"""The admin is the staff's review desk; staff sign in with a password and a TOTP code."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class DeskLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login, taking the user's only device when none was picked: staff have one
    TOTP device, so username, password and code go in one step instead of two."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("Code from the authenticator app")
        self.fields["otp_device"].label = _("Authenticator")
        self.fields["otp_token"].widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric"})

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                return devices[0]
        return device


class DeskAdminSite(OTPAdminSite):
    site_header = _("Appeal Desk")
    site_title = _("Appeal Desk")
    index_title = _("Review desk")
    login_template = "admin/desk_login.html"

    def __init__(self, name="admin"):
        super().__init__(name)

    @property
    def login_form(self):
        return DeskLoginForm if settings.STAFF_OTP_REQUIRED else AdminAuthenticationForm

    def has_permission(self, request):
        if settings.STAFF_OTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
