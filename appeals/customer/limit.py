"""The customer's limit details (额度详情): the credit line, each freeze with its reason and date."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Freeze
from accounts.selectors import automatic_signals, credit_overview, freeze_hold_reasons


@login_required
def home(request):
    """Staff work in the admin; customers land on their limit details."""
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("credit-detail")


@login_required
def credit_detail(request):
    account, active, released = credit_overview(request.user)
    return render(request, "customer/credit_detail.html",
                  {"account": account, "active_freezes": active, "released_freezes": released})


@login_required
def freeze_detail(request, pk: int):
    # Scoped to the viewer's own account: another customer's freeze is a 404, never a 403 that confirms it exists.
    freeze = get_object_or_404(
        Freeze.objects.select_related("refund__order", "account"), pk=pk, account__customer=request.user
    )
    return render(request, "customer/freeze_detail.html", {
        "freeze": freeze, "hold_reasons": freeze_hold_reasons(freeze) if freeze.is_active else [],
        "automatic_signals": automatic_signals(freeze) if freeze.is_active else None})
