"""The review desk lives in appeals.desk; importing its admin modules registers them with the site."""

from .desk import appeal_admin, audit_admin, canned_admin, records_admin, review_admin  # noqa: F401
