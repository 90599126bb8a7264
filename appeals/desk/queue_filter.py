"""The queue's main filter: what still needs a decision, mine, unassigned, overdue."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import OPEN_STATES


class QueueFilter(admin.SimpleListFilter):
    """Open appeals by default: the queue is what still needs a decision."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("mine", _("Assigned to me")), ("unassigned", _("Unassigned")),
                ("overdue", _("Overdue")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "all" or request.GET.get("state__exact"):
            return queryset
        queryset = queryset.filter(state__in=OPEN_STATES)
        if value == "mine":
            return queryset.filter(assignee=request.user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if value == "overdue":
            return queryset.filter(due_at__lt=timezone.now(), clock_paused_at__isnull=True)
        return queryset
