"""The integrations in the admin, for superusers only: API clients (the key is shown once, when it
is made; only its hash is kept), webhook endpoints, and the deliveries with their attempts."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.types import EventType

from . import tasks, webhooks
from .models import ApiClient, DeliveryAttempt, Scope, WebhookDelivery, WebhookEndpoint


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ("name", "scopes", "rate_limit_per_minute")


@admin.register(ApiClient)
class ApiClientAdmin(SuperuserOnly, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "scope_list", "key_prefix", "last_used_at", "revoked_at")
    readonly_fields = ("key_prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_new_key()
            obj.created_by = request.user
            messages.warning(request, _("The key of %(name)s, shown this once (only its hash is kept): %(key)s")
                             % {"name": obj.name, "key": key})
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected clients' keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(n)d keys revoked.") % {"n": count}, messages.SUCCESS)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(label=_("event types"), choices=EventType.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=_("None ticked: every event type."))

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "event_types", "secret", "is_active")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Use an http:// or https:// address."))
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "is_active", "created_at")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "status_code", "latency_ms", "response_excerpt", "error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("event", "event_type_label", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "endpoint")
    list_select_related = ("event", "endpoint")
    fields = ("event", "endpoint", "status", "attempts", "first_attempt_at", "next_attempt_at", "delivered_at",
              "last_status_code", "position", "account_id")
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Redeliver the selected deliveries"), permissions=["view"])
    def redeliver(self, request, queryset):
        count = webhooks.redeliver(queryset)
        transaction.on_commit(tasks.deliver_webhooks_soon)
        self.message_user(request, _("%(n)d deliveries will be sent again.") % {"n": count}, messages.SUCCESS)


@admin.register(Event)
class EventAdmin(SuperuserOnly, admin.ModelAdmin):
    """The outbox, read-only: what was told, when, and in which order."""

    list_display = ("id", "type", "account_id", "position", "created_at")
    list_filter = ("type",)
    search_fields = ("=id", "=account_id")
    fields = ("type", "account_id", "data", "created_at", "position")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
