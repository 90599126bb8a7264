"""Take next under contention, on real PostgreSQL row locks: agents pressing "take next" at the
same moment each get a different appeal (SELECT … FOR UPDATE SKIP LOCKED), and none is assigned
twice. Each thread works on its own connection. (Skipped on SQLite by conftest.)"""

import functools
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User
from accounts.tests.factories import AgentFactory, UserFactory
from appeals.models import Appeal, AppealEvent, State
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import review
from conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AGENTS = 8


def take_next_all_at_once(agent_ids):
    """Every agent calls appeal_take_next at the same moment (a barrier); returns, per agent,
    the pk of the appeal they got, None, or the exception raised."""

    def take(agent_id):
        actor = User.objects.get(pk=agent_id)  # each thread loads its own copy, as a request would
        appeal = review.appeal_take_next(actor=actor)
        return appeal and appeal.pk

    results = run_together([functools.partial(take, agent_id) for agent_id in agent_ids])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


@pytest.fixture
def agents():
    for name in (roles.CUSTOMER, roles.AGENT, roles.SUPERVISOR):  # in case a flush removed the role groups
        Group.objects.get_or_create(name=name)
    return [AgentFactory().pk for _ in range(AGENTS)]


def waiting_appeals(n):
    return [file_appeal(refund_freeze(Decimal("599.00"), customer=UserFactory())).pk for _ in range(n)]


def assert_each_assigned_once(results, agent_ids):
    taken = [pk for pk in results if pk is not None]
    assert len(taken) == len(set(taken)), f"an appeal was handed out twice: {results}"
    for agent_id, pk in zip(agent_ids, results, strict=True):
        if pk is not None:
            appeal = Appeal.objects.get(pk=pk)
            assert (appeal.state, appeal.assignee_id) == (State.IN_REVIEW, agent_id)
    claims = Counter(AppealEvent.objects.filter(transition="claim").values_list("appeal_id", flat=True))
    assert claims == Counter(taken)  # exactly one claim per appeal taken, none for the others
    return taken


def test_eight_agents_at_once_take_eight_different_appeals(agents):
    waiting = waiting_appeals(AGENTS + 3)
    results = take_next_all_at_once(agents)
    taken = assert_each_assigned_once(results, agents)
    assert len(taken) == AGENTS
    assert set(taken) <= set(waiting)
    left = Appeal.objects.filter(pk__in=waiting, state=State.SUBMITTED, assignee__isnull=True)
    assert left.count() == 3


def test_three_waiting_appeals_for_eight_agents(agents):
    waiting = waiting_appeals(3)
    results = take_next_all_at_once(agents)
    taken = assert_each_assigned_once(results, agents)
    assert sorted(taken) == sorted(waiting)
    assert results.count(None) == AGENTS - 3
    assert not Appeal.objects.filter(state=State.SUBMITTED).exists()
