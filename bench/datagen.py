"""Bench-only data at volume: bulk_create, but exactly the rows the ledger services would write.

Per credit line: the opening limit (LIMIT_CHANGE outside→available), one purchase kept on the
account (PURCHASE available→used), and per freeze an order (PURCHASE), its full refund (REFUND
used→frozen, linked to order, refund and freeze) and the freeze; a released freeze also has its
RELEASE (frozen→available). The cached buckets are set to what those entries add up to, so
accounts.selectors.ledger_mismatches() is clean afterwards (the benchmarks assert it)."""

# ruff: noqa: S106  ("!" is Django's unusable password, not a secret)

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import Bucket, CreditAccount, Freeze, LedgerEntry, Order, Refund, RiskLevel, User
from appeals.evidence.images import hash_bands
from appeals.models import Appeal, Evidence, EvidenceHashBand, State

K = LedgerEntry.Kind
BATCH = 2000
LIMIT = Decimal("20000.00")
KEPT_PURCHASE = Decimal("200.00")
AMOUNTS = [Decimal(a) for a in ("59.90", "129.00", "599.00", "88.80", "1299.00", "35.50", "249.00")]
ADDRESS = "上海市浦东新区世纪大道100号"


@dataclass(frozen=True)
class MadeFreeze:
    id: int
    account_id: int
    customer_id: int
    amount: Decimal
    order_number: str
    tracking_number: str
    active: bool


def _chunks(items, size=BATCH):
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def staff(tag: str, *, agents: int = 8, supervisors: int = 2) -> tuple[list[User], list[User]]:
    """Agents and supervisors, with their role groups, as the admin sees them."""
    made = {roles.AGENT: [], roles.SUPERVISOR: []}
    for role, count in ((roles.AGENT, agents), (roles.SUPERVISOR, supervisors)):
        group = Group.objects.get(name=role)
        for i in range(count):
            user = User.objects.create(username=f"{tag}-{role}{i}", phone=f"139{i:08d}", is_staff=True,
                                       password="!")  # unusable: the bench logs in with force_login
            user.groups.add(group)
            made[role].append(user)
    return made[roles.AGENT], made[roles.SUPERVISOR]


def customers(tag: str, n: int, start: int = 0) -> list[int]:
    """n customers (unusable passwords) in the customer group; returns their ids in order."""
    group = Group.objects.get(name=roles.CUSTOMER)
    ids = []
    for chunk in _chunks(range(start, start + n)):
        users = User.objects.bulk_create([
            User(username=f"{tag}c{i:07d}", phone=f"138{i % 10**8:08d}", password="!") for i in chunk
        ], batch_size=BATCH)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users], batch_size=BATCH)
        ids += [user.pk for user in users]
    return ids


@transaction.atomic
def _credit_chunk(tag, customer_ids, start, freezes_per_account, due_on, is_released, back, now, counter):
    """Credit lines for one chunk of customers; returns MadeFreeze rows."""
    # Plan first, so that each account is created with its final buckets (no bulk_update afterwards).
    plans = []  # per customer: [(seq, amount, released, how far back its dates go)]
    for _cid in customer_ids:
        seqs = [next(counter) for _ in range(freezes_per_account)]
        plans.append([(seq, AMOUNTS[seq % len(AMOUNTS)], is_released(seq, f), back(f)) for f, seq in enumerate(seqs)])
    opened = now - timedelta(days=200) - max((back(f) for f in range(freezes_per_account)), default=timedelta())
    accounts = CreditAccount.objects.bulk_create(
        [CreditAccount(customer_id=cid, limit=LIMIT, used=KEPT_PURCHASE,
                       frozen=sum((amount for _s, amount, released, _b in plan if not released), Decimal("0.00")),
                       created_at=opened) for cid, plan in zip(customer_ids, plans, strict=True)],
        batch_size=BATCH)
    orders, kept, planned = [], [], []  # planned: (account, order index, seq, released, back)
    for a_index, (account, plan) in enumerate(zip(accounts, plans, strict=True)):
        n = start + a_index
        kept.append(len(orders))
        orders.append(Order(account=account, number=f"{tag}K{n:09d}", amount=KEPT_PURCHASE, item_name="保温杯 500ml",
                            item_sku="SKU-CUP", delivery_address=ADDRESS, created_at=now - timedelta(days=60)))
        for f, (seq, amount, released, ago) in enumerate(plan):
            orders.append(Order(account=account, number=f"{tag}F{seq:09d}", amount=amount, item_name="蓝牙耳机 Pro",
                                item_sku="SKU-EAR", delivery_address=ADDRESS,
                                created_at=now - timedelta(days=10, minutes=f) - ago))
            planned.append((account, len(orders) - 1, seq, released, ago))
    orders = Order.objects.bulk_create(orders, batch_size=BATCH)
    refunds = Refund.objects.bulk_create([
        Refund(order=orders[o], amount=orders[o].amount, kind=Refund.Kind.FULL, returned_item_name="蓝牙耳机 Pro",
               returned_item_sku="SKU-EAR", return_address=ADDRESS, tracking_number=f"SF{seq:013d}",
               created_at=now - timedelta(days=7) - ago, risk_level=RiskLevel.LOW)
        for _account, o, seq, _released, ago in planned], batch_size=BATCH)
    freezes = Freeze.objects.bulk_create([
        Freeze(account=account, amount=refund.amount, reason=Freeze.Reason.NORMAL_REFUND, refund=refund,
               created_at=refund.created_at, expected_release_on=due_on - ago,
               status=Freeze.Status.RELEASED if released else Freeze.Status.ACTIVE,
               released_at=now - timedelta(days=1) - ago if released else None,
               release_source=Freeze.ReleaseSource.APPEAL if released else "")
        for (account, _o, _seq, released, ago), refund in zip(planned, refunds, strict=True)], batch_size=BATCH)
    entries = []
    for account, k in zip(accounts, kept, strict=True):
        order = orders[k]
        entries.append(LedgerEntry(account=account, kind=K.LIMIT_CHANGE, amount=LIMIT, source=Bucket.OUTSIDE,
                                   target=Bucket.AVAILABLE, note="credit line opened", created_at=account.created_at))
        entries.append(LedgerEntry(account=account, kind=K.PURCHASE, amount=order.amount, source=Bucket.AVAILABLE,
                                   target=Bucket.USED, order=order, created_at=order.created_at))
    made = []
    for (account, o, *_rest), refund, freeze in zip(planned, refunds, freezes, strict=True):
        order = orders[o]
        entries += [
            LedgerEntry(account=account, kind=K.PURCHASE, amount=order.amount, source=Bucket.AVAILABLE,
                        target=Bucket.USED, order=order, created_at=order.created_at),
            LedgerEntry(account=account, kind=K.REFUND, amount=refund.amount, source=Bucket.USED,
                        target=Bucket.FROZEN, order=order, refund=refund, freeze=freeze, created_at=refund.created_at),
        ]
        if freeze.status == Freeze.Status.RELEASED:
            entries.append(LedgerEntry(account=account, kind=K.RELEASE, amount=freeze.amount, source=Bucket.FROZEN,
                                       target=Bucket.AVAILABLE, freeze=freeze, note="appeal",
                                       created_at=freeze.released_at))
        made.append(MadeFreeze(freeze.pk, account.pk, account.customer_id, freeze.amount, order.number,
                               refund.tracking_number, freeze.status == Freeze.Status.ACTIVE))
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    return made


def credit_lines(tag: str, customer_ids: list[int], *, freezes_per_account: int, due_on: date | None = None,
                 released_every: int = 0, released_first: int = 0, history_days: int = 0,
                 progress=None) -> list[MadeFreeze]:
    """A credit line per customer with `freezes_per_account` refund freezes (normal refunds, due on
    `due_on`, default in three business days' time); every `released_every`-th freeze is released,
    and the first `released_first` of each credit line: a customer's older history, `history_days`
    apart (the last of them that much older than the others, the first `released_first` times)."""

    def released(seq, index):
        return (bool(released_every) and seq % released_every == 0) or index < released_first

    def back(index):
        return timedelta(days=history_days * max(0, released_first - index))

    now = timezone.now()
    due_on = due_on or timezone.localdate() + timedelta(days=5)
    counter = itertools.count()
    made = []
    per_chunk = max(1, BATCH // max(1, freezes_per_account))
    for start in range(0, len(customer_ids), per_chunk):
        made += _credit_chunk(tag, customer_ids[start:start + per_chunk], start, freezes_per_account, due_on,
                              released, back, now, counter)
        if progress:
            progress(len(made))
    return made


# The queue's mix of states (weights of 20): two thirds open, a demanding share for the queue.
QUEUE_MIX = ([State.SUBMITTED] * 7 + [State.IN_REVIEW] * 4 + [State.INFO_REQUESTED] + [State.ESCALATED]
             + [State.REJECTED] * 5 + [State.WITHDRAWN] * 2)


def appeals(tag: str, freezes: list[MadeFreeze], *, agents: list[User], supervisors: list[User],
            states=None, start: int = 0, evidence: int = 3, hashes: random.Random | None = None,
            progress=None) -> list[int]:
    """One appeal per (active) freeze, states cycling through `states` (default QUEUE_MIX), due
    times spread over the next days (some overdue), with `evidence` ready screenshots each (rows only:
    the files are not needed by the queue). With `hashes`, each screenshot gets a random 256-bit
    perceptual hash from it, indexed as the worker does (hash bands). Returns the appeal ids."""
    states = states or QUEUE_MIX
    now = timezone.now()
    ids = []
    decided = {State.REJECTED, State.APPROVED}
    for chunk_start in range(0, len(freezes), BATCH):
        chunk = freezes[chunk_start:chunk_start + BATCH]
        rows = []
        for offset, freeze in enumerate(chunk):
            i = start + chunk_start + offset
            state = states[i % len(states)]
            agent = agents[i % len(agents)]
            created = now - timedelta(hours=i % 120, minutes=i % 60)
            rows.append(Appeal(
                reference=f"{tag}{i:09d}", customer_id=freeze.customer_id, freeze_id=freeze.id, state=state,
                assignee=None if state in (State.SUBMITTED, State.WITHDRAWN) else agent,
                claimed_order_number=freeze.order_number, claimed_tracking_number=freeze.tracking_number,
                claimed_amount=freeze.amount, description="我的订单已退货，系统显示金额被冻结，请协助解冻。",
                risk_level=(RiskLevel.LOW, RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM)[i % 4],
                risk_assessed_at=created,  # the screenshots are ready: the worker has assessed them
                created_at=created, due_at=created + timedelta(days=3),
                decided_at=now if state in decided or state == State.WITHDRAWN else None,
                decided_by=agent if state in decided else None,
                reject_reason="evidence_mismatch" if state == State.REJECTED else "",
            ))
        made = Appeal.objects.bulk_create(rows, batch_size=BATCH)
        kinds = [Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT][:evidence]
        screenshots = Evidence.objects.bulk_create([
            Evidence(appeal=appeal, kind=kind, status=Evidence.Status.READY, original_name=f"{kind}.png",
                     image=f"evidence/{appeal.reference}-{kind}.jpg", thumbnail=f"thumbs/{appeal.reference}-{kind}.jpg",
                     width=1170, height=2532,
                     phash=(f"{hashes.getrandbits(256):064x}" if hashes
                            else f"{(appeal.pk * 7919 + n) % (1 << 64):016x}" * 4),
                     uploaded_by_id=appeal.customer_id, created_at=appeal.created_at, processed_at=appeal.created_at)
            for appeal in made for n, kind in enumerate(kinds)], batch_size=BATCH)
        if hashes:
            EvidenceHashBand.objects.bulk_create([
                EvidenceHashBand(evidence=shot, band=band, value=value)
                for shot in screenshots for band, value in hash_bands(shot.phash)], batch_size=5 * BATCH)
        ids += [appeal.pk for appeal in made]
        if progress:
            progress(len(ids))
    return ids
