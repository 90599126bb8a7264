from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Freeze

from .. import access_log, selectors
from ..errors import AppealError
from ..evidence import crosscheck
from ..models import OPEN_STATES, Evidence, EvidenceAccess, Notification, State
from ..workflow import submit
from .forms import AppealForm, ResubmitForm


def _canonical_description(freeze: Freeze) -> str:
    number = freeze.refund.order.number if freeze.refund else ""
    return _(
        "My order No. %(number)s has been returned; the system shows %(amount)s yuan frozen; please help release it."
    ) % {"number": number, "amount": freeze.amount}


@login_required
def appeal_create(request, freeze_id: int):
    freeze = get_object_or_404(Freeze.objects.select_related("refund__order"), pk=freeze_id,
                               account__customer=request.user)
    open_appeal = freeze.appeals.filter(state__in=OPEN_STATES).first()
    if open_appeal:
        messages.info(request, _("You already have an open appeal for this frozen amount."))
        return redirect("appeal-detail", reference=open_appeal.reference)
    if not freeze.is_active:
        messages.info(request, _("This amount is no longer frozen; there is nothing to appeal."))
        return redirect("credit-detail")
    refund_required = freeze.refund_id is not None
    logistics_on_file = refund_required and Evidence.Kind.LOGISTICS not in selectors.required_evidence(freeze.refund)
    initial = {
        "order_number": freeze.refund.order.number if freeze.refund else "",
        "tracking_number": freeze.refund.tracking_number if freeze.refund else "",
        "amount": freeze.amount,
        "description": _canonical_description(freeze),
    }
    form = AppealForm(request.POST or None, request.FILES or None, initial=initial, refund_required=refund_required,
                      logistics_on_file=logistics_on_file)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = submit.appeal_submit(
                customer=request.user, freeze_id=freeze.pk, order_number=form.cleaned_data["order_number"],
                tracking_number=form.cleaned_data["tracking_number"], description=form.cleaned_data["description"],
                amount=form.cleaned_data["amount"], files=form.cleaned_data["files"],
            )
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Appeal %(ref)s filed. We will notify you of every step.")
                             % {"ref": appeal.reference})
            return redirect("appeal-detail", reference=appeal.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "appeals/appeal_form.html", {"form": form, "freeze": freeze,
                                                        "logistics_on_file": logistics_on_file}, status=status)


@login_required
def appeal_list(request):
    return render(request, "appeals/appeal_list.html", {"appeals": selectors.customer_appeals(request.user)})


def _detail_page(request, appeal, resubmit_form=None, status=200):
    is_owner = appeal.customer_id == request.user.pk
    if resubmit_form is None and is_owner and appeal.state == State.INFO_REQUESTED:
        resubmit_form = ResubmitForm(existing_files=appeal.evidence.count())
    return render(request, "appeals/appeal_detail.html", {
        "appeal": appeal,
        "evidence": appeal.evidence.all(),
        "timeline": selectors.customer_timeline(appeal),
        "resubmit_form": resubmit_form,
        "can_withdraw": is_owner and appeal.is_open,
        "unconfirmed": crosscheck.unconfirmed(appeal.evidence_checks) if appeal.is_open else [],
    }, status=status)


@login_required
def appeal_detail(request, reference: str):
    return _detail_page(request, selectors.appeal_for_viewer(request.user, reference))


@login_required
@require_POST
def appeal_resubmit(request, reference: str):
    appeal = selectors.appeal_for_viewer(request.user, reference)
    form = ResubmitForm(request.POST, request.FILES, existing_files=appeal.evidence.count())
    if form.is_valid():
        try:
            submit.appeal_resubmit(appeal_id=appeal.pk, actor=request.user,
                                     message=form.cleaned_data["message"], files=form.cleaned_data["files"])
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you. Your appeal is back with the agent."))
            return redirect("appeal-detail", reference=appeal.reference)
    return _detail_page(request, appeal, resubmit_form=form, status=400)


@login_required
@require_POST
def appeal_withdraw(request, reference: str):
    appeal = selectors.appeal_for_viewer(request.user, reference)
    try:
        submit.appeal_withdraw(appeal_id=appeal.pk, actor=request.user)
    except AppealError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You withdrew appeal %(ref)s.") % {"ref": appeal.reference})
    return redirect("appeal-detail", reference=appeal.reference)


@login_required
def evidence_file(request, reference: str, pk: int, variant: str):
    """Serve a cleaned screenshot to its owner, an agent or a supervisor; never the raw upload."""
    evidence = selectors.evidence_for_viewer(request.user, reference, pk)
    stored = evidence.thumbnail if variant == "thumb" else evidence.image
    if evidence.status != Evidence.Status.READY or not stored:
        raise Http404
    if evidence.appeal.customer_id != request.user.pk:  # staff: logged (the owner looking at their own is not)
        what = EvidenceAccess.What.THUMBNAIL if variant == "thumb" else EvidenceAccess.What.IMAGE
        access_log.access_record(request=request, appeal=evidence.appeal, evidence=evidence, what=what)
    response = FileResponse(stored.open("rb"), content_type="image/jpeg", as_attachment=False,
                            filename=f"{evidence.appeal.reference}-{evidence.pk}-{variant}.jpg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def appeal_history_export(request):
    """The customer's own appeals with their timelines, as a JSON file to keep."""
    appeals = selectors.customer_appeals(request.user).prefetch_related("events", "evidence")
    data = {
        "customer": request.user.get_username(),
        "exported_at": timezone.localtime().isoformat(),
        "appeals": [{
            "reference": appeal.reference,
            "state": appeal.state,
            "frozen_amount": str(appeal.freeze.amount),
            "submitted_at": timezone.localtime(appeal.created_at).isoformat(),
            "decided_at": timezone.localtime(appeal.decided_at).isoformat() if appeal.decided_at else None,
            "order_number": appeal.claimed_order_number,
            "description": appeal.description,
            "screenshots": [{"kind": item.kind, "status": item.status} for item in appeal.evidence.all()],
            "timeline": [{"at": timezone.localtime(when).isoformat(), "what": str(line)}
                         for when, line in selectors.customer_timeline(appeal)],
            "evidence_viewed_by_staff": access_log.staff_views(appeal),
        } for appeal in appeals],
    }
    access_log.access_record(request=request, what=EvidenceAccess.What.HISTORY_JSON)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-appeals.json"'
    return response


@login_required
def notification_list(request):
    notifications = list(Notification.objects.filter(user=request.user).select_related("appeal")[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "appeals/notification_list.html", {"notifications": notifications})


def help_page(request):
    return render(request, "appeals/help.html")
