from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """The Django admin, served by our DeskAdminSite (two-factor for staff)."""

    default_site = "config.admin_site.DeskAdminSite"
