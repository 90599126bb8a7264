"""Demo customers whose credit data replays the cases in DOMAIN.md, and the demo staff logins.
Used by the seed_demo command (appeals app), which adds the appeals on top."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .models import Freeze, Order, User
from .services import ledger, policy

PASSWORD = "demo1234"
HOME = "上海市浦东新区世纪大道100号"
VIRTUAL_ADDRESS = "虚拟地址 上海市某某路000号 (代收点)"
TAKEAWAY_REFUND_ID = "ELM-RF-20261110-0001"  # the food-delivery platform's id: the simulator syncs it


def _order(account, number, amount, item, sku, days_ago, platform=Order.Platform.MALL):
    return ledger.order_purchase(
        account=account, number=number, amount=Decimal(amount), item_name=item, item_sku=sku,
        delivery_address=HOME, platform=platform, occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def _refund(order, amount=None, days_ago=0, **overrides):
    fields = {
        "returned_item_name": order.item_name, "returned_item_sku": order.item_sku,
        "return_address": order.delivery_address, "tracking_number": "SF1402938475610",
        "occurred_at": timezone.now() - timedelta(days=days_ago),
    }
    return policy.refund_record(order=order, amount=Decimal(amount or order.amount), **(fields | overrides))


def seed_demo_customer(account):
    """A normal refund waiting out its 3 business days, a partial refund, and a released one in history."""
    earphones = _order(account, "DY202611200001", "599.00", "蓝牙耳机 Pro", "SKU-EAR-PRO", days_ago=6)
    _refund(earphones, days_ago=1, tracking_number="SF1402938475610")
    coat = _order(account, "DY202611150002", "1200.00", "羽绒服 黑色 L", "SKU-COAT-BL", days_ago=11)
    _refund(coat, "300.00", days_ago=4, returned_item_name="羽绒服 黑色 L (内胆)", tracking_number="YT7712345678901")
    kettle = _order(account, "DY202610280003", "159.00", "电热水壶", "SKU-KETTLE", days_ago=29)
    old = _refund(kettle, days_ago=24, tracking_number="ZTO75123456789012")
    ledger.freeze_release(
        freeze=old.freezes.get(), source=Freeze.ReleaseSource.TIMER, note="automatic review passed"
    )
    _order(account, "DY202611240004", "89.90", "手机壳", "SKU-CASE", days_ago=2)


def seed_malicious_burst(account):
    """Five returns in one day, goods that do not match and a virtual return address: cash-out, banned."""
    orders = [_order(account, f"DY20261125{i + 10:04d}", "1500.00", "iPhone 充值卡 1500元", f"SKU-CARD-{i}", 1)
              for i in range(5)]
    for i, order in enumerate(orders):  # the risk rules flag the first one already: virtual address
        _refund(order, days_ago=0, returned_item_name="旧手机壳", returned_item_sku="SKU-JUNK",
                return_address=VIRTUAL_ADDRESS, tracking_number=f"YD310000000000{i}")


def seed_takeaway(account):
    """A food-delivery refund the external platform never synced: held past its promised date."""
    meal = _order(account, "EL202611100001", "86.50", "外卖 麻辣香锅套餐", "SKU-FOOD-01", days_ago=16,
                  platform=Order.Platform.FOOD_DELIVERY)
    _refund(meal, days_ago=15, platform_synced=False, tracking_number="", platform_refund_id=TAKEAWAY_REFUND_ID)


def seed_clean_refund(account):
    """A normal refund whose appeal carries matching screenshots: the worker approves it straight through."""
    shoes = _order(account, "DY202611210005", "329.00", "运动鞋 42码", "SKU-SHOE-42", days_ago=5)
    _refund(shoes, days_ago=1, tracking_number="SF1402938475611")


def seed_doctored_receipt(account):
    """A normal refund whose appeal's receipt shows another amount: held with a ✗ for an agent."""
    bag = _order(account, "DY202611190006", "459.00", "双肩包", "SKU-BAG-01", days_ago=7)
    _refund(bag, days_ago=2, tracking_number="JDVA12345678901")


CUSTOMERS = [
    ("demo", "138 0013 8000", "10000.00", seed_demo_customer, "a normal refund, a partial refund, history"),
    ("burst", "139 0013 9000", "8000.00", seed_malicious_burst, "5 refunds in one day: malicious, banned"),
    ("takeaway", "137 0013 7000", "3000.00", seed_takeaway, "external food-delivery refund never synced"),
    ("clean", "136 0013 6000", "5000.00", seed_clean_refund, "appeal approved straight through by the worker"),
    ("doctored", "135 0013 5000", "5000.00", seed_doctored_receipt, "appeal held: the receipt's amount ✗"),
]
# Two supervisors: a four-eyes approval takes two people (one proposes, another confirms).
STAFF = [("agent", roles.AGENT), ("agent2", roles.AGENT), ("supervisor", roles.SUPERVISOR),
         ("supervisor2", roles.SUPERVISOR)]




# The demo staff's TOTP secret (hex), published in the README so the demo's two-factor login works:
# add it to an authenticator app, or run `python manage.py totp_code agent` for the current code.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def external_id(phone: str) -> str:
    """The platform's id of a demo customer (the simulator and the README's curl examples use them)."""
    return "U" + phone.replace(" ", "")


def ensure_user(username, role=None, phone="", is_superuser=False) -> tuple[User, bool]:
    """Get or create a demo login; an existing one is left exactly as it is. Staff get a TOTP device."""
    extra = {"external_id": external_id(phone)} if role == roles.CUSTOMER else {}
    user, created = User.objects.get_or_create(username=username, defaults={"phone": phone.replace(" ", ""), **extra})
    if created:
        user.set_password(PASSWORD)
        user.is_staff = role in roles.STAFF_ROLES or is_superuser
        user.is_superuser = is_superuser
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        if user.is_staff:
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
    return user, created


def seed_accounts() -> tuple[list[tuple[str, str, str]], set[str]]:
    """Create the demo logins; returns (login rows to print, usernames created just now)."""
    rows, created_now = [], set()
    for username, phone, limit, scenario, story in CUSTOMERS:
        user, created = ensure_user(username, roles.CUSTOMER, phone)
        if created:
            scenario(ledger.account_open(customer=user, limit=Decimal(limit)))
            created_now.add(username)
        rows.append((username, roles.CUSTOMER, story))
    for username, role in STAFF:
        ensure_user(username, role)
        rows.append((username, role, "Django admin at /admin/"))
    ensure_user("admin", is_superuser=True)
    rows.append(("admin", "superuser", "everything"))
    return rows, created_now
