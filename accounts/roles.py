"""The three roles are auth groups (created by a data migration). Each question about a user's
role has one helper here; the User model exposes the same helpers as properties for templates."""

from django.utils.translation import gettext_lazy as _

CUSTOMER = "customer"
AGENT = "agent"
SUPERVISOR = "supervisor"

ROLE_LABELS = {CUSTOMER: _("Customer"), AGENT: _("Agent"), SUPERVISOR: _("Supervisor")}

STAFF_ROLES = {AGENT, SUPERVISOR}


def user_roles(user) -> set[str]:
    """Role names of a user, cached on the instance for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_cache"):
        user._role_cache = set(user.groups.values_list("name", flat=True))
    return user._role_cache


def is_customer(user) -> bool:
    return CUSTOMER in user_roles(user)


def is_agent(user) -> bool:
    return AGENT in user_roles(user)


def is_supervisor(user) -> bool:
    """May confirm four-eyes approvals, decide escalations and audit others' decisions."""
    return SUPERVISOR in user_roles(user)


def is_reviewer(user) -> bool:
    """Works appeals: an agent or a supervisor."""
    return bool(user_roles(user) & STAFF_ROLES)


def may_oversee(user) -> bool:
    """Sees the supervisors' pages (dashboard, exports): a supervisor, or a superuser."""
    return is_supervisor(user) or bool(user.is_authenticated and user.is_superuser)


def needs_second_factor(user) -> bool:
    """Staff (agents, supervisors, anyone with admin access) must be OTP-verified to read any data."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or is_reviewer(user))
