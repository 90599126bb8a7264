"""Risk-control rules on refunds and credit behaviour (DOMAIN.md "Risk-control signals").

Each rule is a small named function returning a Finding or None. A finding is stored as
its code, level and parameters; its title, agent-facing and customer-safe explanations
come from RULE_TEXTS when shown, so they appear in the reader's language. The appeals app
adds its own rules (evidence reuse) with the same shape."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Bill, Order, Refund, RiskLevel

# code → (title, agent-facing explanation with %(params)s, customer-safe explanation)
RULE_TEXTS = {
    "refunds_per_day": (_("Many refunds in one day"), _("%(n)s refunds on %(day)s (more than %(max)s)."),
                        _("Many refunds in a single day need a manual check.")),
    "returns_in_7_days": (_("Many returns in a week"),
                          _("%(n)s returns in the 7 days up to this one (more than %(max)s)."),
                          _("Several returns within a week are reviewed more carefully.")),
    "item_mismatch": (_("Returned item differs from the order"),
                      _("Ordered %(ordered)s (%(osku)s), returned %(returned)s (%(rsku)s)."),
                      _("The returned item does not look like the item ordered.")),
    "virtual_address": (_("Virtual return address"), _("Return address “%(address)s” looks virtual."),
                        _("The return address could not be verified.")),
    "address_mismatch": (_("Return address differs from delivery address"),
                         _("Delivered to “%(delivery)s”, returned from “%(address)s”."),
                         _("The return came from a different address than the delivery.")),
    "purchase_after_return": (_("New purchase right after a return"),
                              _("Order %(number)s placed %(minutes)s minutes after the return of %(returned)s."),
                              _("A new purchase right after a return is checked for cash-out.")),
    "platform_not_synced": (_("External refund not synced"),
                            _("%(platform)s has not confirmed the refund of order %(number)s yet."),
                            _("The platform where you bought has not confirmed the return yet; its refund proof "
                              "helps.")),
    "overdue_in_a_row": (_("Overdue repayments in a row"), _("The last %(n)s bills were repaid late."),
                         _("Recent repayments were late.")),
}


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "level": str(self.level), "params": {k: str(v) for k, v in self.params.items()}}


def describe(finding: dict, texts: dict | None = None) -> dict:
    """Title and both explanations of a stored finding, in the active language."""
    title, agent, customer = (texts or RULE_TEXTS).get(finding["code"], (finding["code"], "", ""))
    return {"title": str(title), "agent": str(agent) % finding.get("params", {}) if agent else "",
            "customer": str(customer), "level": finding["level"], "code": finding["code"]}


def overall_level(findings) -> str:
    """High if any rule is high or three are medium; medium if any is medium; else low."""
    levels = [f.level if isinstance(f, Finding) else f["level"] for f in findings]
    if RiskLevel.HIGH in levels or levels.count(RiskLevel.MEDIUM) >= 3:
        return RiskLevel.HIGH
    return RiskLevel.MEDIUM if RiskLevel.MEDIUM in levels else RiskLevel.LOW


def _account_refunds(refund: Refund):
    return Refund.objects.filter(order__account_id=refund.order.account_id)


def refund_bursts(refund: Refund) -> list[Finding]:
    """Too many refunds on the account the same day (high), or in the 7 days up to this one
    (medium): the others on file counted in one query, plus this one (saved or about to be)."""
    day = timezone.localdate(refund.created_at)
    counts = _account_refunds(refund).exclude(pk=refund.pk).aggregate(
        day=Count("pk", filter=Q(created_at__date=day)),
        week=Count("pk", filter=Q(created_at__gt=refund.created_at - timedelta(days=7),
                                  created_at__lte=refund.created_at)))
    counts = {period: n + 1 for period, n in counts.items()}
    findings = []
    if counts["day"] > settings.RISK_MAX_REFUNDS_PER_DAY:
        findings.append(Finding("refunds_per_day", RiskLevel.HIGH, {"n": counts["day"], "day": day,
                                                                     "max": settings.RISK_MAX_REFUNDS_PER_DAY}))
    if counts["week"] > settings.RISK_MAX_RETURNS_PER_WEEK:
        findings.append(Finding("returns_in_7_days", RiskLevel.MEDIUM, {"n": counts["week"],
                                                                         "max": settings.RISK_MAX_RETURNS_PER_WEEK}))
    return findings


def item_mismatch(refund: Refund) -> Finding | None:
    order = refund.order
    if refund.returned_item_sku.strip().upper() == order.item_sku.strip().upper():
        return None
    return Finding("item_mismatch", RiskLevel.MEDIUM, {
        "ordered": order.item_name, "osku": order.item_sku, "returned": refund.returned_item_name,
        "rsku": refund.returned_item_sku,
    })


def _normal_address(text: str) -> str:
    return "".join(text.split()).lower()


def return_address(refund: Refund) -> Finding | None:
    address = _normal_address(refund.return_address)
    if any(marker in address for marker in settings.RISK_VIRTUAL_ADDRESS_MARKERS):
        return Finding("virtual_address", RiskLevel.HIGH, {"address": refund.return_address})
    if address == _normal_address(refund.order.delivery_address):
        return None
    return Finding("address_mismatch", RiskLevel.MEDIUM, {"delivery": refund.order.delivery_address,
                                                           "address": refund.return_address})


def purchase_after_return(refund: Refund) -> Finding | None:
    window = timedelta(minutes=settings.RISK_PURCHASE_AFTER_RETURN_MINUTES)
    order = (Order.objects.filter(account_id=refund.order.account_id, created_at__gt=refund.created_at,
                                  created_at__lte=refund.created_at + window).order_by("created_at").first())
    if order is None:
        return None
    minutes = int((order.created_at - refund.created_at).total_seconds() // 60)
    return Finding("purchase_after_return", RiskLevel.MEDIUM, {"number": order.number, "minutes": minutes,
                                                                "returned": refund.order.number})


def platform_not_synced(refund: Refund) -> Finding | None:
    if refund.platform_synced:
        return None
    # A person looks at refunds the selling platform has not confirmed (DOMAIN.md: the takeaway case).
    return Finding("platform_not_synced", RiskLevel.MEDIUM, {"platform": refund.order.get_platform_display(),
                                                           "number": refund.order.number})


def overdue_in_a_row(account) -> Finding | None:
    """`account`: a CreditAccount or its id."""
    needed = settings.RISK_OVERDUE_BILLS_IN_A_ROW
    recent = list(Bill.objects.filter(account=account, due_on__lt=timezone.localdate()).order_by("-due_on")[:needed])
    if len(recent) < needed or not all(bill.is_overdue for bill in recent):
        return None
    return Finding("overdue_in_a_row", RiskLevel.MEDIUM, {"n": needed})


REFUND_RULES = [item_mismatch, return_address, purchase_after_return, platform_not_synced]


def assess_refund(refund: Refund) -> list[Finding]:
    findings = refund_bursts(refund) + [finding for rule in REFUND_RULES if (finding := rule(refund))]
    if overdue := overdue_in_a_row(refund.order.account_id):
        findings.append(overdue)
    return findings
