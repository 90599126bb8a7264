"""The customer's side of a review (复核): ask for one from a rejected appeal or from a freeze the
risk rules made, and follow it on its own page. The pages show the offer only while it stands."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..errors import AppealError
from ..models import Review, ReviewEvent
from ..workflow import reviews
from .forms import ReviewRequestForm

# What the customer reads for each step of a review: no staff names, no internal notes.
REVIEW_LINES = {
    ReviewEvent.Action.REQUEST: gettext_lazy("You asked for a review: %(msg)s"),
    ReviewEvent.Action.UPHOLD: gettext_lazy("A supervisor reviewed the decision and kept it: %(msg)s"),
    ReviewEvent.Action.OVERTURN: gettext_lazy("A supervisor reviewed the decision and overturned it: %(msg)s"),
    ReviewEvent.Action.PROPOSE_OVERTURN: gettext_lazy("A supervisor recommends overturning the decision; a "
                                                      "second one confirms it."),
    ReviewEvent.Action.CONFIRM_OVERTURN: gettext_lazy("A second supervisor confirmed: the decision is overturned."),
    ReviewEvent.Action.RETURN_OVERTURN: gettext_lazy("The review continues."),
}


def review_box(*, appeal=None, freeze=None, form=None) -> dict:
    """What the appeal or freeze page shows about a review: the one asked, or the offer and its form."""
    existing = reviews.review_of(appeal=appeal, freeze=freeze)
    if existing:
        return {"review": existing}
    try:
        offer = reviews.reviewable(appeal=appeal, freeze=freeze)
    except AppealError:
        return {}
    action = (reverse("review-from-appeal", args=[appeal.reference]) if appeal
              else reverse("review-from-freeze", args=[freeze.pk]))
    return {"review_deadline": offer.deadline, "review_action": action, "review_url": "#review",
            "review_form": form or ReviewRequestForm(allow_files=appeal is not None)}


def request_review(request, *, appeal=None, freeze=None):
    """Handle the review form's POST: a redirect to the new review, or the form with its errors."""
    form = ReviewRequestForm(request.POST, request.FILES, allow_files=appeal is not None)
    form.existing_files = appeal.evidence.count() if appeal else 0
    if form.is_valid():
        try:
            review = reviews.review_request(customer=request.user, reason=form.cleaned_data["reason"],
                                            files=form.cleaned_data["files"], appeal_id=appeal and appeal.pk,
                                            freeze_id=None if appeal else freeze.pk)
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Review %(ref)s requested.") % {"ref": review.reference})
            return redirect("review-detail", code=review.reference)
    return form


@login_required
def review_detail(request, code: str):
    review = get_object_or_404(Review.objects.select_related("appeal", "freeze"), reference=code,
                               customer=request.user)
    timeline = [(event.created_at, REVIEW_LINES[event.action] % {"msg": event.customer_message or "—"})
                for event in review.events.all()]
    return render(request, "appeals/review_detail.html", {"review": review, "timeline": timeline})
