"""One policy for staff: without a verified second factor (django-otp) a staff session reaches
nothing but the sign-in pages. Customers' pages, evidence files, the API docs and the admin alike
send an agent or supervisor who signed in with the password alone to the staff login."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from accounts import roles

# What a staff member without the second factor may still open: signing in and out, the language
# switch, the health checks. Everything else (static files are served before this) sends them away.
OPEN_VIEWS = {"login", "logout", "admin:login", "admin:logout", "set_language", "healthz", "readyz"}


class StaffSecondFactorMiddleware:
    """After django_otp's OTPMiddleware (which sets user.is_verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_OTP_REQUIRED or request.resolver_match.view_name in OPEN_VIEWS:
            return None
        user = request.user
        if roles.needs_second_factor(user) and not user.is_verified():
            return redirect_to_login(request.get_full_path(), "admin:login")
        return None
