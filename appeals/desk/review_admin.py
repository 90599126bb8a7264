"""The supervisors' review queue (复核) in the admin: open reviews by due date, each page with the
decision under review (who made it, why), the customer's reason, the review's own timeline and the
decision form. A supervisor who took part in the original decision sees no form; the service
refuses them anyway."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.admin import ReadOnlyAdminMixin

from ..errors import AppealError
from ..models import Review, ReviewEvent, ReviewState
from ..models.review import DECISION_TRANSITIONS
from ..workflow import reviews
from . import forms


class ReviewEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewEvent
    fields = ("created_at", "actor", "action", "from_state", "to_state", "note", "customer_message")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Review timeline")


class OpenFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or "open") == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        if (self.value() or "open") == "all":
            return queryset
        return queryset.filter(state__in=[ReviewState.REQUESTED, ReviewState.OVERTURN_PROPOSED])


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/appeals/review/change_form.html"
    list_display = ("reference", "customer", "kind", "state", "created_at", "due", "reviewer")
    list_filter = (OpenFilter, "state", "kind")
    list_select_related = ("customer", "reviewer")
    search_fields = ("=reference", "=appeal__reference", "=customer__username")
    ordering = ("due_at", "pk")
    readonly_fields = ("reference", "state", "kind", "customer", "created_at", "due", "reason", "original",
                       "proposed_by", "reviewer", "decided_at", "customer_message")
    fields = readonly_fields
    inlines = [ReviewEventInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj):
        text = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        return format_html('<span class="overdue">{} ({})</span>', text, _("overdue")) if obj.is_overdue else text

    @admin.display(description=_("decision under review"))
    def original(self, obj):
        if obj.appeal_id:
            appeal = obj.appeal
            lines = [(timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.get_transition_display(),
                      e.actor.get_username() if e.actor else _("system"), e.note or e.customer_message)
                     for e in appeal.events.select_related("actor").filter(transition__in=DECISION_TRANSITIONS)]
            link = format_html('<a href="{}">{}</a> ', reverse("admin:appeals_appeal_change", args=[appeal.pk]),
                               appeal.reference)
            return format_html("{}<ul>{}</ul>", link, format_html_join("", "<li>{} {} · {}: {}</li>", lines))
        freeze = obj.freeze
        return format_html("{} ¥{} · {} {} · {}", freeze.get_reason_display(), freeze.amount, _("frozen on"),
                           timezone.localtime(freeze.created_at).strftime("%Y-%m-%d"),
                           _("made automatically by the risk rules; account %(status)s")
                           % {"status": freeze.account.get_status_display()})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("appeal", "freeze__account", "customer", "proposed_by")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        form_class = forms.ConfirmOverturnForm if obj.state == ReviewState.OVERTURN_PROPOSED else forms.ReviewForm
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                self._decide(request, obj, form.cleaned_data)
                return HttpResponseRedirect(request.path)
        else:
            form = form_class()
        may_decide = (obj.is_open and roles.is_supervisor(request.user)
                      and request.user.pk not in obj.original_decider_ids()
                      and request.user.pk != obj.proposed_by_id)
        extra_context = {**(extra_context or {}), "decision_form": form if may_decide else None,
                         "show_save": False, "show_save_and_continue": False, "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request, obj, data):
        try:
            if obj.state == ReviewState.OVERTURN_PROPOSED and data["action"] == "confirm":
                reviews.review_confirm_overturn(review_id=obj.pk, actor=request.user, note=data["note"])
            elif obj.state == ReviewState.OVERTURN_PROPOSED:
                reviews.review_return_overturn(review_id=obj.pk, actor=request.user, note=data["note"])
            else:
                reviews.review_decide(review_id=obj.pk, actor=request.user, outcome=data["outcome"],
                                      message=data["message"], note=data["note"])
        except AppealError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, _("Review decision recorded."), messages.SUCCESS)
