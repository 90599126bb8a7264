"""The supervisors' dashboard on a known set of appeals: the numbers per day and per rule, the SVG
charts (axes, dates, values), and a fixed number of queries whatever the volume."""

import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AgentFactory
from appeals.desk import charts, stats
from appeals.models import State
from appeals.tests.desk.dashboard_data import DASHBOARD, NOW, appeal, at, event
from appeals.transitions import Transition

pytestmark = pytest.mark.django_db


def test_the_numbers_per_day_per_agent_and_per_rule(known):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        numbers = stats.dashboard()
    days = {f"{d.day:%m-%d}": d for d in numbers["days"]}
    assert len(days) == 30 and min(days) == "02-09" and max(days) == "03-10"
    assert [(d.approved, d.system, d.rejected, d.late) for d in (days["03-08"], days["03-09"])] == [
        (1, 0, 0, 0), (1, 1, 1, 1)]
    assert (days["03-07"].regulatory, days["02-26"].rejected) == (1, 1)
    assert days["03-09"].straight_through_rate == pytest.approx(1 / 3)
    # Open at the end of each day: a5 and a6 now; a2 and a4 too on 03-08; a6 alone on 02-26, with a7 on 02-25.
    assert [days[d].backlog for d in ("03-10", "03-09", "03-08", "03-07", "02-26", "02-25", "02-19")] == [
        2, 2, 3, 2, 1, 2, 0]
    with translation.override("en"):
        histogram = [(str(label), n) for label, n in numbers["time_to_decision"]]
    assert histogram == [("< 4 h", 2), ("4–24 h", 0), ("1–2 days", 2), ("2–5 days", 0), ("> 5 days", 1)]
    assert (numbers["decisions"], numbers["straight_through_rate"]) == (5, pytest.approx(0.2))
    agents = {a.username: (a.decisions, a.approvals, a.audited, a.overturned, a.review_overturned)
              for a in numbers["agents"]}
    assert agents == {"amy": (3, 1, 2, 1, 1), "bob": (1, 1, 0, 0, 0), "system": (1, 1, 0, 0, 0)}
    rules = [(r.code, r.fired, r.decided, r.approved) for r in numbers["rules"]]
    assert rules == [("returns_in_7_days", 1, 1, 1), ("refunds_per_day", 3, 2, 1), ("evidence_reused", 1, 1, 0)]


def svg(html, testid):
    return html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def test_the_charts_have_axes_dates_values_and_a_table(login, known):
    with time_machine.travel(NOW, tick=False):
        raw = login(known).get(reverse(DASHBOARD)).content.decode()
    html = unescape(raw)
    decisions = svg(html, "chart-decisions")
    assert 'role="img" aria-label="Decisions per day"' in decisions
    x_labels = re.findall(r'<text class="x-label"[^>]*>([^<]+)</text>', decisions)
    assert x_labels[-1] == "03-10" and "02-14" in x_labels and 5 <= len(x_labels) <= 8  # every 4th day
    y_labels = re.findall(r'<text class="y-label"[^>]*>([^<]+)</text>', decisions)
    assert y_labels == ["0", "1", "2", "3"]  # round ticks up to the busiest day (3 decisions)
    assert re.findall(r'<text class="value"[^>]*>(\d+)</text>', decisions) == ["1", "1", "3"]  # 02-26, 03-08, 03-09
    assert "<title>03-09 · Approved by the system: 1</title>" in decisions
    assert "<tr><th scope=\"row\">03-09</th><td>1</td><td>1</td><td>1</td></tr>" in decisions
    backlog = svg(html, "chart-backlog")
    assert "<title>03-08 · Open appeals: 3</title>" in backlog and "<polyline" in backlog
    straight = svg(html, "chart-straight-through")
    assert "<title>03-09 · Approved by the system, no agent: 33 %</title>" in straight
    assert re.findall(r'<text class="y-label"[^>]*>([^<]+)</text>', straight) == ["0 %", "25 %", "50 %", "75 %",
                                                                                 "100 %"]
    assert "<title>03-07 · Past the complaint rules' deadline: 1</title>" in svg(html, "chart-breaches")
    histogram = svg(raw, "chart-time-to-decision")
    assert [unescape(label) for label in re.findall(r'<text class="x-label"[^>]*>([^<]+)</text>', histogram)] == [
        "< 4 h", "4–24 h", "1–2 days", "2–5 days", "> 5 days"]
    assert "<title>amy · Overturned on audit: 50 %</title>" in svg(html, "chart-overturns")
    rows = re.findall(r'<tr data-testid="rule-row"><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>\s*'
                      r'<td>([^<]+)</td>', html)
    assert rows == [("Many returns in a week", "1", "1", "1", "100 %"),
                    ("Many refunds in one day", "3", "2", "1", "50 %"),
                    ("Screenshot already used by another customer", "1", "1", "0", "0 %")]


def test_the_dashboard_takes_the_same_queries_with_more_data(login, known):
    client = login(known)
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse(DASHBOARD)).status_code == 200  # stores the past days (test_dashboard_daily)
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse(DASHBOARD)).status_code == 200
        amy = AgentFactory(username="amy2")
        for i in range(6):
            more = appeal(at(3, 1 + i, 9), State.REJECTED, "refunds_per_day", f"rule_{i}")
            event(more, Transition.REJECT, at(3, 1 + i, 15), amy)
        with CaptureQueriesContext(connection) as more_queries:
            assert client.get(reverse(DASHBOARD)).status_code == 200
    # 7 for the numbers (appeals.desk.daily: the stored days, today's events with their rules, review
    # overturns, filings; then the open appeals with theirs, audits and agents' names), the rest the
    # session, the user and the admin's sidebar.
    assert len(more_queries) == len(few) <= 12, len(few)


@pytest.mark.parametrize(("peak", "ticks"), [(0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]),
                                              (97, [0, 25, 50, 75, 100]), (1234, [0, 500, 1000, 1500])])
def test_nice_ticks_are_round_and_reach_the_peak(peak, ticks):
    assert charts.nice_ticks(peak) == ticks


def test_a_day_without_a_value_breaks_the_line():
    chart = charts.line_chart("t", "d", ["a", "b", "c", "d"], [charts.Series("s", [1, None, 0.5, 1], "x")],
                              percent=True)
    assert len(chart["lines"][0]["paths"]) == 2 and len(chart["lines"][0]["points"]) == 3
