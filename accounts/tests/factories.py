from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Order, User
from accounts.services import ledger, policy


def _role(default=None):
    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        name = extracted or default
        if create and name:
            user.groups.add(Group.objects.get(name=name))
            user.is_staff = name in roles.STAFF_ROLES
            user.save(update_fields=["is_staff"])

    return role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-123")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    role = _role()


class CustomerFactory(UserFactory):
    role = _role(roles.CUSTOMER)


class AgentFactory(UserFactory):
    role = _role(roles.AGENT)


class SupervisorFactory(UserFactory):
    role = _role(roles.SUPERVISOR)


def make_account(limit=Decimal("10000.00"), customer=None):
    """A credit line opened through the ledger service, as production does."""
    return ledger.account_open(customer=customer or CustomerFactory(), limit=limit)


_order_seq = iter(range(10**9))


def make_order(account, amount=Decimal("100.00"), **kwargs):
    defaults = {
        "number": f"DY{next(_order_seq):012d}",
        "item_name": "蓝牙耳机",
        "item_sku": "SKU-EAR-01",
        "delivery_address": "上海市浦东新区世纪大道100号",
        "platform": Order.Platform.MALL,
    }
    return ledger.order_purchase(account=account, amount=amount, **(defaults | kwargs))


def make_refund(order, amount=None, **kwargs):
    defaults = {
        "returned_item_name": order.item_name,
        "returned_item_sku": order.item_sku,
        "return_address": order.delivery_address,
        "tracking_number": "SF1234567890123",
    }
    return policy.refund_record(order=order, amount=amount or order.amount, **(defaults | kwargs))
