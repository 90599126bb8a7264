"""The customer's limit details (额度详情): the credit line, each freeze with its reason and date."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Freeze
from accounts.selectors import automatic_signals, credit_overview, freeze_hold_reasons

from ..selectors import open_appeal_reference
from . import reviews


@login_required
def home(request):
    """Staff land on the appeal queue (their work), customers on their limit details."""
    if request.user.is_staff:
        return redirect("admin:appeals_appeal_changelist")
    return redirect("credit-detail")


@login_required
def credit_detail(request):
    account, active, released = credit_overview(request.user, open_appeal=open_appeal_reference())
    return render(request, "customer/credit_detail.html",
                  {"account": account, "active_freezes": active, "released_freezes": released})


@login_required
def freeze_detail(request, pk: int):
    # Scoped to the viewer's own account: another customer's freeze is a 404, never a 403 that confirms it exists.
    freeze = get_object_or_404(
        Freeze.objects.select_related("refund__order", "account"), pk=pk, account__customer=request.user
    )
    return freeze_page(request, freeze)


def freeze_page(request, freeze, *, status=200, review_form=None):
    return render(request, "customer/freeze_detail.html", {
        "freeze": freeze, "hold_reasons": freeze_hold_reasons(freeze) if freeze.is_active else [],
        "automatic_signals": automatic_signals(freeze) if freeze.is_active else None,
        **reviews.review_box(freeze=freeze, form=review_form)}, status=status)


@login_required
@require_POST
def review_from_freeze(request, pk: int):
    """Ask a person to review a freeze the risk rules made by themselves (PIPL Art. 24)."""
    freeze = get_object_or_404(
        Freeze.objects.select_related("refund__order", "account"), pk=pk, account__customer=request.user
    )
    result = reviews.request_review(request, freeze=freeze)
    return result if isinstance(result, HttpResponse) else freeze_page(request, freeze, status=400,
                                                                          review_form=result)
