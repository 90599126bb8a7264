"""Supervisors' dashboard (an admin page, supervisors only): the numbers of appeals.desk.stats drawn
as charts (appeals.desk.charts) and tables."""

from datetime import timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import stats
from .charts import Series, bar_chart, line_chart
from .export import require_supervisor


def _charts(numbers: dict) -> dict:
    days = numbers["days"]
    dates = [f"{d.day:%m-%d}" for d in days]
    day = _("Day")
    audited = [agent for agent in numbers["agents"] if agent.audited]
    return {
        "decisions": bar_chart(_("Decisions per day"), day, dates, [
            Series(_("Approved by staff"), [d.approved for d in days], "approved"),
            Series(_("Approved by the system"), [d.system for d in days], "system"),
            Series(_("Rejected"), [d.rejected for d in days], "rejected")]),
        "backlog": line_chart(_("Open appeals at the end of each day"), day, dates, [
            Series(_("Open appeals"), [d.backlog for d in days], "backlog")]),
        "time_to_decision": bar_chart(_("Time from submission to decision"), _("Time to decision"),
                                      [str(label) for label, _n in numbers["time_to_decision"]],
                                      [Series(_("Decisions"), [n for _label, n in numbers["time_to_decision"]],
                                              "approved")], dates=False),
        "breaches": bar_chart(_("Deadlines missed per day"), day, dates, [
            Series(_("Decided after its due time"), [d.late for d in days], "late"),
            Series(_("Past the complaint rules' deadline"), [d.regulatory for d in days], "rejected")]),
        "straight_through": line_chart(_("Straight-through rate per day"), day, dates, [
            Series(_("Approved by the system, no agent"), [d.straight_through_rate for d in days], "system")],
            percent=True),
        "overturns": bar_chart(_("Overturn rate on audit per agent"), _("Agent"), [a.username for a in audited],
                               [Series(_("Overturned on audit"), [a.overturn_rate for a in audited], "rejected")],
                               dates=False, percent=True),
    }


def dashboard_view(request):
    require_supervisor(request)
    numbers = stats.dashboard()
    today = timezone.localdate()
    return TemplateResponse(request, "admin/appeals/dashboard.html", {
        **admin.site.each_context(request),
        "title": _("Review desk dashboard"),
        "numbers": numbers,
        "charts": _charts(numbers),
        "export_start": today - timedelta(days=29),
        "export_end": today,
    })
