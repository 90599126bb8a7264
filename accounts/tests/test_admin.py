from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import LedgerEntry
from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, UserFactory, make_account

pytestmark = pytest.mark.django_db


def test_role_groups_hold_their_permissions():
    perms = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert perms["customer"] == set()
    assert "view_ledgerentry" in perms["agent"]
    assert not {p for p in perms["agent"] if not p.startswith("view_")}
    assert "change_calendarexception" in perms["supervisor"]
    ledger_perms = {p for p in perms["agent"] | perms["supervisor"] if p.endswith("_ledgerentry")}
    assert ledger_perms == {"view_ledgerentry"}


def test_staff_flags_follow_roles():
    assert AgentFactory().is_staff and AgentFactory().is_agent
    assert SupervisorFactory().is_supervisor
    customer = CustomerFactory()
    assert not customer.is_staff and customer.is_customer and not customer.is_agent


def test_customer_cannot_enter_admin(client):
    client.force_login(CustomerFactory())
    response = client.get(reverse("admin:accounts_creditaccount_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_agent_views_credit_accounts_but_cannot_change_them(client):
    account = make_account(Decimal("800.00"))
    client.force_login(AgentFactory())
    assert client.get(reverse("admin:accounts_creditaccount_changelist")).status_code == 200
    url = reverse("admin:accounts_creditaccount_change", args=[account.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"limit": "999999.00"})
    account.refresh_from_db()
    assert account.limit == Decimal("800.00")


@pytest.mark.parametrize("view", ["add", "delete"])
def test_nobody_adds_or_deletes_ledger_rows_in_admin_not_even_superusers(client, view):
    account = make_account(Decimal("100.00"))
    entry = LedgerEntry.objects.get(account=account)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    args = [] if view == "add" else [entry.pk]
    response = client.post(reverse(f"admin:accounts_ledgerentry_{view}", args=args), {"post": "yes"})
    assert response.status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_superuser_ledger_page_is_read_only(client):
    account = make_account(Decimal("100.00"))
    entry = LedgerEntry.objects.get(account=account)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:accounts_ledgerentry_change", args=[entry.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"amount": "5.00", "note": "edited"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.amount, entry.note) == (Decimal("100.00"), "credit line opened")


def test_supervisor_edits_calendar_exceptions(client):
    client.force_login(SupervisorFactory())
    response = client.post(
        reverse("admin:accounts_calendarexception_add"), {"date": "2027-02-20", "kind": "workday", "note": "调休"}
    )
    assert response.status_code == 302
    from datetime import date

    from accounts.business_days import is_business_day

    assert is_business_day(date(2027, 2, 20))  # a Saturday made a workday by the official notice
