"""The one table of what can happen to an appeal. Each transition is named here once; the model's
transition methods carry the same names, the desk's buttons and the decision log read their
labels from here, the services their decision sets, and the customer's timeline its lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.types import EventType


class Transition(models.TextChoices):
    """Every value of AppealEvent.transition; the label is what staff read."""

    SUBMIT = "submit", _("Filed by the customer")
    CLAIM = "claim", _("Start review")
    REQUEST_INFO = "request_info", _("Request more information")
    RESUBMIT = "resubmit", _("Customer replied")
    ESCALATE = "escalate", _("Escalate to a supervisor")
    APPROVE = "approve", _("Approve and release")
    APPROVE_BY_SYSTEM = "approve_by_system", _("Approved by the system")
    PROPOSE_APPROVAL = "propose_approval", _("Propose approval (four eyes)")
    CONFIRM_APPROVAL = "confirm_approval", _("Confirm approval and release")
    RETURN_PROPOSAL = "return_proposal", _("Send the proposal back")
    REJECT = "reject", _("Reject")
    REJECT_ESCALATED = "reject_escalated", _("Reject (escalated)")
    WITHDRAW = "withdraw", _("Withdrawn by the customer")
    RESOLVE = "resolve", _("Closed: released automatically")
    RESOLVE_RELEASED = "resolve_released", _("Closed: the freeze was released another way")
    ESCALATE_OVERDUE = "escalate_overdue", _("Escalated: past its due time")
    OVERTURN_REJECTION = "overturn_rejection", _("Rejection overturned on audit")
    PROPOSE_OVERTURN = "propose_overturn", _("Rejection overturned on audit, approval proposed (four eyes)")
    OVERTURN_APPROVAL = "overturn_approval", _("Approval overturned on audit")
    OVERTURN_ON_REVIEW = "overturn_on_review", _("Rejection overturned on the customer's review")
    PLATFORM_SYNCED = "platform_synced", _("External platform confirmed the refund")
    WAIT_FOR_PLATFORM = "wait_for_platform", _("Waiting for the external platform (clocks paused)")
    EXTEND_DEADLINE = "extend_deadline", _("Answer deadline extended")
    PROPOSE_EXTENSION = "propose_extension", _("Further extension proposed (needs a second supervisor)")
    ESCALATE_REGULATORY = "escalate_regulatory", _("Escalated: past the complaint rules' deadline")


# Decisions: sampled for audit, counted on the dashboard, exported.
DECISIONS = frozenset({Transition.APPROVE, Transition.APPROVE_BY_SYSTEM, Transition.CONFIRM_APPROVAL,
                       Transition.REJECT, Transition.REJECT_ESCALATED})
APPROVALS = frozenset({Transition.APPROVE, Transition.APPROVE_BY_SYSTEM, Transition.CONFIRM_APPROVAL})
# What staff do from the appeal page's decision bar, in the order its buttons appear.
STAFF_ACTIONS = (Transition.CLAIM, Transition.REQUEST_INFO, Transition.ESCALATE, Transition.APPROVE,
                 Transition.PROPOSE_APPROVAL, Transition.CONFIRM_APPROVAL, Transition.RETURN_PROPOSAL,
                 Transition.REJECT, Transition.REJECT_ESCALATED)

# What the customer reads for each event: no agent names, no internal notes. %(msg)s is the message
# written to the customer, %(reason)s the reject reason.
CUSTOMER_LINES = {
    Transition.SUBMIT: _("You filed the appeal."),
    Transition.CLAIM: _("An agent started reviewing your evidence."),
    Transition.REQUEST_INFO: _("The agent needs more information: %(msg)s"),
    Transition.RESUBMIT: _("You added information: %(msg)s"),
    Transition.ESCALATE: _("Your appeal is being reviewed further."),
    Transition.APPROVE: _("Approved: the frozen amount was released."),
    Transition.APPROVE_BY_SYSTEM: _("Approved automatically: your screenshots matched our records."),
    Transition.PROPOSE_APPROVAL: _("A reviewer recommended approval; a second person confirms it."),
    Transition.CONFIRM_APPROVAL: _("Approved by a second person: the frozen amount was released."),
    Transition.RETURN_PROPOSAL: _("Your appeal is being reviewed further."),
    Transition.REJECT: _("Not approved (%(reason)s): %(msg)s"),
    Transition.REJECT_ESCALATED: _("Not approved (%(reason)s): %(msg)s"),
    Transition.WITHDRAW: _("You withdrew the appeal."),
    Transition.RESOLVE: _("Closed: the frozen amount was released automatically on its date."),
    Transition.RESOLVE_RELEASED: _("Closed: the frozen amount is no longer frozen (%(msg)s); there is nothing left "
                                   "to appeal."),
    Transition.ESCALATE_OVERDUE: _("Taking longer than promised: a supervisor is now handling your appeal."),
    Transition.OVERTURN_REJECTION: _("A supervisor re-checked the decision and approved the appeal."),
    Transition.PROPOSE_OVERTURN: _("A supervisor re-checked the decision and recommended approval; a second "
                                   "supervisor confirms it."),
    Transition.OVERTURN_APPROVAL: _("A supervisor re-checked the decision and could not confirm it: %(msg)s"),
    Transition.OVERTURN_ON_REVIEW: _("A supervisor reviewed the decision at your request and approved the appeal."),
    Transition.PLATFORM_SYNCED: _("The platform where you bought confirmed the refund: %(msg)s"),
    Transition.WAIT_FOR_PLATFORM: _("We asked the platform where you bought to confirm the refund. The time it "
                                    "takes does not count toward our deadline: %(msg)s"),
    Transition.EXTEND_DEADLINE: _("We need more time to answer and extended our deadline: %(msg)s"),
    Transition.PROPOSE_EXTENSION: _("Your case is especially complex: a supervisor asked for more time, which a "
                                    "second supervisor must approve: %(msg)s"),
    Transition.ESCALATE_REGULATORY: _("We did not answer within the time the complaint rules allow. A supervisor "
                                      "is now handling your appeal."),
}

# What other systems are told (events.types), written with the AppealEvent in its transaction.
EVENTS_OUT = {
    Transition.SUBMIT: EventType.APPEAL_SUBMITTED,
    **{name: EventType.APPEAL_DECIDED for name in DECISIONS},
    Transition.OVERTURN_REJECTION: EventType.APPEAL_OVERTURNED,
    Transition.OVERTURN_APPROVAL: EventType.APPEAL_OVERTURNED,
    Transition.OVERTURN_ON_REVIEW: EventType.APPEAL_OVERTURNED,
}
