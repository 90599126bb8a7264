"""The review desk in the Django admin: the queue, the appeal page, audit, records, dashboard."""
