"""The read-only panels of the appeal page: everything an agent needs to decide, built
with a fixed number of queries whatever the customer's history."""

from datetime import timedelta

from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from accounts.models import Freeze, Refund, RiskLevel

from .. import risk as appeal_risk
from ..evidence import crosscheck
from ..models import Appeal
from ..transitions import Transition


def _row(label, record, claim=None):
    """One line of the facts table; a claim that differs from the record is highlighted."""
    if claim is None:
        return format_html("<tr><th>{}</th><td>{}</td><td></td></tr>", label, record)
    mismatch = str(claim).strip().upper() != str(record).strip().upper()
    return format_html(
        '<tr><th>{}</th><td>{}</td><td class="{}">{}{}</td></tr>',
        label, record or "—", "mismatch" if mismatch else "match", claim or "—",
        format_html(' <strong>≠ {}</strong>', _("does not match")) if mismatch else "",
    )


def proposal_panel(appeal: Appeal) -> str:
    """Who proposed a four-eyes approval and why, as the confirming supervisor reads it."""
    if not appeal.requires_supervisor:
        return _("Not required: one person decides.")
    if appeal.proposed_by_id is None:
        return _("Required: approval takes a proposal and a different supervisor's confirmation.")
    proposal = appeal.events.filter(transition__in=[Transition.PROPOSE_APPROVAL, Transition.PROPOSE_OVERTURN]
                                    ).order_by("-pk").first()
    return format_html("{}: {} — {}", _("Proposed by"), appeal.proposed_by.get_username(),
                       proposal.note if proposal else "")


def _restore(freeze: Freeze) -> str:
    """The date the timer keeps, or what the freeze waits for instead."""
    if freeze.timer_date or not freeze.waits_for:
        return str(freeze.timer_date or "—")
    return _("waits for %(what)s") % {"what": freeze.waits_for}


def facts_panel(appeal: Appeal) -> str:
    freeze = appeal.freeze
    refund = freeze.refund
    rows = [
        _row(_("Frozen amount"), freeze.amount, appeal.claimed_amount if appeal.claimed_amount is not None else ""),
        _row(_("Freeze reason"), freeze.get_reason_display()),
        _row(_("Frozen on / expected back"),
             f"{timezone.localtime(freeze.created_at):%Y-%m-%d} / {_restore(freeze)}"),
    ]
    if refund:
        order = refund.order
        rows += [
            _row(_("Order number"), order.number, appeal.claimed_order_number),
            _row(_("Return tracking number"), refund.tracking_number, appeal.claimed_tracking_number),
            _row(_("Ordered item / returned item"), f"{order.item_name} ({order.item_sku})",
                 f"{refund.returned_item_name} ({refund.returned_item_sku})"),
            _row(_("Delivery address / return address"), order.delivery_address, refund.return_address),
            _row(_("Order amount / refund"), f"{order.amount} / {refund.amount} ({refund.get_kind_display()})"),
            _row(_("Ordered / refunded"),
                 f"{timezone.localtime(order.created_at):%Y-%m-%d %H:%M} / "
                 f"{timezone.localtime(refund.created_at):%Y-%m-%d %H:%M}"),
            _row(_("Platform"), f"{order.get_platform_display()}"
                 + ("" if refund.platform_synced else " · " + _("refund not synced by the platform"))),
        ]
    header = format_html("<tr><th></th><th>{}</th><th>{}</th></tr>", _("Record"), _("Customer's claim"))
    return format_html('<table class="facts">{}{}</table>', header, format_html_join("", "{}", ((r,) for r in rows)))


def evidence_panel(appeal: Appeal) -> str:
    items = []
    for item in appeal.evidence.all():
        if item.status == item.Status.READY:
            image = reverse("evidence-image", args=[appeal.reference, item.pk])
            thumb = reverse("evidence-thumb", args=[appeal.reference, item.pk])
            body = format_html('<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}"></a>', image, thumb,
                               _("%(kind)s, full size") % {"kind": item.get_kind_display()})
        else:
            body = format_html("<span>{}</span>", item.rejection_reason or item.get_status_display())
        items.append(format_html('<figure class="evidence">{}<figcaption>{}</figcaption></figure>', body,
                                 item.get_kind_display()))
    if not items:
        return _("No screenshots.")
    return format_html('<div class="evidence-grid">{}</div>', format_html_join("", "{}", ((i,) for i in items)))


def logistics_panel(appeal: Appeal) -> str:
    """The return parcel's journey as the carrier reported it through the platform API."""
    refund = appeal.freeze.refund
    steps = list(refund.shipment_events.all()) if refund else []
    if not steps:
        return _("No carrier record of the return: the customer's logistics screenshot is the evidence.")
    rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (f"{timezone.localtime(step.occurred_at):%Y-%m-%d %H:%M}", step.get_status_display(), step.carrier,
         step.tracking_number) for step in steps))
    header = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", _("At"), _("Status"),
                         _("Carrier"), _("Tracking number"))
    return format_html('<table class="logistics">{}{}</table>', header, rows)


def risk_panel(appeal: Appeal) -> str:
    if appeal.is_risk_pending:
        return format_html('<p class="risk risk-pending">{}</p>', _(
            "Risk being assessed: the screenshots are being read. Decisions wait until it is done."))
    rules = [appeal_risk.describe(rule) for rule in appeal.risk_rules or []]
    lines = format_html_join("", '<li class="risk-{}"><strong>{}</strong>: {}</li>',
                             ((rule["level"], rule["title"], rule["agent"]) for rule in rules))
    needs = _("Needs a supervisor's approval.") if appeal.requires_supervisor else ""
    # Read by static/js/desk.js: an approval that is not low risk asks first.
    confirm = "" if appeal.risk_level == RiskLevel.LOW else _(
        "Risk: %(level)s. Approve and release ¥%(amount)s to the customer?") % {
        "level": appeal.get_risk_level_display(), "amount": appeal.freeze.amount}
    return format_html('<p class="risk risk-{}" data-confirm-approve="{}">{} {}</p><ul>{}</ul>', appeal.risk_level,
                       confirm, appeal.get_risk_level_display(), needs,
                       lines or format_html("<li>{}</li>", _("No rule fired.")))


HISTORY_ROWS = 20  # a burst of hundreds of refunds must not make the page hundreds of rows long


def _latest(queryset) -> list:
    """The newest HISTORY_ROWS rows, each with `total`: how many there are in all (same query)."""
    return list(queryset.annotate(total=Window(Count("pk"))).order_by("-created_at")[:HISTORY_ROWS])


def _count(rows) -> int:
    return rows[0].total if rows else 0


def _more(rows):
    hidden = _count(rows) - len(rows)
    return format_html("<li>{}</li>", _("… and %(n)d more") % {"n": hidden}) if hidden else ""


def history_panel(appeal: Appeal) -> str:
    account = appeal.freeze.account
    earlier = list(Appeal.objects.filter(customer_id=appeal.customer_id).exclude(pk=appeal.pk)
                   .order_by("-created_at")[:10])
    refunds = _latest(Refund.objects.filter(order__account=account, created_at__gte=timezone.now() - timedelta(days=30))
                      .select_related("order"))
    freezes = _latest(Freeze.objects.filter(Q(account=account) & Q(status=Freeze.Status.ACTIVE)))
    appeals_html = format_html_join(
        "", '<li><a href="{}">{}</a> {} · ¥{}</li>',
        ((reverse("admin:appeals_appeal_change", args=[a.pk]), a.reference, a.get_state_display(),
          a.claimed_amount or "") for a in earlier),
    ) or format_html("<li>{}</li>", _("None"))
    refunds_html = format_html_join(
        "", "<li>{} {} ¥{} {}</li>",
        ((f"{timezone.localtime(r.created_at):%m-%d %H:%M}", r.order.number, r.amount, r.returned_item_name)
         for r in refunds),
    ) or format_html("<li>{}</li>", _("None"))
    freezes_html = format_html_join(
        "", "<li>{} ¥{} ({})</li>", ((f.get_reason_display(), f.amount, f.expected_release_on or "—") for f in freezes)
    )
    return format_html(
        '<div class="history"><p>{}: {} · {}: ¥{} · {}: ¥{}</p>'
        "<h4>{}</h4><ul>{}</ul><h4>{} ({})</h4><ul>{}{}</ul><h4>{} ({})</h4><ul>{}{}</ul></div>",
        _("Account status"), account.get_status_display(), _("Available"), account.available, _("Frozen"),
        account.frozen, _("Earlier appeals"), appeals_html, _("Refunds in the last 30 days"), _count(refunds),
        refunds_html, _more(refunds), _("Open freezes"), _count(freezes), freezes_html, _more(freezes),
    )


_CHECK_ICONS = {crosscheck.MATCH: "✓", crosscheck.CONTRADICTS: "✗", crosscheck.NOT_FOUND: "?"}


def checks_panel(appeal: Appeal) -> str:
    """The OCR checklist; each check links to the screenshot with the text it relied on boxed."""
    if not appeal.evidence_checks:
        return _("No checks yet: the screenshots are still being read, or reading is switched off.")
    rows = []
    for check in appeal.evidence_checks:
        where = ""
        if check.get("evidence_id"):
            url = reverse("admin:appeals_evidence_annotated", args=[check["evidence_id"]])
            # The workspace shows the line in place (static/js/desk.js); elsewhere the link opens the page.
            line = check.get("line") or 0
            where = format_html('<a href="{}?line={}" target="_blank" rel="noopener" data-shot="{}" '
                                'data-line="{}">{}</a>', url, line, check["evidence_id"], line,
                                _("see on screenshot"))
        reason = crosscheck.reason_text(check)
        rows.append(format_html(
            '<tr class="check-{}"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            check["status"], _CHECK_ICONS[check["status"]], crosscheck.CHECK_LABELS.get(check["code"], check["code"]),
            format_html('<br><span class="help">{}</span>', reason) if reason else "",
            crosscheck.value_text(check.get("read")), crosscheck.value_text(check.get("expected")), where,
        ))
    header = format_html("<tr><th></th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>", _("Check"), _("Read"),
                         _("Expected"))
    return format_html('<table class="checks">{}{}</table>', header, format_html_join("", "{}", ((r,) for r in rows)))
