"""Staff views of the credit records. Money moves only through accounts.services, so every
credit record is read-only here; only the business-day calendar is edited in the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import (
    AccountStatusChange,
    Bill,
    CreditAccount,
    Freeze,
    LedgerEntry,
    Order,
    Refund,
    User,
)


class ReadOnlyAdminMixin:
    """Viewable by those with the view permission; nobody adds, changes or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Contact"), {"fields": ("phone",)}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Contact"), {"fields": ("phone",)}))
    list_display = ("username", "phone", "is_staff", "is_active")
    search_fields = ("username", "phone", "email")


class FreezeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Freeze
    fields = ("amount", "reason", "status", "created_at", "expected_release_on", "released_at")
    readonly_fields = fields
    extra = 0


class OwedCutInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Overdue streaks whose limit cut could not be made in full yet (the ledger completes it)."""

    model = Bill
    fields = ("due_on", "amount", "declared_overdue_on", "limit_cut", "limit_cut_owed")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("overdue limit cuts still owed")

    def has_view_permission(self, request, obj=None):
        return roles.may_oversee(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(limit_cut_owed__gt=0)


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "limit", "used", "frozen", "available", "status")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("customer__username", "customer__phone")
    readonly_fields = ("customer", "limit", "used", "frozen", "available", "status", "created_at")
    inlines = [OwedCutInline, FreezeInline]

    @admin.display(description=_("available"))
    def available(self, obj):
        return obj.available


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "account", "amount", "item_name", "platform", "created_at")
    list_filter = ("platform",)
    list_select_related = ("account__customer",)
    search_fields = ("number", "account__customer__username")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("order", "amount", "kind", "tracking_number", "platform_synced", "created_at")
    list_filter = ("kind", "platform_synced")
    list_select_related = ("order",)
    search_fields = ("order__number", "tracking_number")


@admin.register(Freeze)
class FreezeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "amount", "reason", "status", "expected_release_on", "released_at")
    list_filter = ("status", "reason")
    list_select_related = ("account__customer",)
    search_fields = ("account__customer__username", "refund__order__number")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "account", "kind", "amount", "source", "target", "created_at")
    list_filter = ("kind",)
    list_select_related = ("account__customer",)
    search_fields = ("account__customer__username", "order__number")


@admin.register(AccountStatusChange)
class AccountStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "old_status", "new_status", "actor", "created_at")
    list_select_related = ("account__customer", "actor")

