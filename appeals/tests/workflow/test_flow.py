from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Freeze, LedgerEntry
from accounts.tests.factories import AgentFactory
from appeals.models import Appeal, Evidence, Notification, State
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import decide, review

pytestmark = pytest.mark.django_db


def test_submit_three_screenshots_claim_approve_restores_exactly_the_frozen_amount(
    django_capture_on_commit_callbacks,
):
    freeze = refund_freeze(Decimal("599.00"))
    account = freeze.account
    account.customer.email = "buyer@example.com"
    account.customer.save()
    available_before = account.available
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(freeze)
    assert appeal.state == State.SUBMITTED
    assert list(appeal.evidence.values_list("status", flat=True)) == [Evidence.Status.READY] * 3
    agent = AgentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        result = decide.appeal_approve(appeal_id=appeal.pk, actor=agent, note="screenshots match")
    assert result.released
    appeal.refresh_from_db()
    account.refresh_from_db()
    freeze.refresh_from_db()
    assert appeal.state == State.APPROVED and appeal.decided_by == agent
    assert account.available - available_before == Decimal("599.00")
    assert freeze.status == Freeze.Status.RELEASED and freeze.release_source == Freeze.ReleaseSource.APPEAL
    assert LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert list(appeal.events.values_list("transition", flat=True)) == ["submit", "claim", "approve"]
    assert Notification.objects.filter(user=account.customer).count() == 3
    assert any("599.00" in message.body for message in mail.outbox)
    call_command("verify_ledger")


def test_approval_after_timer_release_succeeds_and_says_nothing_more_was_released():
    from accounts.services import ledger

    appeal = file_appeal()
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    ledger.freeze_release(freeze=appeal.freeze, source=Freeze.ReleaseSource.TIMER)
    result = decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    assert not result.released
    assert "nothing more" in str(result.message) or "未再解冻" in str(result.message)
    assert Appeal.objects.get(pk=appeal.pk).state == State.APPROVED
    assert LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1


def test_a_reference_already_taken_that_day_is_drawn_again(monkeypatch):
    first = file_appeal()
    reference = Appeal._meta.get_field("reference")
    monkeypatch.setattr(reference, "_get_default", lambda: first.reference)  # the next draw collides

    second = file_appeal()

    assert second.reference != first.reference
    assert second.reference.startswith(first.reference[:11])  # AP + the same day + "-"
    assert Appeal.objects.get(pk=second.pk).reference == second.reference
