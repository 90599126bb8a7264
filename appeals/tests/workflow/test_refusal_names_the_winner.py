"""When two decisions race, the loser's refusal names who really decided and how: the row lock is
waited for first and everything shown is read after it. (PostgreSQL, real threads: skipped on SQLite.)

PostgreSQL re-checks only the locked row after a lock wait; rows joined into the same SELECT (the
decider's user) stay as the statement first saw them, so a refusal built from them said "by the
system" for an agent's decision."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from accounts import roles
from accounts.tests.factories import AgentFactory, UserFactory
from appeals.errors import AlreadyDecided
from appeals.models import RejectReason
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import decide, review
from conftest import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def _race(first, second):
    """`first` decides inside a transaction held open until `second` is waiting on its lock; returns
    what `second` raised."""
    holding, outcome = threading.Event(), {}

    def winner():
        try:
            with transaction.atomic():
                first()
                holding.set()
                wait_until(lambda: outcome.get("waiting"), timeout=20, interval=0.02)
        finally:
            connection.close()

    def loser():
        holding.wait(timeout=20)
        try:
            second()
        except AlreadyDecided as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=winner), threading.Thread(target=loser)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=20)
    wait_until(lambda: _waiting_on_a_lock() >= 1, timeout=20, interval=0.02)
    outcome["waiting"] = True
    for thread in threads:
        thread.join(timeout=30)
    return outcome.get("error")


@pytest.fixture
def appeal_and_agents():
    for name in (roles.CUSTOMER, roles.AGENT, roles.SUPERVISOR):  # flushed by transactional tests
        Group.objects.get_or_create(name=name)
    appeal = file_appeal(refund_freeze(Decimal("428.50"), customer=UserFactory()))
    first, second = AgentFactory(username="wang-agent"), AgentFactory(username="li-agent")
    review.appeal_claim(appeal_id=appeal.pk, actor=first)
    return appeal, first, second


def _reject(appeal, agent):
    return lambda: decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISMATCH,
                                        message="截图与订单不符")


def _approve(appeal, agent):
    return lambda: decide.appeal_approve(appeal_id=appeal.pk, actor=agent)


def test_an_approval_losing_to_a_rejection_names_the_rejecting_agent(appeal_and_agents):
    appeal, first, second = appeal_and_agents
    error = _race(_reject(appeal, first), _approve(appeal, second))
    assert error is not None
    assert "wang-agent" in str(error) and "the system" not in str(error) and "系统" not in str(error)


def test_a_rejection_losing_to_an_approval_names_the_approving_agent(appeal_and_agents):
    appeal, first, second = appeal_and_agents
    error = _race(_approve(appeal, first), _reject(appeal, second))
    assert error is not None
    assert "wang-agent" in str(error) and "the system" not in str(error) and "系统" not in str(error)
