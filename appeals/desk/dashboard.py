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
from ..models import EvidenceAccess
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
        yield writer.writerow(["reference", "decided_at", "decided_by", "outcome", "reject_reason", "amount",
                               "freeze_reason", "risk_level", "submitted_at", "due_at", "sla_breached"])
        for event in stats.decision_rows(start_at, end_at).iterator(chunk_size=500):
            appeal = event.appeal
            yield writer.writerow([
                appeal.reference, timezone.localtime(event.created_at).isoformat(), stats.decider_name(event),
                event.to_state, appeal.reject_reason, appeal.freeze.amount, appeal.freeze.reason,
                appeal.risk_level, timezone.localtime(appeal.created_at).isoformat(),
                timezone.localtime(appeal.due_at).isoformat() if appeal.due_at else "",
                bool(appeal.due_at and event.created_at > appeal.due_at),
            ])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decisions-{start}-{end}.csv"'
    return response
