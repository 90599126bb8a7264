"""Four eyes (high risk, at least the supervisor amount, a banned account): an approval takes two
people. The proposer (the agent or supervisor working the appeal) proposes with a note; a
supervisor who is not the proposer confirms it, which releases the freeze, or sends it back. The
model's guards refuse the proposer's own confirmation whatever their role; both steps are logged."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import InvalidAppeal
from ..notifications import notify_customer
from ..transitions import Transition
from .decide import ApprovalResult, release_approved
from .steps import apply_transition, lock_appeal


@transaction.atomic
def appeal_propose_approval(*, appeal_id: int, actor, note: str):
    """First pair of eyes: propose the approval (nothing is released yet)."""
    if not note.strip():
        raise InvalidAppeal(_("Write why the appeal should be approved."))
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, Transition.PROPOSE_APPROVAL, actor, note=note.strip())
    notify_customer(appeal, "approval_proposed")
    return appeal


@transaction.atomic
def appeal_confirm_approval(*, appeal_id: int, actor, note: str = "") -> ApprovalResult:
    """Second pair of eyes: a supervisor other than the proposer confirms; the freeze is released."""
    appeal = lock_appeal(appeal_id, with_account=True)
    apply_transition(appeal, Transition.CONFIRM_APPROVAL, actor, note=note.strip())
    return release_approved(appeal, actor)


@transaction.atomic
def appeal_return_proposal(*, appeal_id: int, actor, note: str):
    """Second pair of eyes disagrees: back to the proposer's review, with the reason."""
    if not note.strip():
        raise InvalidAppeal(_("Write why the proposal goes back."))
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, Transition.RETURN_PROPOSAL, actor, note=note.strip())
    notify_customer(appeal, "escalated")
    return appeal
