from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Freeze

from .. import access_log, selectors
from ..errors import AppealError
from ..evidence import crosscheck, staging
from ..models import OPEN_STATES, Evidence, EvidenceAccess, Notification, State
from ..notifications import notifications_mark_shown
from ..transitions import Transition
from ..workflow import clocks, submit
from . import reviews
from .forms import AppealForm, ResubmitForm


def _canonical_description(freeze: Freeze) -> str:
    number = freeze.refund.order.number if freeze.refund else ""
    return _(
        "My order No. %(number)s has been returned; the system shows %(amount)s yuan frozen; please help release it."
    ) % {"number": number, "amount": freeze.amount}


def _open_appeal_redirect(request, freeze: Freeze):
    """To the freeze's open appeal, if it has one: filed in the last few seconds, it is the same
    submission (a second tap or a resent form); else an earlier appeal still open."""
    appeal = freeze.appeals.filter(state__in=OPEN_STATES).first()
    if appeal is None:
        return None
    since = timezone.now() - timedelta(seconds=settings.APPEAL_REPEAT_WINDOW_SECONDS)
    if appeal.customer_id == request.user.pk and appeal.created_at >= since:
        messages.info(request, _("Appeal %(ref)s is already filed.") % {"ref": appeal.reference})
    else:
        messages.info(request, _("You already have an open appeal for this frozen amount."))
    return redirect("appeal-detail", reference=appeal.reference)


@login_required
def appeal_create(request, freeze_id: int):
    freeze = get_object_or_404(Freeze.objects.select_related("refund__order", "account"), pk=freeze_id,
                               account__customer=request.user)
    if request.method != "POST":  # a POST is checked by the service, under the account's lock
        opened = _open_appeal_redirect(request, freeze)
        if opened:
            return opened
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
    staged = staging.staged_for(request.user, request.POST.getlist("staged"))
    files = staging.with_staged(request.FILES, staged) if request.method == "POST" else None
    form = AppealForm(request.POST or None, files, initial=initial, refund_required=refund_required,
                      logistics_on_file=logistics_on_file)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = submit.appeal_submit(
                customer=request.user, freeze_id=freeze.pk, order_number=form.cleaned_data["order_number"],
                tracking_number=form.cleaned_data["tracking_number"], description=form.cleaned_data["description"],
                amount=form.cleaned_data["amount"], files=form.cleaned_data["files"],
            )
        except AppealError as exc:
            opened = _open_appeal_redirect(request, freeze)
            if opened:
                return opened
            form.add_error(None, exc.message)
        else:
            staging.discard(staged)
            messages.success(request, _("Appeal %(ref)s filed. We will notify you of every step.")
                             % {"ref": appeal.reference})
            return redirect("appeal-detail", reference=appeal.reference)
    kept = _keep_files(request, form, staged) if request.method == "POST" else []
    status = 400 if request.method == "POST" else 200
    due = clocks.appeal_due_at(reason=freeze.reason, submitted_at=timezone.now())
    return render(request, "appeals/appeal_form.html", {
        "form": form, "freeze": freeze, "kept": kept, "logistics_on_file": logistics_on_file, "appeal_due": due,
        "decided_after_release": bool(freeze.timer_date and freeze.timer_date <= timezone.localdate(due)),
    }, status=status)


def _keep_files(request, form, staged) -> list:
    """The form came back: keep the files of every field without an error for the next try, and
    name them under their fields."""
    kept = staging.keep(customer=request.user, files=request.FILES, staged=staged,
                        fields=set(form.fields) - set(form.errors))
    for row in kept:
        field = form.fields[row.field]
        field.kept = [*getattr(field, "kept", []), row.original_name]
    return kept


@login_required
def appeal_list(request):
    return render(request, "appeals/appeal_list.html", {"appeals": selectors.customer_appeals(request.user)})


def detail_page(request, appeal, resubmit_form=None, status=200, review_form=None, kept=()):
    is_owner = appeal.customer_id == request.user.pk
    if resubmit_form is None and is_owner and appeal.state == State.INFO_REQUESTED:
        resubmit_form = ResubmitForm(existing_files=appeal.evidence.count())
    # The messages about this appeal, shown to its customer (and so recorded as shown: Art. 21).
    notices = list(Notification.objects.filter(appeal=appeal, user=request.user)[:50]) if is_owner else []
    notifications_mark_shown(user=request.user, notification_ids=[note.pk for note in notices])
    return render(request, "appeals/appeal_detail.html", {
        "appeal": appeal,
        "evidence": appeal.evidence.all(),
        "timeline": selectors.customer_timeline(appeal),
        "notices": notices,
        "statement": selectors.statement_of_reasons(appeal),
        "resubmit_form": resubmit_form,
        "kept": kept,
        "question": appeal.events.filter(transition=Transition.REQUEST_INFO).order_by("-pk").first()
        if resubmit_form else None,
        "can_withdraw": is_owner and appeal.is_open,
        "unconfirmed": crosscheck.unconfirmed(appeal.evidence_checks) if appeal.is_open else [],
        **(reviews.review_box(appeal=appeal, form=review_form) if is_owner else {}),
    }, status=status)


@login_required
def appeal_detail(request, reference: str):
    return detail_page(request, selectors.appeal_for_viewer(request.user, reference))


@login_required
@require_POST
def appeal_resubmit(request, reference: str):
    appeal = selectors.appeal_for_viewer(request.user, reference)
    staged = staging.staged_for(request.user, request.POST.getlist("staged"))
    form = ResubmitForm(request.POST, staging.with_staged(request.FILES, staged),
                        existing_files=appeal.evidence.count())
    if form.is_valid():
        try:
            submit.appeal_resubmit(appeal_id=appeal.pk, actor=request.user,
                                     message=form.cleaned_data["message"], files=form.cleaned_data["files"])
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            staging.discard(staged)
            messages.success(request, _("Thank you. Your appeal is back with the agent."))
            return redirect("appeal-detail", reference=appeal.reference)
    return detail_page(request, appeal, resubmit_form=form, status=400, kept=_keep_files(request, form, staged))


@login_required
@require_http_methods(["GET", "POST"])
def appeal_withdraw(request, reference: str):
    """Withdrawing takes a second, deliberate step: a page that asks, whose confirm button is not
    where the filing or reply button was (a double tap must never withdraw what it just filed)."""
    appeal = selectors.appeal_for_viewer(request.user, reference)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        if not (appeal.customer_id == request.user.pk and appeal.is_open):
            return redirect("appeal-detail", reference=appeal.reference)
        return render(request, "appeals/withdraw_confirm.html", {"appeal": appeal})
    try:
        submit.appeal_withdraw(appeal_id=appeal.pk, actor=request.user)
    except AppealError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You withdrew appeal %(ref)s.") % {"ref": appeal.reference})
    return redirect("appeal-detail", reference=appeal.reference)


@login_required
@require_POST
def review_from_appeal(request, reference: str):
    appeal = selectors.appeal_for_viewer(request.user, reference)
    if appeal.customer_id != request.user.pk:
        raise Http404
    result = reviews.request_review(request, appeal=appeal)
    return result if isinstance(result, HttpResponse) else detail_page(request, appeal, status=400,
                                                                           review_form=result)


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
    notifications_mark_shown(user=request.user, notification_ids=[note.pk for note in notifications])
    return render(request, "appeals/notification_list.html", {"notifications": notifications})


def help_page(request):
    return render(request, "appeals/help.html")
