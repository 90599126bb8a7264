"""The data of the workspace benchmark (bench/workspace.py): the appeal the agent opens, made as the
worker and the services leave it (three read screenshots, the checks, the risk assessed, its log),
and the customer's history on the large side (earlier decided appeals over 20 months, their
screenshots and events, a few recent refunds and open freezes); the rest from bench/datagen.py."""

from datetime import timedelta

OPEN_FREEZES = 3  # the large side's customer: open freezes besides the opened appeal's


def background(datagen, tag, n, agents, supervisors, start=0):
    """n appeals of other customers, as the queue benchmark builds them."""
    customer_ids = datagen.customers(tag, n // 4 + (n % 4 > 0))
    freezes = datagen.credit_lines(tag, customer_ids, freezes_per_account=4)[:n]
    datagen.appeals(tag, freezes, agents=agents, supervisors=supervisors, start=start)


def _box(row, text):
    """The four corners of a line of text as RapidOCR gives them (appeals.evidence.ocr.OcrLine)."""
    x0, y0 = 48.0, 160.0 + 76 * row
    x1, y1 = x0 + min(1074.0, 34.0 * len(text)), y0 + 44
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _screens(freeze, refund, order) -> dict:
    """The text read on each of the three screenshots, the lines the checks rely on marked by key."""
    ordered, refunded = order.created_at.astimezone(), refund.created_at.astimezone()
    picked = ordered + timedelta(days=2)
    return {
        "order": ["订单详情", "交易成功", "感谢您的购买，期待再次光临", "蓝牙耳机 Pro", "颜色：曜石黑  数量：1",
                  f"¥{order.amount}", "实付款", f"¥{order.amount}", "订单编号", ("order_number", order.number),
                  "复制", "下单时间", f"{ordered:%Y-%m-%d %H:%M:%S}", "支付方式  月付", "收货地址",
                  "上海市浦东新区世纪大道100号", "联系客服", "申请售后", "再次购买", ("order_item", "蓝牙耳机 Pro")],
        "logistics": ["物流详情", "顺丰速运", "运单号", ("tracking_number", refund.tracking_number), "复制",
                      "已签收", f"{refunded:%m-%d %H:%M} 快件已签收，签收人：商家仓库", "运输中",
                      f"{picked:%m-%d %H:%M} 快件已到达【上海浦东集散中心】", "已揽件",
                      f"{picked:%m-%d %H:%M} 顺丰速运已收取快件", "寄件人 上海市浦东新区", "收件人 商家退货仓"],
        "refund_receipt": ["退款详情", ("refund_status", "退款成功"), "钱已退回月付额度", "退款金额",
                           ("refund_amount", f"¥{refund.amount}"), "退款编号", f"TK{refund.pk:018d}",
                           "申请时间", f"{picked:%Y-%m-%d %H:%M:%S}", "退款时间",
                           ("date_order", f"{refunded:%Y-%m-%d %H:%M:%S}"), "退款商品 蓝牙耳机 Pro",
                           "退回方式 原路退回"],
    }


def _read_and_checked(appeal, shots, freeze):
    """OCR lines on the three screenshots and the checks that rely on them (all ✓)."""
    from appeals.evidence import crosscheck

    refund = freeze.refund
    screens, checks = _screens(freeze, refund, refund.order), []
    expected = {"order_number": refund.order.number, "order_item": "蓝牙耳机 Pro",
                "tracking_number": refund.tracking_number, "refund_status": "refunded",
                "refund_amount": str(refund.amount), "date_order": ""}
    for shot in shots:
        lines = []
        for row, item in enumerate(screens[shot.kind]):
            code, text = item if isinstance(item, tuple) else (None, item)
            lines.append({"text": text, "box": _box(row, text), "score": 0.97})
            if code:
                checks.append({"code": code, "status": crosscheck.MATCH, "expected": expected[code], "read": text,
                               "evidence_id": shot.pk, "line": row, "reason": ""})
        shot.ocr_lines = lines
    return checks


def _log(appeal, agent, now):
    """Six events: filed, claimed, twice asked for more and answered; the customer told of each request."""
    from appeals.models import AppealEvent, Notification, State
    from appeals.notifications import message
    from appeals.transitions import Transition as T

    steps = [(T.SUBMIT, "", State.SUBMITTED, None), (T.CLAIM, State.SUBMITTED, State.IN_REVIEW, agent),
             (T.REQUEST_INFO, State.IN_REVIEW, State.INFO_REQUESTED, agent),
             (T.RESUBMIT, State.INFO_REQUESTED, State.IN_REVIEW, None),
             (T.REQUEST_INFO, State.IN_REVIEW, State.INFO_REQUESTED, agent),
             (T.RESUBMIT, State.INFO_REQUESTED, State.IN_REVIEW, None)]
    asked = "请上传完整的物流截图，需能看到运单号和签收时间。"
    events = AppealEvent.objects.bulk_create([
        AppealEvent(appeal=appeal, actor=actor or appeal.customer, transition=transition, from_state=source,
                    to_state=target, customer_message=asked if transition == T.REQUEST_INFO else "",
                    created_at=now - timedelta(hours=40 - 7 * n))
        for n, (transition, source, target, actor) in enumerate(steps)])
    told = []
    for event in events:
        if event.transition == T.REQUEST_INFO:
            notice = message(appeal.customer_id, "info_requested", appeal=appeal, msg=asked)
            notice.event, notice.created_at, notice.read_at = event, event.created_at, event.created_at
            told.append(notice)
    Notification.objects.bulk_create(told)


def opened_appeal(datagen, tag, made, agent, agents, supervisors, start):
    """The appeal the agent opens, on the freeze `made`: claimed, read, checked and assessed."""
    from django.utils import timezone

    from accounts.models import Freeze, ReturnShipmentEvent
    from appeals.models import Appeal, Evidence, State

    now = timezone.now()
    [pk] = datagen.appeals(tag, [made], agents=agents, supervisors=supervisors, states=[State.IN_REVIEW],
                           start=start)
    appeal = Appeal.objects.select_related("customer").get(pk=pk)
    freeze = Freeze.objects.select_related("refund__order").get(pk=made.id)
    shots = list(Evidence.objects.filter(appeal=appeal).order_by("pk"))
    appeal.evidence_checks = _read_and_checked(appeal, shots, freeze)
    Evidence.objects.bulk_update(shots, ["ocr_lines"])
    Appeal.objects.filter(pk=pk).update(
        assignee=agent, evidence_checks=appeal.evidence_checks, risk_rules=[], created_at=now - timedelta(hours=40),
        risk_assessed_at=now - timedelta(hours=40), due_at=now + timedelta(days=1),
        regulatory_due_at=now + timedelta(days=14))
    _log(appeal, agent, now)
    refund = freeze.refund
    ReturnShipmentEvent.objects.bulk_create([
        ReturnShipmentEvent(refund=refund, carrier="顺丰速运", tracking_number=refund.tracking_number, status=status,
                            occurred_at=refund.created_at - timedelta(days=days))
        for status, days in (("picked_up", 4), ("in_transit", 3), ("delivered", 1))])
    return pk


def earlier_appeals(datagen, tag, made, agents, supervisors, start):
    """The customer's decided appeals on the released freezes `made`: three approved for one rejected
    (whose freeze the timer released), each with its screenshots and its three events."""
    from accounts.models import Freeze
    from appeals.models import Appeal, AppealEvent, State
    from appeals.transitions import Transition as T

    freezes = dict(Freeze.objects.filter(pk__in=[m.id for m in made]).values_list("pk", "created_at"))
    ids = datagen.appeals(tag, made, agents=agents, supervisors=supervisors, start=start,
                          states=[State.APPROVED, State.APPROVED, State.APPROVED, State.REJECTED])
    appeals = list(Appeal.objects.filter(pk__in=ids))
    events, by_timer = [], []
    for appeal in appeals:
        filed = freezes[appeal.freeze_id] + timedelta(hours=5)
        appeal.created_at, appeal.due_at, appeal.decided_at = filed, filed + timedelta(days=3), filed + timedelta(
            hours=20)
        appeal.risk_assessed_at = filed
        decision = T.APPROVE if appeal.state == State.APPROVED else T.REJECT
        if decision == T.REJECT:
            by_timer.append(appeal.freeze_id)
        agent_id = appeal.decided_by_id
        events += [AppealEvent(appeal=appeal, actor_id=appeal.customer_id, transition=T.SUBMIT,
                               to_state=State.SUBMITTED, created_at=filed),
                   AppealEvent(appeal=appeal, actor_id=agent_id, transition=T.CLAIM, from_state=State.SUBMITTED,
                               to_state=State.IN_REVIEW, created_at=filed + timedelta(hours=2)),
                   AppealEvent(appeal=appeal, actor_id=agent_id, transition=decision, from_state=State.IN_REVIEW,
                               to_state=appeal.state, reject_reason=appeal.reject_reason,
                               created_at=appeal.decided_at)]
    Appeal.objects.bulk_update(appeals, ["created_at", "due_at", "decided_at", "risk_assessed_at"],
                               batch_size=datagen.BATCH)
    AppealEvent.objects.bulk_create(events, batch_size=datagen.BATCH)
    Freeze.objects.filter(pk__in=by_timer).update(release_source=Freeze.ReleaseSource.TIMER)


def build_small(datagen, n, agent, agents, supervisors):
    background(datagen, "wa", n - 1, agents, supervisors)
    [customer] = datagen.customers("ws", 1)
    [made] = datagen.credit_lines("ws", [customer], freezes_per_account=1)
    return opened_appeal(datagen, "ws", made, agent, agents, supervisors, start=0)


def build_large(datagen, small, large, earlier, agent, agents, supervisors):
    background(datagen, "wb", large - small - earlier - 1, agents, supervisors, start=small)
    [customer] = datagen.customers("wl", 1)
    made = datagen.credit_lines("wl", [customer], freezes_per_account=earlier + 1 + OPEN_FREEZES,
                                released_first=earlier, history_days=3)
    # The open freeze of the same amount as the small side's (made[0]'s): the pages differ only in the history.
    opened = next((m for m in made[earlier:] if m.amount == made[0].amount), made[earlier])
    earlier_appeals(datagen, "wh", made[:earlier], agents, supervisors, start=0)
    return opened_appeal(datagen, "wl", opened, agent, agents, supervisors, start=earlier)
