"""The evidence access log (models.EvidenceAccess): every staff view of a customer's screenshot,
thumbnail or annotated page and every export is written here, who, when, from which address and
what, never the image itself. Customers read in their history download that staff looked (the
role and the time, not the name); supervisors read it all in the admin."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import roles

from .models import Appeal, EvidenceAccess


def _role(user) -> str:
    if user.is_superuser:
        return "superuser"
    if roles.is_supervisor(user):
        return roles.SUPERVISOR
    return roles.AGENT if roles.is_agent(user) else roles.CUSTOMER


def client_address(request) -> str | None:
    """REMOTE_ADDR: the project trusts no forwarding header for the client's address (behind a proxy,
    set the proxy to pass the client's address as the connection's, e.g. gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


def access_record(*, request, what: str, appeal: Appeal | None = None, evidence=None, detail: str = "") -> None:
    """One row per access, committed on its own (a read has no transaction of its own to join)."""
    with transaction.atomic():
        EvidenceAccess.objects.create(viewer=request.user, role=_role(request.user), what=what, appeal=appeal,
                                      evidence=evidence, detail=detail[:200], address=client_address(request))


def staff_views(appeal: Appeal) -> list[dict]:
    """What the customer is told: staff looked at the evidence of this appeal (role and time only)."""
    rows = (EvidenceAccess.objects.filter(appeal=appeal).exclude(viewer_id=appeal.customer_id)
            .order_by("created_at", "id").values_list("role", "what", "created_at"))
    return [{"role": role, "what": what, "at": timezone.localtime(at).isoformat()} for role, what, at in rows]


def access_log_purge(*, now=None) -> int:
    """Delete rows older than ACCESS_LOG_RETENTION_DAYS (never under 183: the database refuses younger
    deletes, accounts/immutable.py)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _by_model = EvidenceAccess.objects.filter(created_at__lt=cutoff).delete()
    return deleted
