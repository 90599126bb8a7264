"""The three roles are auth groups (created by a data migration)."""

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


def has_role(user, role: str) -> bool:
    return role in user_roles(user)
