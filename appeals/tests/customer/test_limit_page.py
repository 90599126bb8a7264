import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Freeze, User
from accounts.tests.factories import AgentFactory, make_account, make_order, make_refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(client):
    call_command("seed_demo", stdout=io.StringIO())
    return User.objects.get(username="demo")


def test_limit_page_shows_demo_customers_frozen_amount_in_red(client, demo):
    client.force_login(demo)
    response = client.get(reverse("credit-detail"))
    assert response.status_code == 200
    page = response.content.decode()
    account = demo.credit_account
    assert account.frozen > 0
    assert f'<dd data-testid="frozen">¥{account.frozen}</dd>' in page
    assert f'<dd data-testid="available">¥{account.available}</dd>' in page
    for freeze in account.freezes.filter(status=Freeze.Status.ACTIVE):
        assert f'<span class="amount frozen">¥{freeze.amount}</span>' in page
        assert freeze.expected_release_on.strftime("%Y-%m-%d") in page
    assert "额度详情" in page  # Chinese by default


def test_english_when_the_customer_switches(client, demo):
    client.force_login(demo)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("credit-detail")})
    assert response.status_code == 302
    page = client.get(reverse("credit-detail")).content.decode()
    assert "Limit details" in page
    assert "额度详情" not in page


def test_browser_language_does_not_override_chinese_default(client, demo):
    client.force_login(demo)
    page = client.get(reverse("credit-detail"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "额度详情" in page
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_customer_sees_only_their_own_account(client, demo):
    other = User.objects.get(username="takeaway")
    client.force_login(demo)
    page = client.get(reverse("credit-detail")).content.decode()
    for order_number in other.credit_account.orders.values_list("number", flat=True):
        assert order_number not in page
    foreign_freeze = other.credit_account.freezes.first()
    assert client.get(reverse("freeze-detail", args=[foreign_freeze.pk])).status_code == 404
    own = demo.credit_account.freezes.first()
    assert client.get(reverse("freeze-detail", args=[own.pk])).status_code == 200


def test_delayed_freeze_says_so(client, demo):
    takeaway = User.objects.get(username="takeaway")
    freeze = takeaway.credit_account.freezes.get()
    assert freeze.is_delayed
    client.force_login(takeaway)
    page = client.get(reverse("freeze-detail", args=[freeze.pk])).content.decode()
    assert "目前仍在冻结中" in page
    assert "已延迟" in client.get(reverse("credit-detail")).content.decode()


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("credit-detail"), reverse("freeze-detail", args=[1]), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_land_in_admin_customers_on_limit_page(client):
    client.force_login(AgentFactory())
    assert client.get(reverse("home"))["Location"] == reverse("admin:appeals_appeal_changelist")
    account = make_account(Decimal("500.00"))
    make_refund(make_order(account, Decimal("50.00")))
    client.force_login(account.customer)
    assert client.get(reverse("home"))["Location"] == reverse("credit-detail")


def test_customer_without_credit_line(client):
    from accounts.tests.factories import CustomerFactory

    client.force_login(CustomerFactory())
    assert "尚未开通月付额度" in client.get(reverse("credit-detail")).content.decode()


def test_seed_demo_is_idempotent_and_keeps_ledger_clean(demo):
    from accounts.models import CreditAccount, LedgerEntry

    counts = (User.objects.count(), LedgerEntry.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), LedgerEntry.objects.count()) == counts
    call_command("verify_ledger", stdout=io.StringIO())
    burst = CreditAccount.objects.get(customer__username="burst")
    assert burst.status == CreditAccount.Status.BANNED
    assert burst.available == 0
    assert set(burst.freezes.values_list("reason", flat=True)) == {Freeze.Reason.MALICIOUS}


def test_a_freeze_with_an_open_appeal_links_to_it_instead_of_offering_another(client):
    from appeals.tests.factories import file_appeal, refund_freeze

    appealed, other = refund_freeze(), None
    appeal = file_appeal(appealed)
    other = make_refund(make_order(appealed.account, Decimal("80.00"))).freezes.get()
    client.force_login(appealed.account.customer)
    page = client.get(reverse("credit-detail")).content.decode()
    assert f'data-testid="open-appeal-{appealed.pk}"' in page and appeal.reference in page
    assert f'data-testid="appeal-{appealed.pk}"' not in page
    assert f'data-testid="appeal-{other.pk}"' in page  # the other freeze still offers an appeal


def test_limit_page_queries_do_not_grow_with_freezes_and_appeals(client, django_assert_max_num_queries):
    from appeals.tests.factories import file_appeal, refund_freeze

    freeze = refund_freeze()
    file_appeal(freeze)
    client.force_login(freeze.account.customer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("credit-detail"))
    for amount in ("10.00", "20.00", "30.00"):
        file_appeal(make_refund(make_order(freeze.account, Decimal(amount))).freezes.get())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("credit-detail"))


def test_a_released_freeze_is_not_labelled_as_still_under_review(client):
    from accounts.services import ledger

    freeze = make_refund(make_order(make_account(Decimal("500.00")), Decimal("50.00"))).freezes.get()
    ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.TIMER)
    client.force_login(freeze.account.customer)
    page = client.get(reverse("credit-detail")).content.decode()
    assert "退款审核已完成" in page
    assert "退款审核中" not in page


def test_every_kind_of_freeze_is_read_in_the_page_query_and_nothing_later(client, django_assert_num_queries):
    """The freezes' query reads only the columns the page shows (accounts.selectors.LIMIT_PAGE_FIELDS):
    one the page needed and the query left out would be fetched per freeze while rendering."""
    from accounts.models import CreditAccount, RiskLevel
    from accounts.services import ledger

    account = make_account(Decimal("5000.00"))
    make_refund(make_order(account, Decimal("80.00")))  # ordinary refund: a date
    make_refund(make_order(account, Decimal("90.00")), platform_synced=False)  # waits for the platform
    risky = make_refund(make_order(account, Decimal("70.00")))
    risky.__class__.objects.filter(pk=risky.pk).update(risk_level=RiskLevel.HIGH)  # waits for a person
    for reason in (Freeze.Reason.ROUTINE_RISK, Freeze.Reason.ABNORMAL, Freeze.Reason.MALICIOUS):
        ledger.freeze_create(account=account, amount="10.00", reason=reason)
    released = make_refund(make_order(account, Decimal("60.00"))).freezes.get()
    ledger.freeze_release(freeze=released, source=Freeze.ReleaseSource.STAFF)
    # The burst of refunds bans the account; reinstated, each freeze's own rule decides what it waits for.
    ledger.account_set_status(account=account, status=CreditAccount.Status.ACTIVE)
    client.force_login(account.customer)
    with django_assert_num_queries(4):  # session, user, the freezes with their account, order and appeal, unread
        page = client.get(reverse("credit-detail")).content.decode()
    assert page.count('class="freeze"') == account.freezes.count() >= 7 and "¥60.00" in page
    assert "您下单的平台确认退款" in page  # the platform-unsynced refund: read from the refund, not fetched again
