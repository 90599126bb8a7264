"""The CSV export of decisions (supervisors only): in the reader's language, for Excel (a UTF-8 BOM),
every code written as its word; reference numbers and ISO times as they are."""

import csv
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import roles
from accounts.business_days import start_of

from .. import access_log
from ..models import AppealEvent, EvidenceAccess, ReviewEvent
from . import stats

BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it
HEADER = [gettext_lazy("Reference"), gettext_lazy("Decided at"), gettext_lazy("Decided by"),
          pgettext_lazy("decisions export", "Outcome"), gettext_lazy("Reject reason"), gettext_lazy("Frozen amount"),
          gettext_lazy("Freeze reason"), gettext_lazy("Risk level"), gettext_lazy("Submitted at"),
          gettext_lazy("Due at"), gettext_lazy("Past its due time"), gettext_lazy("Decision"),
          gettext_lazy("Approval proposed by"), gettext_lazy("Appeal")]


def require_supervisor(request):
    if not roles.may_oversee(request.user):
        raise PermissionDenied


def _at(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _decision_row(event: AppealEvent) -> list:
    """An appeal's decision or an overturn of one; the reject reason is the event's own."""
    appeal = event.appeal
    confirmed = event.transition == "confirm_approval" and appeal.proposed_by
    proposer = appeal.proposed_by.get_username() if confirmed else ""
    return [appeal.reference, _at(event.created_at), stats.decider_name(event), event.get_to_state_display(),
            event.get_reject_reason_display(), appeal.freeze.amount, appeal.freeze.get_reason_display(),
            appeal.get_risk_level_display(), _at(appeal.created_at), _at(appeal.due_at),
            _yes_no(appeal.due_at and event.created_at > appeal.due_at), event.get_transition_display(), proposer,
            appeal.reference]


def _review_row(event: ReviewEvent) -> list:
    """A review's answer (复核): upheld or overturned, on its own clock."""
    review = event.review
    proposer = review.proposed_by.get_username() if event.action == "confirm_overturn" and review.proposed_by else ""
    return [review.reference, _at(event.created_at), stats.decider_name(event), event.get_to_state_display(), "",
            review.freeze.amount, review.freeze.get_reason_display(), "", _at(review.created_at), _at(review.due_at),
            _yes_no(event.created_at > review.due_at), event.get_action_display(), proposer,
            review.appeal.reference if review.appeal else ""]


class _Echo:
    def write(self, value):
        return value


def decisions_csv_view(request):
    require_supervisor(request)
    today = timezone.localdate()
    start = parse_date(request.GET.get("start", "")) or today - timedelta(days=29)
    end = parse_date(request.GET.get("end", "")) or today
    start_at, end_at = start_of(start), start_of(end + timedelta(days=1))
    writer = csv.writer(_Echo())
    access_log.access_record(request=request, what=EvidenceAccess.What.DECISIONS_CSV, detail=f"{start} – {end}")
    language = translation.get_language()

    def rows():
        # Streamed after the view returned: the reader's language is kept for the whole file.
        with translation.override(language):
            yield BOM + writer.writerow([str(title) for title in HEADER])
            for event in stats.export_rows(start_at, end_at):
                yield writer.writerow(_review_row(event) if isinstance(event, ReviewEvent) else _decision_row(event))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decisions-{start}-{end}.csv"'
    return response
