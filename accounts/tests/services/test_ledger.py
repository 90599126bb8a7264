"""The ledger services: every refusal leaves the database exactly as it was; every success
moves exactly the right buckets and writes exactly one ledger row."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts import selectors
from accounts.errors import (
    AccountNotActive,
    ExceedsFrozen,
    ExceedsUsed,
    InsufficientAvailable,
    InvalidAmount,
    LimitBelowCommitted,
    RefundExceedsOrder,
)
from accounts.models import (
    AccountStatusChange,
    Bucket,
    CreditAccount,
    Freeze,
    LedgerEntry,
    Order,
    Refund,
)
from accounts.selectors import ledger_mismatches
from accounts.services import ledger, policy
from accounts.tests.factories import AgentFactory, CustomerFactory, make_account, make_order, make_refund

pytestmark = pytest.mark.django_db

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-09-30 (Wednesday) is the last workday before National Day (Oct 1–7 off, Oct 10 a make-up workday).
EVE_OF_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)

INVALID_AMOUNTS = ["0", "0.00", "-5", "-0.01", "NaN", "sNaN", "Infinity", "1.234", "0.001", "abc", "", None,
                   1.5, "1e30", "1e10", "10000000000.00"]
# A new limit of zero is a legal cut, so limit_change refuses only the rest.
INVALID_LIMITS = [v for v in INVALID_AMOUNTS if v not in ("0", "0.00")]


# ---------------------------------------------------------------- helpers


def snapshot(account):
    row = CreditAccount.objects.get(pk=account.pk)
    return {
        "account": (row.limit, row.used, row.frozen, row.status),
        "ledger": LedgerEntry.objects.count(),
        "orders": Order.objects.count(),
        "refunds": Refund.objects.count(),
        "freezes": Freeze.objects.count(),
        "active_freezes": sorted(Freeze.objects.filter(status=Freeze.Status.ACTIVE).values_list("pk", flat=True)),
        "status_changes": AccountStatusChange.objects.count(),
    }


def assert_refused(account, error_cls, call):
    """`call()` raises exactly `error_cls` with its default message and changes nothing."""
    before = snapshot(account)
    with pytest.raises(error_cls) as exc:
        call()
    assert type(exc.value) is error_cls
    assert str(exc.value) == str(error_cls.default_message)
    assert snapshot(account) == before
    return exc.value


def balances(account):
    account.refresh_from_db()
    return account.limit, account.used, account.frozen, account.available


def last_id():
    return LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def entries_since(pk):
    return list(LedgerEntry.objects.filter(pk__gt=pk).order_by("pk"))


def purchase(account, amount, **kwargs):
    return make_order(account, amount, **kwargs)


def refund_kwargs(order):
    return {
        "returned_item_name": order.item_name,
        "returned_item_sku": order.item_sku,
        "return_address": order.delivery_address,
    }


# ---------------------------------------------------------------- refusals


def test_purchase_over_available_is_refused():
    account = make_account(D("1000.00"))
    purchase(account, D("600.00"))
    ledger.freeze_create(account=account, amount=D("100.00"), reason=Freeze.Reason.ROUTINE_RISK)
    # 300.00 is left; one fen more is too much.
    assert_refused(account, InsufficientAvailable, lambda: purchase(account, "300.01"))
    assert not Order.objects.filter(amount=D("300.01")).exists()
    purchase(account, "300.00")
    assert balances(account) == (D("1000.00"), D("900.00"), D("100.00"), D("0.00"))
    assert_refused(account, InsufficientAvailable, lambda: purchase(account, "0.01"))


def test_freeze_over_available_is_refused():
    account = make_account(D("500.00"))
    purchase(account, D("200.00"))
    assert_refused(
        account, InsufficientAvailable,
        lambda: ledger.freeze_create(account=account, amount="300.01", reason=Freeze.Reason.ABNORMAL),
    )


def test_refund_above_the_order_is_refused():
    account = make_account(D("1000.00"))
    order = purchase(account, D("100.00"))
    assert_refused(account, RefundExceedsOrder, lambda: make_refund(order, D("100.01")))


def test_second_refund_above_what_is_left_is_refused():
    account = make_account(D("1000.00"))
    order = purchase(account, D("100.00"))
    make_refund(order, D("30.00"))
    assert selectors.order_refundable(order) == D("70.00")
    assert_refused(account, RefundExceedsOrder, lambda: make_refund(order, D("70.01")))
    make_refund(order, D("70.00"))
    assert selectors.order_refundable(order) == D("0.00")
    assert_refused(account, RefundExceedsOrder, lambda: make_refund(order, D("0.01")))
    assert balances(account) == (D("1000.00"), D("0.00"), D("100.00"), D("900.00"))


def test_refund_of_a_repaid_order_is_refused_and_leaves_no_refund_or_freeze():
    # Refund and Freeze rows are written before the bucket check; the transaction must undo them.
    account = make_account(D("1000.00"))
    order = purchase(account, D("100.00"))
    ledger.account_repay(account=account, amount=D("60.00"))
    assert_refused(account, ExceedsUsed, lambda: make_refund(order, D("40.01")))
    assert not Refund.objects.exists()
    assert not Freeze.objects.exists()


@pytest.mark.parametrize("bad", INVALID_AMOUNTS, ids=repr)
def test_invalid_amounts_are_refused_by_every_service(bad):
    account = make_account(D("1000.00"))
    order = purchase(account, D("100.00"))
    assert_refused(account, InvalidAmount, lambda: purchase(account, bad))
    assert_refused(account, InvalidAmount, lambda: ledger.account_repay(account=account, amount=bad))
    assert_refused(
        account, InvalidAmount,
        lambda: policy.refund_record(order=order, amount=bad, **refund_kwargs(order)),
    )
    assert_refused(
        account, InvalidAmount,
        lambda: ledger.freeze_create(account=account, amount=bad, reason=Freeze.Reason.ROUTINE_RISK),
    )


@pytest.mark.parametrize("bad", INVALID_LIMITS, ids=repr)
def test_invalid_limits_are_refused(bad):
    account = make_account(D("1000.00"))
    assert_refused(account, InvalidAmount, lambda: ledger.limit_change(account=account, new_limit=bad))


@pytest.mark.parametrize("bad", ["0", "-5", "NaN", "1.234", 1.5, "1e30"], ids=repr)
def test_invalid_opening_limit_opens_nothing(bad):
    customer = CustomerFactory()
    with pytest.raises(InvalidAmount) as exc:
        ledger.account_open(customer=customer, limit=bad)
    assert str(exc.value) == str(InvalidAmount.default_message)
    assert not CreditAccount.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_largest_amount_a_money_column_holds_is_accepted():
    account = make_account(D("1000.00"))
    ledger.limit_change(account=account, new_limit="9999999999.99")
    purchase(account, "9999999000.00")
    assert balances(account) == (D("9999999999.99"), D("9999999000.00"), D("0.00"), D("999.99"))
    assert ledger_mismatches() == []


@pytest.mark.parametrize("limit, used, frozen", [
    ("0.12", "0.07", "0.05"),  # as floats 0.07 + 0.05 > 0.12
    ("0.30", "0.10", "0.20"),
    ("1000.00", "999.70", "0.30"),
    ("9999999999.99", "9999999999.98", "0.01"),
])
def test_account_can_be_filled_exactly_to_its_limit(limit, used, frozen):
    # Regression: SQLite keeps decimals as floats and its CHECK (limit >= used + frozen)
    # refused some of these until migration 0004 compared whole fen.
    account = make_account(D(limit))
    purchase(account, used)
    ledger.freeze_create(account=account, amount=frozen, reason=Freeze.Reason.ROUTINE_RISK)
    assert balances(account) == (D(limit), D(used), D(frozen), D("0.00"))
    assert ledger.limit_change(account=account, new_limit=D(used) + D(frozen)) is None
    assert ledger_mismatches() == []


def test_database_still_refuses_used_and_frozen_above_the_limit():
    account = make_account(D("0.12"))
    purchase(account, "0.07")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(pk=account.pk).update(frozen=D("0.06"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(pk=account.pk).update(limit=D("0.06"))
    CreditAccount.objects.filter(pk=account.pk).update(frozen=D("0.05"))  # exactly full is allowed
    assert balances(account) == (D("0.12"), D("0.07"), D("0.05"), D("0.00"))


def test_repayment_above_used_is_refused():
    account = make_account(D("1000.00"))
    assert_refused(account, ExceedsUsed, lambda: ledger.account_repay(account=account, amount="0.01"))
    purchase(account, D("250.00"))
    assert_refused(account, ExceedsUsed, lambda: ledger.account_repay(account=account, amount="250.01"))
    ledger.account_repay(account=account, amount="250.00")
    assert balances(account) == (D("1000.00"), D("0.00"), D("0.00"), D("1000.00"))


def test_releasing_more_than_is_frozen_is_refused():
    account = make_account(D("1000.00"))
    freeze = ledger.freeze_create(account=account, amount=D("200.00"), reason=Freeze.Reason.ABNORMAL)
    # Corrupt the cached bucket behind the services' back.
    CreditAccount.objects.filter(pk=account.pk).update(frozen=D("150.00"))
    assert_refused(
        account, ExceedsFrozen,
        lambda: ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.STAFF),
    )
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.ACTIVE
    assert (freeze.released_at, freeze.release_source) == (None, "")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).exists()
    assert balances(account) == (D("1000.00"), D("0.00"), D("150.00"), D("850.00"))


def test_limit_cut_below_used_and_frozen_is_refused():
    account = make_account(D("1000.00"))
    purchase(account, D("400.00"))
    ledger.freeze_create(account=account, amount=D("300.00"), reason=Freeze.Reason.ROUTINE_RISK)
    assert_refused(account, LimitBelowCommitted,
                   lambda: ledger.limit_change(account=account, new_limit="699.99"))
    assert_refused(account, LimitBelowCommitted, lambda: ledger.limit_change(account=account, new_limit="0"))
    ledger.limit_change(account=account, new_limit="700.00")
    assert balances(account) == (D("700.00"), D("400.00"), D("300.00"), D("0.00"))


@pytest.mark.parametrize("status", [CreditAccount.Status.BANNED, CreditAccount.Status.RESTRICTED])
def test_purchase_on_an_inactive_account_is_refused(status):
    account = make_account(D("1000.00"))
    assert ledger.account_set_status(account=account, status=status)
    assert_refused(account, AccountNotActive, lambda: purchase(account, D("10.00")))


def test_limit_increase_on_a_banned_account_is_refused_but_a_cut_is_allowed():
    account = make_account(D("1000.00"))
    ledger.account_set_status(account=account, status=CreditAccount.Status.BANNED)
    assert_refused(account, AccountNotActive, lambda: ledger.limit_change(account=account, new_limit="1000.01"))
    entry = ledger.limit_change(account=account, new_limit="200.00")
    assert (entry.source, entry.target, entry.amount) == (Bucket.AVAILABLE, Bucket.OUTSIDE, D("800.00"))
    assert balances(account)[0] == D("200.00")


def test_reinstated_account_can_buy_again():
    account = make_account(D("1000.00"))
    ledger.account_set_status(account=account, status=CreditAccount.Status.BANNED)
    ledger.account_set_status(account=account, status=CreditAccount.Status.ACTIVE)
    purchase(account, D("10.00"))
    assert balances(account)[1] == D("10.00")


def test_refusal_uses_the_current_row_not_the_callers_stale_instance():
    account = make_account(D("1000.00"))
    stale = CreditAccount.objects.get(pk=account.pk)
    purchase(account, D("900.00"))
    # `stale` still believes 1000.00 is available.
    assert_refused(account, InsufficientAvailable, lambda: purchase(stale, D("100.01")))


# ---------------------------------------------------------------- what each service moves


def test_account_open_records_the_first_limit():
    customer = CustomerFactory()
    account = ledger.account_open(customer=customer, limit="5000.00")
    assert balances(account) == (D("5000.00"), D("0.00"), D("0.00"), D("5000.00"))
    (entry,) = LedgerEntry.objects.filter(account=account)
    assert (entry.kind, entry.source, entry.target, entry.amount) == (
        LedgerEntry.Kind.LIMIT_CHANGE, Bucket.OUTSIDE, Bucket.AVAILABLE, D("5000.00"))


def test_purchase_moves_available_to_used():
    account = make_account(D("1000.00"))
    mark = last_id()
    order = purchase(account, "123.45", number="DY-TEST-1", platform=Order.Platform.FOOD_DELIVERY)
    assert balances(account) == (D("1000.00"), D("123.45"), D("0.00"), D("876.55"))
    order.refresh_from_db()
    assert (order.number, order.amount, order.account_id, order.platform) == (
        "DY-TEST-1", D("123.45"), account.pk, Order.Platform.FOOD_DELIVERY)
    (entry,) = entries_since(mark)
    assert (entry.kind, entry.source, entry.target, entry.amount) == (
        LedgerEntry.Kind.PURCHASE, Bucket.AVAILABLE, Bucket.USED, D("123.45"))
    assert (entry.account_id, entry.order_id, entry.refund_id, entry.freeze_id) == (account.pk, order.pk, None, None)


def test_repayment_moves_used_to_available():
    account = make_account(D("1000.00"))
    purchase(account, D("300.00"))
    mark = last_id()
    actor = AgentFactory()
    returned = ledger.account_repay(account=account, amount="120.50", actor=actor, note="bank transfer")
    assert balances(account) == (D("1000.00"), D("179.50"), D("0.00"), D("820.50"))
    (entry,) = entries_since(mark)
    assert entry == returned
    assert (entry.kind, entry.source, entry.target, entry.amount) == (
        LedgerEntry.Kind.REPAYMENT, Bucket.USED, Bucket.AVAILABLE, D("120.50"))
    assert (entry.actor, entry.note) == (actor, "bank transfer")


def test_full_refund_moves_used_to_frozen_under_a_normal_refund_freeze():
    account = make_account(D("1000.00"))
    order = purchase(account, D("300.00"))
    mark = last_id()
    refund = make_refund(order, occurred_at=EVE_OF_NATIONAL_DAY)
    assert balances(account) == (D("1000.00"), D("0.00"), D("300.00"), D("700.00"))
    assert (refund.kind, refund.amount, refund.order_id) == (Refund.Kind.FULL, D("300.00"), order.pk)
    freeze = Freeze.objects.get(refund=refund)
    assert (freeze.reason, freeze.amount, freeze.status, freeze.account_id) == (
        Freeze.Reason.NORMAL_REFUND, D("300.00"), Freeze.Status.ACTIVE, account.pk)
    # Three business days after 2026-09-30: Oct 8, Oct 9 and the make-up Saturday Oct 10.
    assert freeze.expected_release_on == date(2026, 10, 10)
    (entry,) = entries_since(mark)
    assert (entry.kind, entry.source, entry.target, entry.amount) == (
        LedgerEntry.Kind.REFUND, Bucket.USED, Bucket.FROZEN, D("300.00"))
    assert (entry.order_id, entry.refund_id, entry.freeze_id) == (order.pk, refund.pk, freeze.pk)


def test_partial_refund_gets_a_partial_refund_freeze_of_fifteen_business_days():
    account = make_account(D("1000.00"))
    order = purchase(account, D("300.00"))
    mark = last_id()
    refund = make_refund(order, D("120.00"), occurred_at=EVE_OF_NATIONAL_DAY)
    assert balances(account) == (D("1000.00"), D("180.00"), D("120.00"), D("700.00"))
    assert refund.kind == Refund.Kind.PARTIAL
    freeze = Freeze.objects.get(refund=refund)
    assert (freeze.reason, freeze.amount) == (Freeze.Reason.PARTIAL_REFUND, D("120.00"))
    # Oct 8, 9, 10(Sat make-up), 12–16, 19–23, 26, 27.
    assert freeze.expected_release_on == date(2026, 10, 27)
    (entry,) = entries_since(mark)
    assert (entry.kind, entry.amount, entry.freeze_id) == (LedgerEntry.Kind.REFUND, D("120.00"), freeze.pk)


def test_refund_restore_date_counts_from_the_local_date_not_utc():
    account = make_account(D("1000.00"))
    order = purchase(account, D("50.00"))
    # 17:00 UTC on Friday Oct 9 is 01:00 on Saturday Oct 10 (a make-up workday) in Shanghai:
    # counting from Oct 10 gives Oct 12, 13, 14; counting from Oct 9 would give Oct 13.
    make_refund(order, occurred_at=datetime(2026, 10, 9, 17, 0, tzinfo=UTC))
    assert Freeze.objects.get().expected_release_on == date(2026, 10, 14)


def test_refund_the_rules_find_malicious_freezes_everything_and_bans():
    account = make_account(D("1000.00"))
    order = purchase(account, D("50.00"))
    mark = last_id()
    refund = make_refund(order, return_address="虚拟地址 某某路000号", platform_synced=False)
    freeze = Freeze.objects.get(refund=refund)
    assert (freeze.reason, freeze.expected_release_on) == (Freeze.Reason.MALICIOUS, None)
    assert {rule["code"] for rule in refund.risk_rules} == {"virtual_address", "platform_not_synced"}
    account.refresh_from_db()
    assert (account.status, account.available, account.frozen) == ("banned", D("0.00"), D("1000.00"))
    assert set(account.freezes.values_list("reason", flat=True)) == {Freeze.Reason.MALICIOUS}
    # The refund (used → frozen) and then the rest of the available limit (available → frozen).
    refund_entry, freeze_entry = entries_since(mark)
    assert (refund_entry.kind, refund_entry.source, refund_entry.target, refund_entry.amount) == (
        LedgerEntry.Kind.REFUND, Bucket.USED, Bucket.FROZEN, D("50.00"))
    assert (freeze_entry.kind, freeze_entry.source, freeze_entry.target, freeze_entry.amount) == (
        LedgerEntry.Kind.FREEZE, Bucket.AVAILABLE, Bucket.FROZEN, D("950.00"))
    change = AccountStatusChange.objects.get(account=account)
    assert (change.old_status, change.new_status) == (CreditAccount.Status.ACTIVE, CreditAccount.Status.BANNED)
    assert ledger_mismatches() == []


def test_freeze_create_moves_available_to_frozen():
    account = make_account(D("1000.00"))
    mark = last_id()
    freeze = ledger.freeze_create(account=account, amount="250.00", reason=Freeze.Reason.ROUTINE_RISK,
                                    note="device change", occurred_at=EVE_OF_NATIONAL_DAY)
    assert balances(account) == (D("1000.00"), D("0.00"), D("250.00"), D("750.00"))
    assert (freeze.reason, freeze.amount, freeze.refund_id) == (Freeze.Reason.ROUTINE_RISK, D("250.00"), None)
    assert freeze.expected_release_on == date(2026, 10, 7)  # seven calendar days, holidays or not
    (entry,) = entries_since(mark)
    assert (entry.kind, entry.source, entry.target, entry.amount, entry.freeze_id, entry.note) == (
        LedgerEntry.Kind.FREEZE, Bucket.AVAILABLE, Bucket.FROZEN, D("250.00"), freeze.pk, "device change")


def test_freeze_release_moves_frozen_to_available_once():
    account = make_account(D("1000.00"))
    order = purchase(account, D("300.00"))
    make_refund(order, D("100.00"))
    freeze = Freeze.objects.get()
    agent = AgentFactory()
    mark = last_id()

    first = ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.APPEAL, actor=agent, note="ok")
    assert first.released is True
    assert "100.00" in first.message
    assert balances(account) == (D("1000.00"), D("200.00"), D("0.00"), D("800.00"))
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.RELEASED
    assert freeze.released_at is not None
    assert (freeze.released_by, freeze.release_source, freeze.release_note) == (
        agent, Freeze.ReleaseSource.APPEAL, "ok")
    (entry,) = entries_since(mark)
    assert (entry.kind, entry.source, entry.target, entry.amount, entry.freeze_id, entry.actor) == (
        LedgerEntry.Kind.RELEASE, Bucket.FROZEN, Bucket.AVAILABLE, D("100.00"), freeze.pk, agent)

    # Again, even with a stale instance that still looks active: nothing moves.
    stale = Freeze.objects.get(pk=freeze.pk)
    stale.status = Freeze.Status.ACTIVE
    before = snapshot(account)
    second = ledger.freeze_release(freeze=stale, source=Freeze.ReleaseSource.STAFF)
    assert second.released is False
    assert second.message == gettext("This freeze was already released; nothing more was released.")
    assert snapshot(account) == before
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count() == 1
    freeze.refresh_from_db()
    assert freeze.release_source == Freeze.ReleaseSource.APPEAL  # the first release's record is kept


def test_limit_change_up_and_down():
    account = make_account(D("1000.00"))
    purchase(account, D("100.00"))
    mark = last_id()
    up = ledger.limit_change(account=account, new_limit="1500.00", note="good history")
    assert balances(account) == (D("1500.00"), D("100.00"), D("0.00"), D("1400.00"))
    down = ledger.limit_change(account=account, new_limit="400.00")
    assert balances(account) == (D("400.00"), D("100.00"), D("0.00"), D("300.00"))
    assert entries_since(mark) == [up, down]
    assert (up.kind, up.source, up.target, up.amount, up.note) == (
        LedgerEntry.Kind.LIMIT_CHANGE, Bucket.OUTSIDE, Bucket.AVAILABLE, D("500.00"), "good history")
    assert (down.kind, down.source, down.target, down.amount) == (
        LedgerEntry.Kind.LIMIT_CHANGE, Bucket.AVAILABLE, Bucket.OUTSIDE, D("1100.00"))


def test_limit_change_to_the_same_limit_returns_none_and_writes_nothing():
    account = make_account(D("1000.00"))
    before = snapshot(account)
    assert ledger.limit_change(account=account, new_limit="1000") is None
    assert ledger.limit_change(account=account, new_limit=D("1000.00")) is None
    assert snapshot(account) == before


def test_limit_can_be_cut_to_zero_when_nothing_is_committed():
    account = make_account(D("1000.00"))
    entry = ledger.limit_change(account=account, new_limit="0")
    assert entry.amount == D("1000.00")
    assert balances(account) == (D("0.00"), D("0.00"), D("0.00"), D("0.00"))


def test_account_set_status_records_each_change():
    account = make_account(D("1000.00"))
    agent = AgentFactory()
    before = snapshot(account)
    assert ledger.account_set_status(account=account, status=CreditAccount.Status.RESTRICTED,
                                       actor=agent, note="chargeback") is True
    change = AccountStatusChange.objects.get()
    assert (change.account_id, change.old_status, change.new_status, change.actor, change.note) == (
        account.pk, CreditAccount.Status.ACTIVE, CreditAccount.Status.RESTRICTED, agent, "chargeback")
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.RESTRICTED
    assert LedgerEntry.objects.count() == before["ledger"]  # a status change moves no money

    assert ledger.account_set_status(account=account, status=CreditAccount.Status.RESTRICTED) is False
    assert AccountStatusChange.objects.count() == 1

    assert ledger.account_set_status(account=account, status=CreditAccount.Status.BANNED) is True
    latest = AccountStatusChange.objects.first()  # ordering is newest first
    assert (latest.old_status, latest.new_status) == (CreditAccount.Status.RESTRICTED, CreditAccount.Status.BANNED)


# ---------------------------------------------------------------- verify_ledger


def reported(err, account, text):
    """The command's stderr has this line for this account (SQLite sums may print 200 for 200.00)."""
    pattern = rf"^account {account.pk}: {re.escape(text)}(\.00)?$"
    return re.search(pattern, err.getvalue(), re.MULTILINE) is not None


def _busy_account():
    account = make_account(D("2000.00"))
    first = purchase(account, D("500.00"))
    second = purchase(account, D("300.00"))
    make_refund(first, D("200.00"))
    make_refund(second)
    ledger.account_repay(account=account, amount="100.00")
    ledger.freeze_create(account=account, amount="50.00", reason=Freeze.Reason.ABNORMAL)
    ledger.freeze_release(freeze=Freeze.objects.get(refund__order=second), source=Freeze.ReleaseSource.TIMER)
    ledger.limit_change(account=account, new_limit="2500.00")
    return account


def test_verify_ledger_passes_after_normal_activity():
    account = _busy_account()
    other = make_account(D("300.00"))
    purchase(other, D("300.00"))
    assert balances(account) == (D("2500.00"), D("200.00"), D("250.00"), D("2050.00"))
    out = StringIO()
    call_command("verify_ledger", stdout=out, stderr=StringIO())
    assert "Ledger clean" in out.getvalue()


def test_verify_ledger_fails_on_a_corrupted_used_balance():
    account = _busy_account()
    clean = make_account(D("300.00"))
    CreditAccount.objects.filter(pk=account.pk).update(used=D("150.00"))
    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 ledger mismatch"):
        call_command("verify_ledger", stdout=StringIO(), stderr=err)
    assert reported(err, account, "used is 150.00 but the ledger says 200")
    assert f"account {clean.pk}:" not in err.getvalue()


def test_verify_ledger_fails_on_a_corrupted_frozen_balance():
    account = _busy_account()
    CreditAccount.objects.filter(pk=account.pk).update(frozen=D("0.00"))
    err = StringIO()
    with pytest.raises(CommandError, match=r"^2 ledger mismatch"):
        call_command("verify_ledger", stdout=StringIO(), stderr=err)
    assert reported(err, account, "frozen is 0.00 but the ledger says 250")
    assert reported(err, account, "frozen vs active freezes is 0.00 but the ledger says 250")


def test_verify_ledger_fails_when_a_freeze_is_released_without_a_ledger_row():
    account = _busy_account()
    Freeze.objects.filter(account=account, reason=Freeze.Reason.ABNORMAL).update(
        status=Freeze.Status.RELEASED, released_at=EVE_OF_NATIONAL_DAY, release_source=Freeze.ReleaseSource.STAFF)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=StringIO(), stderr=err)
    assert reported(err, account, "frozen vs active freezes is 250.00 but the ledger says 200")
