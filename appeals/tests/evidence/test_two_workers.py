"""Two real worker processes (prefork, one child each) on one Redis queue split 200 screenshots:
each is cleaned exactly once, and both workers take a share. Scale-out needs nothing more than
starting another worker. (Needs PostgreSQL and Redis: see test_faults.)"""

import re
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Freeze
from accounts.services import ledger
from accounts.tests.factories import CustomerFactory, make_account
from appeals import tasks
from appeals.evidence import uploads
from appeals.models import Evidence
from appeals.tests.factories import image_bytes, submit_appeal, upload
from appeals.tests.test_faults import FAULT_SERVICES, added_since, processed_once, snapshot, worker_processes
from conftest import wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(not FAULT_SERVICES, reason="waits for PostgreSQL and a Redis broker: set "
                       "DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (CI's PostgreSQL leg)"),
    pytest.mark.django_db(transaction=True),
]

APPEALS = 4
PER_APPEAL = 50


@pytest.fixture
def workers(transactional_db, tmp_path):
    with worker_processes(tmp_path) as start:
        yield start


def appeal_without_screenshots():
    """An appeal on a risk-control freeze (no refund behind it, so no screenshot is required)."""
    customer = CustomerFactory()
    freeze = ledger.freeze_create(account=make_account(customer=customer), amount=Decimal("300.00"),
                                  reason=Freeze.Reason.ROUTINE_RISK)
    return submit_appeal(customer=customer, freeze_id=freeze.pk, order_number="", tracking_number="",
                                  description="风控冻结,请协助解冻", files=[])


def test_two_worker_processes_split_the_evidence_and_clean_each_item_once(workers):
    before = snapshot()
    one, two = workers("scale-a", "scale-b")
    png = image_bytes(size=(120, 200))
    with transaction.atomic():  # published on commit: 200 messages at once for the two workers
        appeals = [appeal_without_screenshots() for _ in range(APPEALS)]
        for appeal in appeals:
            uploads.evidence_store(appeal, [(Evidence.Kind.OTHER, upload(f"shot{i}.png", png))
                                             for i in range(PER_APPEAL)], appeal.customer)
    evidence = Evidence.objects.filter(appeal__in=appeals)
    assert evidence.count() == APPEALS * PER_APPEAL == 200
    wait_until(lambda: not evidence.filter(status=Evidence.Status.PENDING).exists(), timeout=120)

    items = list(evidence)
    ids = [item.pk for item in items]
    assert {item.status for item in items} == {Evidence.Status.READY}
    assert all(item.processed_at and item.image and item.thumbnail for item in items)
    assert processed_once(ids, one.log(), two.log()) == dict.fromkeys(ids, 1)
    assert added_since(before, "evidence") == {item.image.name for item in items}
    assert added_since(before, "thumbs") == {item.thumbnail.name for item in items}
    assert added_since(before, "incoming") == set()

    shares = [len(re.findall(r"evidence \d+ ready \(", worker.log())) for worker in (one, two)]
    assert sum(shares) == 200 and min(shares) > 0, shares
    assert one.received(tasks.process_evidence) + two.received(tasks.process_evidence) == 200  # no duplicates
