"""Lifting a ban is a decision of its own: who restored the account and why is an
AccountStatusChange; the freezes the ban made (the rest of the limit, held with no refund of its
own) are released through the ledger; the account's other freezes go back on their timers, and
those no timer lifts keep waiting for their own appeal. Other systems hear `account.restored`."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import announce
from ..freeze_dates import AUTO_RELEASE_REASONS
from ..models import CreditAccount, Freeze
from . import ledger


@dataclass(frozen=True)
class RestoreResult:
    restored: bool  # False: the account was not banned, nothing changed
    released: list = field(default_factory=list)  # freezes the ban made, released now
    on_timer: list = field(default_factory=list)  # other freezes, back on their dates
    held: list = field(default_factory=list)  # other freezes a person still decides


def covered_by_ban(freeze: Freeze) -> bool:
    """A freeze made by the ban itself: the rest of the limit, frozen as malicious with no refund."""
    return freeze.reason == Freeze.Reason.MALICIOUS and freeze.refund_id is None


@transaction.atomic
def account_restore(*, account_id: int, actor, note: str, source: str) -> RestoreResult:
    """Restore a banned account to active; releases what the ban froze. A second call does nothing."""
    account = ledger.account_lock(account_id)
    if account.status != CreditAccount.Status.BANNED:
        return RestoreResult(False)
    freezes = list(Freeze.objects.select_for_update().filter(account=account, status=Freeze.Status.ACTIVE)
                   .order_by("pk"))
    released = [freeze for freeze in freezes if covered_by_ban(freeze)]
    for freeze in released:
        ledger.freeze_release(freeze=freeze, source=source, actor=actor, note=note[:500])
    ledger.account_set_status(account=account, status=CreditAccount.Status.ACTIVE, actor=actor, note=note[:500])
    today = timezone.localdate()
    on_timer = [f for f in freezes if f not in released and f.reason in AUTO_RELEASE_REASONS
                and f.expected_release_on]
    for freeze in on_timer:  # a date that passed while banned: the next timer run releases it
        if freeze.expected_release_on < today:
            freeze.expected_release_on = today
            freeze.save(update_fields=["expected_release_on"])
    held = [f for f in freezes if f not in released and f not in on_timer]
    announce.account_restored(account, released=released, note=note)
    return RestoreResult(True, released, on_timer, held)
