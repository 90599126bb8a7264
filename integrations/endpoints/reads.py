"""Reads for the app's own screens and for consumers that poll: an appeal, the event feed."""

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from appeals.models import Appeal
from appeals.selectors import customer_timeline_events
from events.models import Event

from .. import present, webhooks
from ..envelopes import envelopes
from ..schemas import AppealOut, FeedOut
from .common import EVENTS, GET_ERRORS, READ

router = Router(tags=["reads"])


@router.get("/appeals/{reference}", auth=READ, response={200: AppealOut, **GET_ERRORS})
def appeal_read(request, reference: str = Path(..., pattern=r"^AP[0-9]{8}-[0-9A-Z]{4}$",
                                                examples=["AP20261127-7F3K"])):
    """An appeal's state and the customer's timeline (no agent names, no internal notes)."""
    appeal = get_object_or_404(Appeal.objects.select_related("freeze"), reference=reference)
    return {"reference": appeal.reference, "state": appeal.state, "state_label": appeal.get_state_display(),
            "freeze_id": appeal.freeze_id, "amount": present.money(appeal.freeze.amount),
            "submitted_at": present.local(appeal.created_at), "decided_at": present.local(appeal.decided_at),
            "timeline": [{"at": present.local(event.created_at), "transition": event.transition, "line": str(line)}
                         for event, line in customer_timeline_events(appeal)]}


@router.get("/events", auth=EVENTS, response={200: FeedOut, **GET_ERRORS})
def event_feed(request, after: int = Query(0, ge=0, le=2**62, description="The `next` of the previous page"),
               limit: int = Query(100, ge=1, le=500)):
    """Published events after the cursor, in order. Consumers dedupe by `id` (delivery is at least once)."""
    webhooks.publish_all()  # what committed since the last delivery run: the feed works without a worker
    events = list(Event.objects.filter(position__gt=after).order_by("position")[:limit])
    return {"events": envelopes(events), "next": events[-1].position if events else after}
