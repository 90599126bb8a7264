"""Bans that can end: approving an appeal on a banned account (four eyes) restores it, releases
what the ban froze, puts the other freezes back on their timers and tells the customer; a ban that
is upheld stays and says what that means. verify_ledger stays clean after every money effect."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from accounts.errors import AccountNotActive
from accounts.models import AccountStatusChange, CreditAccount, Freeze
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, make_order, make_refund
from appeals.models import Notification, RejectReason
from appeals.tests.factories import file_appeal
from appeals.workflow import decide, four_eyes, review, timers
from events.models import Event

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour=10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


def clean_ledger():
    call_command("verify_ledger")  # raises CommandError on any mismatch


@pytest.fixture
def banned():
    """Tue 1 Dec 2026: a normal refund (back on Fri 4 Dec), then on Wed 2 Dec a partial refund (15
    business days) and a refund returned from a virtual address: malicious, the rest of the limit
    frozen, the account banned."""
    customer = CustomerFactory()
    with at(date(2026, 12, 1)):
        account = ledger.account_open(customer=customer, limit=Decimal("6000.00"))
        normal = make_refund(make_order(account, Decimal("320.00"))).freezes.get()
    with at(date(2026, 12, 2)):
        partial = make_refund(make_order(account, Decimal("500.00")), Decimal("150.00")).freezes.get()
        malicious = make_refund(make_order(account, Decimal("880.00")),
                                return_address="虚拟地址 代收点 7 号").freezes.get()
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.BANNED
    rest = Freeze.objects.get(account=account, reason=Freeze.Reason.MALICIOUS, refund__isnull=True)
    assert (normal.expected_release_on, partial.expected_release_on) == (date(2026, 12, 4), date(2026, 12, 23))
    return {"account": account, "normal": normal, "partial": partial, "malicious": malicious, "rest": rest}


def approve_by_four_eyes(freeze, agent, supervisor):
    appeal = file_appeal(freeze)
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=agent, note="地址为驿站代收点,已电话核实")
    four_eyes.appeal_confirm_approval(appeal_id=appeal.pk, actor=supervisor)
    return appeal


def status(freeze):
    return Freeze.objects.get(pk=freeze.pk).status


def test_while_banned_no_freeze_releases_on_its_date(banned):
    with at(date(2027, 1, 4)):
        assert timers.auto_release_due() == 0
    assert {status(f) for f in banned.values() if isinstance(f, Freeze)} == {Freeze.Status.ACTIVE}


def test_an_approved_appeal_restores_the_account_which_buys_again_and_its_freezes_release_on_their_dates(banned):
    account, agent, supervisor = banned["account"], AgentFactory(), SupervisorFactory()
    with at(date(2026, 12, 7)):  # Monday: the normal refund's date (Fri 4 Dec) passed while banned
        assert timers.auto_release_due() == 0
        appeal = approve_by_four_eyes(banned["malicious"], agent, supervisor)
        clean_ledger()
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ACTIVE
    change = AccountStatusChange.objects.filter(account=account).first()
    assert (change.old_status, change.new_status, change.actor) == ("banned", "active", supervisor)
    assert agent.username in change.note and supervisor.username in change.note and appeal.reference in change.note
    assert status(banned["malicious"]) == status(banned["rest"]) == Freeze.Status.RELEASED
    assert Freeze.objects.get(pk=banned["normal"].pk).expected_release_on == date(2026, 12, 7)
    restored = Event.objects.get(type="account.restored")
    assert restored.account_id == account.pk
    assert restored.data["released_freeze_ids"] == [banned["rest"].pk]

    with at(date(2026, 12, 7), hour=11):
        assert timers.auto_release_due() == 1  # the normal refund, its date having passed
        order = make_order(account, Decimal("199.00"))  # buys again
        clean_ledger()
    assert order.account_id == account.pk and status(banned["normal"]) == Freeze.Status.RELEASED
    with at(date(2026, 12, 22)):
        assert timers.auto_release_due() == 0 and status(banned["partial"]) == Freeze.Status.ACTIVE
    with at(date(2026, 12, 23)):
        assert timers.auto_release_due() == 1 and status(banned["partial"]) == Freeze.Status.RELEASED
        clean_ledger()
    account.refresh_from_db()
    assert (account.frozen, account.used) == (Decimal("0.00"), Decimal("199.00") + Decimal("350.00"))

    with translation.override("en"):
        told = Notification.objects.filter(appeal=appeal).order_by("-pk").first().text
    assert "active again" in told or "恢复" in told


def test_the_customer_reads_what_came_back_and_when(banned):
    with translation.override("en"), at(date(2026, 12, 3)):
        appeal = approve_by_four_eyes(banned["malicious"], AgentFactory(), SupervisorFactory())
        told = Notification.objects.filter(appeal=appeal).order_by("-pk").first().text
    assert "Your account is active again" in told
    rest = banned["rest"].amount
    assert f"¥{rest} frozen with the restriction is available again" in told
    assert "¥320.00 2026-12-04" in told and "¥150.00 2026-12-23" in told


def test_restoring_twice_changes_nothing(banned):
    from accounts.services import restore

    with at(date(2026, 12, 3)):
        approve_by_four_eyes(banned["malicious"], AgentFactory(), SupervisorFactory())
        changes = AccountStatusChange.objects.count()
        again = restore.account_restore(account_id=banned["account"].pk, actor=SupervisorFactory(), note="again",
                                        source=Freeze.ReleaseSource.APPEAL)
    assert not again.restored and AccountStatusChange.objects.count() == changes
    assert Event.objects.filter(type="account.restored").count() == 1
    clean_ledger()


def test_a_ban_upheld_stays_and_the_customer_is_told_what_it_means(banned):
    account, agent = banned["account"], AgentFactory()
    with translation.override("en"), at(date(2026, 12, 3)):
        appeal = file_appeal(banned["malicious"])
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.SUSPECTED_CASH_OUT,
                             message="退货地址为虚拟地址")
        told = Notification.objects.filter(appeal=appeal).order_by("-pk").first().text
    assert "stays restricted" in told and "repayments" in told and "review" in told
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.BANNED
    with pytest.raises(AccountNotActive):
        make_order(account, Decimal("50.00"))
    assert not Event.objects.filter(type="account.restored").exists()
    clean_ledger()
