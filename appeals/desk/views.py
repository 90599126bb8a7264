"""The desk's own pages beside the admin's: take the next appeal, see a screenshot with its OCR
boxes. Both are wrapped by the admin site's login and second-factor check (see appeal_admin)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles

from .. import access_log
from ..models import Evidence, EvidenceAccess
from ..workflow import review
from . import workspace


@require_POST
def take_next(request):
    if not roles.is_reviewer(request.user):
        messages.error(request, _("Only agents and supervisors take appeals."))
        return redirect("admin:appeals_appeal_changelist")
    return open_next(request, resume=False)


def open_next(request, resume: bool = True):
    """After a decision or on "take next": the agent's next appeal (appeals.workflow.review.appeal_next_for),
    or the queue when none is waiting."""
    appeal = review.appeal_next_for(actor=request.user, resume=resume)
    if appeal is None:
        messages.info(request, _("No unassigned appeal is waiting."))
        return redirect("admin:appeals_appeal_changelist")
    return redirect("admin:appeals_appeal_change", appeal.pk)


def annotated_evidence(request, pk):
    """The full-size screenshot with the boxes of the text read; ?line=N highlights one."""
    evidence = get_object_or_404(Evidence.objects.select_related("appeal"), pk=pk, status=Evidence.Status.READY)
    if not request.user.has_perm("appeals.view_appeal"):
        raise PermissionDenied
    access_log.access_record(request=request, what=EvidenceAccess.What.ANNOTATED, appeal=evidence.appeal,
                             evidence=evidence)
    line = int(request.GET.get("line", -1)) if request.GET.get("line", "").lstrip("-").isdigit() else -1
    return TemplateResponse(request, "admin/appeals/evidence_annotated.html", {
        **admin.site.each_context(request), "title": evidence, "evidence": evidence,
        "boxes": workspace.ocr_boxes(evidence, highlight=line),
        "image_url": reverse("evidence-image", args=[evidence.appeal.reference, evidence.pk]),
    })
