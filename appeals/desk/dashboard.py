"""Supervisors' dashboard and the CSV export of decisions (admin pages, supervisors only)."""

import csv
from datetime import datetime, time, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts import roles

from .. import access_log
from ..models import AppealEvent, EvidenceAccess, ReviewEvent
from . import stats


def _require_supervisor(request):
    if not roles.may_oversee(request.user):
        raise PermissionDenied


def dashboard_view(request):
    _require_supervisor(request)
    numbers = stats.dashboard()
    today = timezone.localdate()
    return TemplateResponse(request, "admin/appeals/dashboard.html", {
        **admin.site.each_context(request),
        "title": _("Review desk dashboard"),
        "numbers": numbers,
        "chart": stats.bar_chart(numbers["per_day"]),
        "export_start": today - timedelta(days=29),
        "export_end": today,
    })


EXPORT_HEADER = ["reference", "decided_at", "decided_by", "outcome", "reject_reason", "amount", "freeze_reason",
                 "risk_level", "submitted_at", "due_at", "sla_breached", "decision", "proposed_by", "appeal"]


def _at(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _decision_row(event: AppealEvent) -> list:
    """An appeal's decision or an overturn of one; the reject reason is the event's own."""
    appeal = event.appeal
    confirmed = event.transition == "confirm_approval" and appeal.proposed_by
    proposer = appeal.proposed_by.get_username() if confirmed else ""
    return [appeal.reference, _at(event.created_at), stats.decider_name(event), event.to_state, event.reject_reason,
            appeal.freeze.amount, appeal.freeze.reason, appeal.risk_level, _at(appeal.created_at), _at(appeal.due_at),
            bool(appeal.due_at and event.created_at > appeal.due_at), event.transition, proposer, appeal.reference]


def _review_row(event: ReviewEvent) -> list:
    """A review's answer (复核): upheld or overturned, on its own clock."""
    review = event.review
    proposer = review.proposed_by.get_username() if event.action == "confirm_overturn" and review.proposed_by else ""
    return [review.reference, _at(event.created_at), stats.decider_name(event), event.to_state, "",
            review.freeze.amount, review.freeze.reason, "", _at(review.created_at), _at(review.due_at),
            event.created_at > review.due_at, f"review_{event.action}", proposer,
            review.appeal.reference if review.appeal else ""]


class _Echo:
    def write(self, value):
        return value


def decisions_csv_view(request):
    _require_supervisor(request)
    today = timezone.localdate()
    start = parse_date(request.GET.get("start", "")) or today - timedelta(days=29)
    end = parse_date(request.GET.get("end", "")) or today
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    end_at = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    writer = csv.writer(_Echo())
    access_log.access_record(request=request, what=EvidenceAccess.What.DECISIONS_CSV, detail=f"{start} – {end}")

    def rows():
        yield writer.writerow(EXPORT_HEADER)
        for event in stats.export_rows(start_at, end_at):
            yield writer.writerow(_review_row(event) if isinstance(event, ReviewEvent) else _decision_row(event))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decisions-{start}-{end}.csv"'
    return response
