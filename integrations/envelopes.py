"""What a consumer receives for an event, on a webhook and in the pull feed alike."""

from accounts.models import CreditAccount
from events.models import Event


def envelopes(events: list[Event]) -> list[dict]:
    """Each event as {id, type, position, timestamp, account_id, customer, data}; one query for the
    customers' platform ids, whatever the number of events."""
    account_ids = {event.account_id for event in events if event.account_id}
    customers = dict(CreditAccount.objects.filter(pk__in=account_ids).values_list("pk", "customer__external_id"))
    return [{
        "id": event.public_id, "type": event.type, "position": event.position,
        "timestamp": event.created_at.isoformat(), "account_id": event.account_id,
        "customer": customers.get(event.account_id), "data": event.data,
    } for event in events]
