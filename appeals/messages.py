"""What the desk tells customers, stored as a code and its parameters (Notification.code, params)
and rendered in the reader's language when the page shows it or the e-mail goes out, as risk
findings are: an agent working in English no longer sends a Chinese-speaking customer English.

Parameters are language-neutral: references, amounts, dates as text, the customer-facing message an
agent wrote; a reject reason is stored as its code and its label rendered at reading time."""

from django.utils.translation import gettext_lazy as _

from .models import RejectReason

NEXT_STEPS = _("If you disagree, contact our support at %(support)s or the consumer hotline %(hotline)s.")

MESSAGES = {
    "received": _("We received your appeal %(ref)s. An agent will review it."),
    "claimed": _("An agent is reviewing your appeal %(ref)s."),
    "info_requested": _("Your appeal %(ref)s needs more information: %(msg)s"),
    "escalated": _("Your appeal %(ref)s is being reviewed further."),
    "approved": _("Your appeal %(ref)s was approved: ¥%(amount)s is available again."),
    "approved_already_released": _("Your appeal %(ref)s was approved. The amount had already been released."),
    "approved_by_system": _("Your appeal %(ref)s was approved: your screenshots matched our records and "
                            "¥%(amount)s is available again."),
    "rejected": _("Your appeal %(ref)s was not approved: %(reason)s. %(msg)s"),
    "resolved": _("Your appeal %(ref)s is closed: ¥%(amount)s was released automatically."),
    "released": _("¥%(amount)s frozen after a refund is available again."),
    "overdue": _("Your appeal %(ref)s is taking longer than we promised. A supervisor is now handling it."),
    "regulatory_breach": _("Your appeal %(ref)s: we did not answer by %(date)s, the time the complaint rules "
                           "allow. A supervisor is now handling it. You may also call the consumer hotline "
                           "%(hotline)s."),
    "platform_synced_dated": _("Your appeal %(ref)s: the platform confirmed the refund; the amount is expected "
                               "back on %(date)s."),
    "platform_synced_review": _("Your appeal %(ref)s: the platform confirmed the refund; an agent reviews the "
                                "amount."),
    "platform_wait": _("Your appeal %(ref)s: we asked the platform where you bought to confirm the refund. "
                       "Until it answers, the time does not count toward our deadline. %(msg)s"),
    "deadline_extended": _("Your appeal %(ref)s: we extended our answer deadline to %(date)s. Why: %(msg)s"),
    "overturned_rejection": _("A supervisor re-checked appeal %(ref)s and approved it: ¥%(amount)s is available "
                              "again."),
    "overturned_approval": _("A supervisor re-checked appeal %(ref)s and could not confirm it."),
    # What an overturned approval did to the released amount (a part that follows it).
    "refrozen_all": _("¥%(amount)s of your limit is frozen again for a manual review."),
    "refrozen_part": _("Of the ¥%(released)s released, ¥%(amount)s is frozen again for a manual review; you had "
                       "already spent ¥%(spent)s, which stays as it is: a supervisor will contact you about it."),
    "refrozen_none": _("You had already spent the ¥%(released)s released, so nothing was frozen again; a "
                       "supervisor will contact you about it."),
    "closed_released_approved": _("Your appeal %(ref)s is closed: ¥%(amount)s is no longer frozen (appeal "
                                  "%(other)s on it was approved)."),
    "closed_released_overturned": _("Your appeal %(ref)s is closed: ¥%(amount)s is no longer frozen (a supervisor "
                                    "approved your earlier appeal %(other)s on it)."),
    "calendar_freeze_moved": _("The holiday calendar changed: ¥%(amount)s frozen on %(frozen)s is now expected "
                               "back on %(new)s instead of %(old)s."),
    "calendar_appeal_moved": _("Your appeal %(ref)s: the holiday calendar changed, so a decision is now due by "
                               "%(due)s instead of %(old)s."),
    "approval_proposed": _("Your appeal %(ref)s was recommended for approval; a second person confirms it."),
    "review_requested": _("We received your review request %(ref)s. A supervisor who took no part in the decision "
                          "answers by %(date)s."),
    "review_upheld": _("Review %(ref)s: the decision stands. %(msg)s"),
    "review_overturn_proposed": _("Review %(ref)s: a supervisor recommends overturning the decision; a second "
                                  "supervisor confirms it."),
    "review_overturned": _("Review %(ref)s: the decision was overturned. %(msg)s"),
    # Parts that follow another message (its `then`).
    "amount_available": _("¥%(amount)s is available again."),
    "review_offer": _("If you disagree, you can ask for a review by %(date)s: %(link)s"),
    "ban_upheld": _("Your account stays restricted: new monthly-pay purchases are not possible and your frozen "
                    "amounts stay frozen, while repayments of what you owe continue as usual. You can still ask "
                    "for a review of this decision, file an appeal with new evidence, or contact customer support."),
    "ban_upheld_reviewed": _("Your account stays restricted: new monthly-pay purchases are not possible and your "
                             "frozen amounts stay frozen, while repayments of what you owe continue as usual. The "
                             "review was the last step here; you can still file an appeal with new evidence or "
                             "contact customer support."),
    "account_restored": _("Your account is active again: you can pay with monthly pay."),
    "restored_released": _("¥%(amount)s frozen with the restriction is available again."),
    "restored_on_timer": _("Your other frozen amounts come back on their dates: %(dates)s."),
    "restored_held": _("%(n)d other frozen amounts are still reviewed by a person; you can appeal each of them."),
}
# Decisions that go against the customer end with where they can turn next.
WITH_NEXT_STEPS = {"rejected", "overturned_approval"}


def render(code: str, params: dict) -> str:
    """The message in the active language."""
    values = dict(params)
    if "reject_reason" in values:
        values["reason"] = RejectReason(values["reject_reason"]).label
    text = str(MESSAGES[code]) % values
    for part, part_params in values.get("then", []):  # what follows: [code, params] pairs
        text = f"{text} {render(part, {**values, 'then': [], **part_params})}"
    if code in WITH_NEXT_STEPS:
        text = f"{text} {NEXT_STEPS % values}"
    return text
