"""The dashboard's stored days (appeals.desk.daily): filled once, not recomputed, filled by the beat
job, equal to the numbers computed live; and the numbers that change after a day is over (audit
verdicts, approvals of older appeals, re-assessed rules of open ones) show at once."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory
from appeals import tasks
from appeals.desk import daily, stats
from appeals.models import Appeal, AuditSample, AuditVerdict, DailySummary, State
from appeals.tests.desk.dashboard_data import DASHBOARD, NOW, appeal, at, event
from appeals.transitions import Transition

pytestmark = pytest.mark.django_db


def numbers(now=NOW):
    with time_machine.travel(now, tick=False):
        return stats.dashboard()


def agents(result):
    return {a.username: (a.decisions, a.approvals, a.audited, a.overturned, a.review_overturned)
            for a in result["agents"]}


def rules(result):
    return {r.code: (r.fired, r.decided, r.approved) for r in result["rules"]}


def computed_days():
    """Patch daily.compute and collect the first day of each call."""
    return mock.patch.object(daily, "compute", wraps=daily.compute)


def comparable(result):
    return {**result, "agents": agents(result), "rules": [(r.code, r.fired, r.decided, r.approved)
                                                          for r in result["rules"]]}


def test_the_first_page_stores_the_past_days_and_the_next_reads_them(known):
    with computed_days() as compute:
        cold = numbers()
        assert compute.call_args.args[0][0] == NOW.date() - timedelta(days=29)
        stored = dict(DailySummary.objects.values_list("day", "computed_at"))
        assert len(stored) == 29 and NOW.date() not in stored  # today is never stored
        warm = numbers(NOW + timedelta(minutes=5))
        assert [call.args[0] for call in compute.call_args_list[1:]] == [[NOW.date()]]  # today alone
    assert dict(DailySummary.objects.values_list("day", "computed_at")) == stored
    assert comparable(warm) == comparable(cold)


def test_stored_days_give_the_numbers_computed_live(known):
    amy = AgentFactory(username="amy3")
    for i in range(12):  # decisions over the window, up to three days after filing, some at night
        filed = at(2, 12, 9 + i % 5) + timedelta(days=2 * i)
        made = appeal(filed, State.APPROVED if i % 3 else State.REJECTED, *["item_mismatch"] * (i % 2))
        decided = event(made, Transition.APPROVE if i % 3 else Transition.REJECT, filed + timedelta(hours=7 * i), amy)
        if i % 4 == 0:
            sample = AuditSample.objects.create(event=decided, appeal=made, decided_by=amy,
                                                decided_on=decided.created_at.date(), reason="sampled")
            AuditVerdict.objects.create(sample=sample, supervisor=known, verdict="confirmed")
    live = numbers()
    stored = numbers()
    DailySummary.objects.all().delete()
    assert comparable(stored) == comparable(live) == comparable(numbers())
    assert live["decisions"] == 17 and agents(live)["amy3"] == (12, 8, 3, 0, 0)


def test_a_verdict_on_a_five_day_old_decision_shows_at_once(known):
    bob = AgentFactory(username="bob5")
    made = appeal(at(3, 4, 9), State.APPROVED)
    decided = event(made, Transition.APPROVE, at(3, 5, 10), bob)
    assert agents(numbers())["bob5"] == (1, 1, 0, 0, 0)
    sample = AuditSample.objects.create(event=decided, appeal=made, decided_by=bob, reason=AuditSample.Reason.SAMPLED,
                                        decided_on=decided.created_at.date())
    AuditVerdict.objects.create(sample=sample, supervisor=known, verdict=AuditVerdict.Verdict.OVERTURNED, note="错")
    assert agents(numbers())["bob5"] == (1, 1, 1, 1, 0)


def test_an_appeal_open_ten_days_and_approved_today_moves_its_rule_from_open_to_decided(known):
    made = appeal(at(2, 28, 9), State.IN_REVIEW, "item_mismatch")
    assert rules(numbers())["item_mismatch"] == (1, 0, 0)
    assert DailySummary.objects.filter(day=at(2, 28, 9).date()).exists()
    Appeal.objects.filter(pk=made.pk).update(state=State.APPROVED)  # as appeal_approve does, with its event
    event(made, Transition.APPROVE, NOW + timedelta(hours=1), AgentFactory())
    assert rules(numbers(NOW + timedelta(hours=1, seconds=1)))["item_mismatch"] == (1, 1, 1)
    # The next days: 03-10 (the approval's day) is stored with the rule, and counted once.
    tomorrow = NOW + timedelta(days=1)
    assert rules(numbers(tomorrow))["item_mismatch"] == (1, 1, 1)
    with computed_days() as compute:
        assert rules(numbers(tomorrow + timedelta(days=1)))["item_mismatch"] == (1, 1, 1)
    assert compute.call_args.args[0] == [tomorrow.date(), tomorrow.date() + timedelta(days=1)]
    with time_machine.travel(tomorrow.replace(hour=0, minute=20), tick=False):
        tasks.fill_dashboard_days()
    assert rules(numbers(tomorrow))["item_mismatch"] == (1, 1, 1)


def test_rules_assessed_again_on_an_open_appeal_show_at_once(known):
    made = appeal(at(3, 1, 9), State.SUBMITTED, "item_mismatch")
    assert "item_mismatch" in rules(numbers())
    # A resubmission re-assesses the rules (appeals.workflow.steps.appeal_assess_risk).
    Appeal.objects.filter(pk=made.pk).update(risk_rules=[{"code": "evidence_reused", "level": "high", "params": {}}],
                                             risk_assessed_at=NOW + timedelta(minutes=30))
    now = rules(numbers(NOW + timedelta(hours=1)))
    assert "item_mismatch" not in now and now["evidence_reused"] == (2, 1, 0)  # a2's and this one


def test_a_rule_counts_with_its_decision_whenever_the_appeal_was_filed(known):
    # Filed before the window, decided in it: the decision and its rule count; the filing does not.
    older = appeal(at(1, 20, 9), State.REJECTED, "item_mismatch")
    event(older, Transition.REJECT, at(3, 1, 10), AgentFactory())
    assert rules(numbers())["item_mismatch"] == (1, 1, 0)
    assert DailySummary.objects.get(day=at(3, 1, 10).date()).counts["rules"] == {"item_mismatch": [1, 0]}
    # Stored: the day is read, not counted again, and gives the same row.
    assert rules(numbers(NOW + timedelta(minutes=1)))["item_mismatch"] == (1, 1, 0)


def test_a_missing_day_is_filled_once(known):
    numbers()
    DailySummary.objects.filter(day=at(3, 8, 9).date()).delete()
    with computed_days() as compute:
        numbers()
        numbers()
    assert [call.args[0][0] for call in compute.call_args_list] == [at(3, 8, 9).date(), NOW.date()]
    assert DailySummary.objects.get(day=at(3, 8, 9).date()).counts["approved"] == 1


def test_yesterday_is_stored_only_once_its_transactions_have_settled(known):
    just_after_midnight = NOW.replace(hour=0, minute=5) + timedelta(days=1)
    numbers(just_after_midnight)
    assert not DailySummary.objects.filter(day=NOW.date()).exists()
    numbers(just_after_midnight + daily.SETTLE)
    assert DailySummary.objects.filter(day=NOW.date()).exists()


def test_the_beat_job_fills_yesterday_after_midnight(known):
    assert settings.CELERY_BEAT_SCHEDULE["fill-dashboard-days"]["task"] == "appeals.tasks.fill_dashboard_days"
    event(appeal(at(3, 10, 9), State.REJECTED), Transition.REJECT, at(3, 10, 11), AgentFactory(username="eve"))
    with time_machine.travel(NOW.replace(hour=0, minute=20) + timedelta(days=1), tick=False):
        assert tasks.fill_dashboard_days() == 29
        assert tasks.fill_dashboard_days() == 0  # again: nothing left to store
    row = DailySummary.objects.get(day=NOW.date())
    assert (row.counts["rejected"], row.counts["filed"]) == (1, 1)
    assert DailySummary.objects.count() == 29
    with computed_days() as compute:
        result = numbers(NOW + timedelta(days=1))
    assert [call.args[0] for call in compute.call_args_list] == [[NOW.date() + timedelta(days=1)]]
    assert agents(result)["eve"] == (1, 0, 0, 0, 0)


def test_warm_pages_take_the_same_queries_with_more_data(login, known):
    client = login(known)
    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as cold:
            assert client.get(reverse(DASHBOARD)).status_code == 200
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse(DASHBOARD)).status_code == 200
        amy = AgentFactory(username="amy2")
        for i in range(6):  # older appeals decided today and new ones filed today
            older = appeal(at(3, 1 + i, 9), State.REJECTED, "refunds_per_day", f"rule_{i}")
            event(older, Transition.REJECT, timezone.now() - timedelta(minutes=i), amy)
            appeal(timezone.now() - timedelta(hours=i), State.SUBMITTED, "item_mismatch")
        with CaptureQueriesContext(connection) as more:
            assert client.get(reverse(DASHBOARD)).status_code == 200
    inserts = [[q for q in page.captured_queries if q["sql"].startswith("INSERT") and "dailysummary" in q["sql"]]
               for page in (cold, few)]
    assert [len(i) for i in inserts] == [1, 0]  # the cold page stores the 29 days in one insert
    # The warm page reads the stored days: the cold page's queries but that insert, whatever the volume.
    assert len(more) == len(few) == len(cold) - 1 <= 12, len(few)
