"""Random sequences of every ledger service against a pure-Python model of the balances.

Each step predicts the outcome (new balances, or which domain error) from the model; the
services must agree, a refusal must leave the database untouched, and after every step the
cached buckets must match both the model and the ledger (ledger_mismatches)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.errors import (
    AccountNotActive,
    ExceedsUsed,
    InsufficientAvailable,
    InvalidAmount,
    LedgerError,
    LimitBelowCommitted,
    RefundExceedsOrder,
)
from accounts.models import AccountStatusChange, CreditAccount, Freeze, LedgerEntry, Order, Refund, RiskLevel
from accounts.money import ZERO
from accounts.selectors import ledger_mismatches
from accounts.services import ledger, policy
from accounts.tests.factories import CustomerFactory

ACTIVE, RESTRICTED, BANNED = CreditAccount.Status.ACTIVE, CreditAccount.Status.RESTRICTED, CreditAccount.Status.BANNED
CENT = Decimal("0.01")
# Fixed times keep the refund risk rules deterministic: every refund of an example falls on
# one day, and no order is placed in the hour after a refund (purchase_after_return).
ORDERED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REFUNDED_AT = ORDERED_AT + timedelta(hours=2)


def yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# Whole fen from 0.01 to 1500.00, biased towards small amounts.
amounts = st.one_of(st.integers(1, 100), st.integers(1, 150_000)).map(yuan)
limits = st.integers(0, 300_000).map(yuan)
opening_limits = st.one_of(st.just(ZERO), st.integers(10_000, 300_000).map(yuan))
invalid_amounts = st.sampled_from(["0", "-1.00", "1.001", "NaN", "1e30"])
# How an amount relates to the bucket it comes out of, so that steps both succeed and fail.
portions = st.tuples(st.sampled_from(["part", "part", "all", "over", "any", "invalid"]), st.integers(1, 99), amounts,
                     invalid_amounts)
account_index = st.integers(0, 1)
_numbers = count()


def pick(held: Decimal, portion):
    how, percent, anything, invalid = portion
    if how == "part":
        return max(CENT, (held * percent / 100).quantize(CENT))
    if how == "all":
        return max(CENT, held)
    if how == "over":
        return held + CENT
    if how == "invalid":
        return invalid
    return anything


def is_invalid(portion) -> bool:
    return portion[0] == "invalid"


@dataclass
class ModelAccount:
    pk: int
    limit: Decimal
    used: Decimal = ZERO
    frozen: Decimal = ZERO
    status: str = ACTIVE
    entries: int = 1  # the opening limit
    refunds: int = 0

    @property
    def available(self):
        return self.limit - self.used - self.frozen


@dataclass
class ModelOrder:
    pk: int
    account: ModelAccount
    amount: Decimal
    refunded: Decimal = ZERO

    @property
    def refundable(self):
        return self.amount - self.refunded


@dataclass
class ModelFreeze:
    pk: int
    account: ModelAccount
    amount: Decimal
    active: bool = True


class LedgerMachine(RuleBasedStateMachine):
    orders = Bundle("orders")
    freezes = Bundle("freezes")

    def __init__(self):
        super().__init__()
        # All examples share the test's one transaction: each runs inside a savepoint that
        # teardown() (always called, even after a failure) rolls back, so every example starts
        # from an empty ledger and ledger_mismatches() stays cheap.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.accounts: list[ModelAccount] = []
        self.model_orders: dict[int, ModelOrder] = {}
        self.model_freezes: dict[int, ModelFreeze] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    @initialize(first=opening_limits, second=opening_limits)
    def open_accounts(self, first, second):
        assert not CreditAccount.objects.exists()  # the previous example was rolled back
        for limit in (first, second):
            if limit == ZERO:
                # account_open refuses a zero limit; open with a fen and cut it back to zero.
                account = ledger.account_open(customer=CustomerFactory(), limit="0.01")
                assert ledger.limit_change(account=account, new_limit="0") is not None
                self.accounts.append(ModelAccount(account.pk, ZERO, entries=2))
            else:
                account = ledger.account_open(customer=CustomerFactory(), limit=limit)
                self.accounts.append(ModelAccount(account.pk, limit))

    # ------------------------------------------------------------ plumbing

    @staticmethod
    def snapshot(model: ModelAccount):
        row = CreditAccount.objects.get(pk=model.pk)
        return (
            (row.limit, row.used, row.frozen, row.status),
            LedgerEntry.objects.count(), Order.objects.count(), Refund.objects.count(), Freeze.objects.count(),
            Freeze.objects.filter(status=Freeze.Status.ACTIVE).count(), AccountStatusChange.objects.count(),
        )

    def attempt(self, model: ModelAccount, error: type[LedgerError] | None, call):
        """Run `call`; if the model predicts `error`, it must raise exactly that and change nothing."""
        if error is None:
            return call()
        before = self.snapshot(model)
        try:
            call()
        except LedgerError as exc:
            assert type(exc) is error, f"expected {error.__name__}, got {type(exc).__name__}: {exc}"
            assert str(exc) == str(error.default_message)
        else:
            raise AssertionError(f"expected {error.__name__}, nothing was raised")
        assert self.snapshot(model) == before
        return None

    def do_refund(self, order_pk, amount, invalid=False):
        order = self.model_orders[order_pk]
        model = order.account
        if invalid or amount <= ZERO:
            error = InvalidAmount
        elif amount > order.refundable:
            error = RefundExceedsOrder
        elif amount > model.used:
            error = ExceedsUsed  # the order was (partly) repaid already
        else:
            error = None
        refund = self.attempt(model, error, lambda: policy.refund_record(
            order=Order.objects.get(pk=order_pk), amount=amount, returned_item_name="item",
            returned_item_sku="SKU", return_address="addr", occurred_at=REFUNDED_AT,
        ))
        if refund is None:
            return multiple()
        # The only risk rules that can fire here count the account's refunds that day (all at
        # REFUNDED_AT): one too many per day is high risk, i.e. malicious; per week medium.
        model.refunds += 1
        malicious = model.refunds > django_settings.RISK_MAX_REFUNDS_PER_DAY
        medium = model.refunds > django_settings.RISK_MAX_RETURNS_PER_WEEK
        assert refund.risk_level == (RiskLevel.HIGH if malicious else RiskLevel.MEDIUM if medium else RiskLevel.LOW)
        full = amount == order.amount
        assert refund.kind == (Refund.Kind.FULL if full else Refund.Kind.PARTIAL)
        freeze = Freeze.objects.get(refund=refund)
        if malicious:
            expected_reason = Freeze.Reason.MALICIOUS
        else:
            expected_reason = Freeze.Reason.NORMAL_REFUND if full else Freeze.Reason.PARTIAL_REFUND
        assert (freeze.reason, freeze.amount, freeze.status) == (expected_reason, amount, Freeze.Status.ACTIVE)
        order.refunded += amount
        model.used -= amount
        model.frozen += amount
        model.entries += 1
        self.model_freezes[freeze.pk] = ModelFreeze(freeze.pk, model, amount)
        new = [freeze.pk]
        if malicious:
            # The rest of the available limit is frozen too, and the account banned.
            rest = model.available
            extra = list(Freeze.objects.filter(account_id=model.pk).exclude(pk__in=self.model_freezes))
            if rest > ZERO:
                (hold,) = extra
                assert (hold.amount, hold.reason, hold.refund_id) == (rest, Freeze.Reason.MALICIOUS, None)
                model.frozen += rest
                model.entries += 1
                self.model_freezes[hold.pk] = ModelFreeze(hold.pk, model, rest)
                new.append(hold.pk)
            else:
                assert extra == []
            model.status = BANNED
        return multiple(*new)

    # ------------------------------------------------------------ rules

    @rule(target=orders, i=account_index, portion=portions)
    def purchase(self, i, portion):
        model = self.accounts[i]
        amount = pick(model.available, portion)
        if is_invalid(portion):
            error = InvalidAmount
        elif model.status != ACTIVE:
            error = AccountNotActive
        elif amount > model.available:
            error = InsufficientAvailable
        else:
            error = None
        order = self.attempt(model, error, lambda: ledger.order_purchase(
            account=CreditAccount(pk=model.pk), number=f"HYP{next(_numbers):012d}", amount=amount,
            item_name="item", item_sku="SKU", delivery_address="addr", occurred_at=ORDERED_AT,
        ))
        if order is None:
            return multiple()
        assert (order.amount, order.account_id) == (amount, model.pk)
        model.used += amount
        model.entries += 1
        self.model_orders[order.pk] = ModelOrder(order.pk, model, amount)
        return order.pk

    @precondition(lambda self: any(model.used for model in self.accounts))
    @rule(i=account_index, portion=portions)
    def repay(self, i, portion):
        model = self.accounts[i] if self.accounts[i].used else self.accounts[1 - i]
        amount = pick(model.used, portion)
        if is_invalid(portion):
            error = InvalidAmount
        elif amount > model.used:
            error = ExceedsUsed
        else:
            error = None
        if self.attempt(model, error, lambda: ledger.account_repay(account=CreditAccount(pk=model.pk),
                                                                     amount=amount)):
            model.used -= amount
            model.entries += 1

    @rule(target=freezes, order_pk=orders)
    def refund_full(self, order_pk):
        """The whole order (a full refund), or refused once anything of it was refunded."""
        return self.do_refund(order_pk, self.model_orders[order_pk].amount)

    @rule(target=freezes, order_pk=orders, portion=portions)
    def refund_partial(self, order_pk, portion):
        """Part of, all of, or more than what is left of the order."""
        amount = pick(self.model_orders[order_pk].refundable, portion)
        return self.do_refund(order_pk, amount, invalid=is_invalid(portion))

    @rule(target=freezes, order_pk=orders, parts=st.integers(2, 5))
    def refund_in_installments(self, order_pk, parts):
        """What is left of the order in `parts` partial refunds: soon one too many for a day."""
        order = self.model_orders[order_pk]
        share = (order.refundable / parts).quantize(CENT)
        freeze_pks = []
        for n in range(parts):
            amount = order.refundable if n == parts - 1 else max(CENT, share)
            freeze_pks += list(self.do_refund(order_pk, amount))
        return multiple(*freeze_pks)

    @rule(target=freezes, i=account_index, portion=portions,
          reason=st.sampled_from([Freeze.Reason.ROUTINE_RISK, Freeze.Reason.ABNORMAL, Freeze.Reason.MALICIOUS]))
    def freeze_create(self, i, portion, reason):
        model = self.accounts[i]
        amount = pick(model.available, portion)
        if is_invalid(portion):
            error = InvalidAmount
        elif amount > model.available:
            error = InsufficientAvailable
        else:
            error = None
        freeze = self.attempt(model, error, lambda: ledger.freeze_create(
            account=CreditAccount(pk=model.pk), amount=amount, reason=reason))
        if freeze is None:
            return multiple()
        assert (freeze.amount, freeze.reason, freeze.account_id) == (amount, reason, model.pk)
        model.frozen += amount
        model.entries += 1
        self.model_freezes[freeze.pk] = ModelFreeze(freeze.pk, model, amount)
        return freeze.pk

    @rule(freeze_pk=freezes, source=st.sampled_from(Freeze.ReleaseSource.values))
    def freeze_release(self, freeze_pk, source):
        # Draws from the bundle without consuming it, so already released freezes come up again.
        freeze = self.model_freezes[freeze_pk]
        model = freeze.account
        before = None if freeze.active else self.snapshot(model)
        result = ledger.freeze_release(freeze=Freeze(pk=freeze_pk, account_id=model.pk), source=source)
        assert result.released is freeze.active
        if freeze.active:
            freeze.active = False
            model.frozen -= freeze.amount
            model.entries += 1
        else:
            assert self.snapshot(model) == before
        assert LedgerEntry.objects.filter(freeze_id=freeze_pk, kind=LedgerEntry.Kind.RELEASE).count() == 1

    @rule(freeze_pk=consumes(freezes))
    def release_and_forget(self, freeze_pk):
        """Release (or re-release) by timer and drop the freeze from the bundle."""
        self.freeze_release(freeze_pk, Freeze.ReleaseSource.TIMER)

    @rule(i=account_index, target_limit=limits,
          relative=st.sampled_from(["absolute", "committed", "below", "same", "up", "invalid"]))
    def change_limit(self, i, target_limit, relative):
        model = self.accounts[i]
        committed = model.used + model.frozen
        target_limit = {
            "committed": committed,  # the lowest legal cut
            "below": committed - CENT,  # one fen too low (or negative when nothing is committed)
            "same": model.limit,
            "up": model.limit + target_limit,
            "invalid": "NaN",
        }.get(relative, target_limit)
        if relative == "invalid" or target_limit < ZERO:
            error, delta = InvalidAmount, None
        else:
            delta = target_limit - model.limit
            if delta > ZERO and model.status == BANNED:
                error = AccountNotActive
            elif delta < ZERO and target_limit < committed:
                error = LimitBelowCommitted
            else:
                error = None
        before = self.snapshot(model) if delta == ZERO else None
        entry = self.attempt(model, error, lambda: ledger.limit_change(
            account=CreditAccount(pk=model.pk), new_limit=target_limit))
        if error is None and delta == ZERO:
            assert entry is None
            assert self.snapshot(model) == before
        elif error is None:
            assert entry.amount == abs(delta)
            model.limit = target_limit
            model.entries += 1

    @rule(i=account_index, status=st.sampled_from([ACTIVE, ACTIVE, RESTRICTED, BANNED]))
    def set_status(self, i, status):
        model = self.accounts[i]
        changed = ledger.account_set_status(account=CreditAccount(pk=model.pk), status=status)
        assert changed is (status != model.status)
        model.status = status

    # ------------------------------------------------------------ invariants

    @invariant()
    def balances_match_the_model(self):
        rows = CreditAccount.objects.in_bulk([model.pk for model in self.accounts])
        for model in self.accounts:
            row = rows[model.pk]
            assert (row.limit, row.used, row.frozen, row.status) == (
                model.limit, model.used, model.frozen, model.status)
            assert min(row.limit, row.used, row.frozen, row.available) >= ZERO
            assert row.available == row.limit - row.used - row.frozen == model.available
            assert row.used + row.frozen <= row.limit
            active = sum((f.amount for f in self.model_freezes.values() if f.account is model and f.active), ZERO)
            assert active == model.frozen
        entries = dict(
            LedgerEntry.objects.filter(account_id__in=rows).values("account_id").annotate(n=Count("pk"))
            .values_list("account_id", "n")
        )
        assert entries == {model.pk: model.entries for model in self.accounts}

    @invariant()
    def ledger_is_consistent(self):
        assert ledger_mismatches() == []

    @invariant()
    def refunds_and_freezes_match_the_model(self):
        refunded = dict(
            Refund.objects.filter(order_id__in=self.model_orders).values("order_id").annotate(total=Sum("amount"))
            .values_list("order_id", "total")
        )
        for order in self.model_orders.values():
            assert refunded.get(order.pk, ZERO) == order.refunded <= order.amount
        statuses = dict(Freeze.objects.filter(pk__in=self.model_freezes).values_list("pk", "status"))
        assert statuses == {
            freeze.pk: Freeze.Status.ACTIVE if freeze.active else Freeze.Status.RELEASED
            for freeze in self.model_freezes.values()
        }


@pytest.mark.django_db
def test_ledger_state_machine():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
