"""The three app pages customers screenshot: an order (订单详情), a return's logistics (退货物流)
and a refund receipt (退款详情), drawn on a Page."""

from datetime import timedelta
from decimal import Decimal

from .content import CARRIERS, CITIES, LABEL_CARRIERS, STREETS, digits, money_text, person, stamp_text
from .page import GREY, LIGHT, TEXT, WIDTH, Page


def _order(page: Page) -> None:
    spec, shown, truth = page.spec, page.shown, page.truth
    dates, rng, s = truth["dates"], page.rng, page.s
    y = page.header(rng.choice(["订单详情", "订单详情", "订单"]))
    page.bottom_bar(rng.choice([["申请售后", "查看物流", "再买一单"], ["联系商家", "再来一单"], ["删除订单", "评价"]]))
    status = rng.choice(["交易成功", "已完成", "订单已完成"])
    if spec["header"] == "gradient":
        page.text(page.margin + page.pad, y + 10, status, s["big"], (255, 255, 255), bold=True)
        subtitle = rng.choice(["感谢您的购买，欢迎再次光临", "订单已完成，期待再次为您服务"])
        page.text(page.margin + page.pad, y + s["big"] + 30, subtitle, s["small"], (255, 255, 255))
        y += s["big"] + s["small"] + 70
    else:
        page.card(y, s["big"] + 120)
        page.text(page.margin + page.pad, y + 36, status, s["big"], TEXT, bold=True)
        page.text(page.margin + page.pad, y + s["big"] + 56, "感谢您的信任，期待再次光临", s["small"], GREY)
        y += s["big"] + 140
    if rng.random() < 0.6:  # delivery address
        name, phone = person(rng)
        province, city, district = rng.choice(CITIES)
        page.card(y, 170)
        page.draw.ellipse((page.margin + 30, y + 50, page.margin + 80, y + 100), fill=spec["accent"])
        page.text(page.margin + 110, y + 34, f"{name}  {phone}", s["label"] + 2, TEXT, bold=True)
        page.text(page.margin + 110, y + 94, f"{province}{city}{district}{rng.choice(STREETS)}", s["small"], GREY)
        y += 170 + 20
    # the goods and the price rows
    rows = [{"label": "商品总价", "value": shown["product_price"], "numeric": True, "style": "split"}]
    if spec["prefix"] == "EL":
        rows.append({"label": "配送费", "value": money_text(spec["shipping"], spec), "numeric": True, "style": "split"})
    elif spec["shipping"]:
        rows.append({"label": "运费", "value": money_text(spec["shipping"], spec), "numeric": True, "style": "split"})
    else:
        free = rng.choice(["包邮", money_text(Decimal("0.00"), spec)])
        rows.append({"label": "运费", "value": free, "style": "split"})
    if spec["discount"]:
        rows.append({"label": rng.choice(["店铺优惠", "平台优惠", "红包"]), "style": "split",
                     "value": "-" + money_text(spec["discount"], spec), "numeric": True, "value_fill": spec["accent"]})
    rows.append({"label": "实付款", "value": money_text(shown["amount"], spec), "numeric": True, "bold": True,
                 "style": "split", "value_size": s["value"] + rng.choice([0, 4, 8]),
                 "value_fill": rng.choice([TEXT, spec["accent"]])})
    heights = sum(page.kv(0, draw=False, **row) for row in rows)
    height = 110 + 200 + 30 + heights + 20
    page.card(y, height)
    page.draw.rectangle((page.margin + page.pad, y + 34, page.margin + page.pad + 36, y + 70), fill=spec["accent"])
    page.text(page.margin + page.pad + 50, y + 52, spec["shop"] + " >", s["label"], TEXT, anchor="lm", bold=True)
    page.product(y + 100, spec["item"], spec["variant"], shown["product_price"])
    cursor = y + 100 + 200 + 30
    for row in rows:
        cursor += page.kv(cursor, **row)
    y += height + 20
    # order information
    label = "订单编号" if spec["prefix"] == "DY" else rng.choice(["订单号", "订单编号"])
    rows = [
        {"label": label, "value": shown["order_number"], "copy": True, "numeric": True},
        {"label": "支付方式", "value": rng.choice(["月付", "月付（先用后付）", "月付 分3期"])},
        {"label": "下单时间", "value": stamp_text(dates["ordered"]), "numeric": True},
        {"label": "支付时间", "value": stamp_text(dates["paid"]), "numeric": True},
    ]
    if spec["prefix"] == "EL":
        rows.append({"label": "配送方式", "value": rng.choice(["蜂鸟专送", "商家配送"])})
    y += page.kv_card(y, rng.choice(["订单信息", None]), rows) + 20
    if rng.random() < 0.5 and y + 600 < page.limit:
        page.recommendations(y)


def _logistics(page: Page) -> None:
    spec, shown, truth = page.spec, page.shown, page.truth
    dates, rng, s = truth["dates"], page.rng, page.s
    carrier = truth["carrier"]
    names, logo, colour, hotline = CARRIERS[carrier]
    name = rng.choice(names)
    y = page.header(rng.choice(["退货物流", "物流详情", "退货物流"]))
    page.bottom_bar(rng.choice([["联系快递员", "复制单号"], ["查看退款"], ["联系客服", "查看订单"]]))
    if rng.random() < 0.5:  # a map: photo-like, with roads and pins
        top, bottom = y, y + rng.choice([380, 460, 540])
        page.photo((0, top, WIDTH, bottom))
        for _ in range(6):
            page.draw.line((rng.randint(0, WIDTH), top, rng.randint(0, WIDTH), bottom), fill=(250, 250, 250), width=8)
        for px in (rng.randint(100, 500), rng.randint(650, 1050)):
            py = rng.randint(top + 80, bottom - 80)
            page.draw.ellipse((px - 24, py - 24, px + 24, py + 24), fill=spec["accent"], outline="white", width=6)
        y = bottom + 20
    # carrier card
    page.card(y, 250)
    x0 = page.margin + page.pad
    page.draw.ellipse((x0, y + 36, x0 + 96, y + 132), fill=colour)
    page.text(x0 + 48, y + 84, logo, 44, (255, 255, 255), anchor="mm", bold=True)
    tx = x0 + 124
    number = shown["tracking_number"]
    style = "inline" if carrier in LABEL_CARRIERS else rng.choice(["inline", "labelled", "row"])
    if style == "inline":  # 中通快递 75123456789012 (one line)
        gap = rng.choice([" ", "  ", " 运单号：", "：", " 运单号 "])
        page.text(tx, y + 44, rng.choice(["退货快递", "寄件快递", "物流公司：" + name]), s["small"], GREY)
        box = page.text(tx, y + 92, f"{name}{gap}{number}", s["value"], TEXT, bold=True, numeric=False)
    elif style == "labelled":  # 顺丰速运 / 运单号：SF…
        page.text(tx, y + 40, name, s["value"], TEXT, bold=True)
        box = page.text(tx, y + 92, f"{rng.choice(['运单号', '快递单号', '运单编号'])}：{number}", s["value"], TEXT,
                        numeric=True)
    else:  # 顺丰速运 SF… on one row, carrier first
        page.text(tx, y + 40, rng.choice(["退货快递", "寄件快递"]), s["small"], GREY)
        box = page.text(tx, y + 92, f"{name} {number}", s["value"], TEXT, numeric=True)
    page.copy_button(box[2] + 24, (box[1] + box[3]) / 2)
    page.text(tx, y + 170, f"官方电话 {hotline}", s["small"], GREY)
    y += 250 + 20
    if rng.random() < 0.5:
        page.card(y, 240)
        page.product(y + 20, spec["item"], spec["variant"], rng.choice(["共1件", "退货1件"]), count="", photo=200)
        y += 260
    # timeline, newest first
    delivered = truth["logistics_status"] == "delivered"
    end = dates["delivered"] if delivered else dates["returned"] + timedelta(hours=rng.randint(10, 30))
    _, city, district = rng.choice(CITIES)
    _, origin, _ = rng.choice(CITIES)
    courier, phone = person(rng)
    courier = courier.replace("*", "师傅")[:2] + "师傅"
    phone = "1" + digits(rng, 10, "3589")
    events = []
    if delivered:
        events.append(("已签收", f"【{city}】您的快件已签收，签收人：{rng.choice(['商家仓库', '前台', '本人'])}。"
                                 f"如有疑问请联系派件员{courier}（{phone}），投诉电话：{hotline}"))
        events.append(("派送中", f"【{city}】{district}营业点派件员 {courier} {phone} 正在为您派件"))
    events.append(("运输中", f"【{city}】快件已到达 {city}转运中心"))
    events.append(("运输中", f"【{origin}】快件已从 {origin}转运中心 发出，下一站 {city}转运中心"))
    events.append(("已揽件", f"【{origin}】{origin}营业部 已揽收"))
    first_line = rng.choice(["", "", "您的退货已寄出", "商家已同意退货，请在7天内寄回"])
    if first_line:
        events.append(("已发货", first_line))
    span = (end - dates["returned"]) / max(1, len(events) - 1)
    times = [end - span * i for i in range(len(events))]
    short = rng.random() < 0.4
    width = WIDTH - 2 * page.margin - 2 * page.pad - 60
    lines = [page.wrap(text, s["small"] + 2, width) for _, text in events]
    heights = [s["label"] + 20 + len(wrapped) * (s["small"] + 14) + s["small"] + 40 for wrapped in lines]
    total = 110 + sum(heights)
    if y + total > page.limit:  # older events scroll off the bottom: drop them
        while len(heights) > 2 and y + 110 + sum(heights) > page.limit:
            heights.pop()
            lines.pop()
            events.pop()
        total = 110 + sum(heights)
    page.card(y, min(total, page.limit - y))
    page.text(x0, y + 36, rng.choice(["物流详情", "物流进度", "物流跟踪"]), s["label"] + 2, TEXT, bold=True)
    cursor = y + 110
    for i, ((status, _text), wrapped, height) in enumerate(zip(events, lines, heights, strict=True)):
        fill = spec["accent"] if i == 0 else (200, 200, 200)
        page.draw.ellipse((x0 + 4, cursor + 8, x0 + 24, cursor + 28), fill=fill)
        if i < len(events) - 1:
            page.draw.line((x0 + 14, cursor + 36, x0 + 14, cursor + height), fill=(225, 225, 225), width=3)
        page.text(x0 + 60, cursor, status, s["label"], TEXT if i == 0 else GREY, bold=i == 0)
        line_y = cursor + s["label"] + 20
        for line in wrapped:
            page.text(x0 + 60, line_y, line, s["small"] + 2, TEXT if i == 0 else GREY)
            line_y += s["small"] + 14
        stamp = f"{times[i]:%m-%d %H:%M}" if short else stamp_text(times[i])
        page.text(x0 + 60, line_y + 4, stamp, s["small"], LIGHT, numeric=True)
        cursor += height


def _hero_amount(page: Page, x, baseline, text) -> None:
    """¥ small, yuan big, cents smaller, on one baseline, as payment apps show a sum."""
    big = page.s["big"]
    sizes = (big - 16, big, big - 12)
    integer, cents = text[1:].split(".")
    parts = (text[0], integer, "." + cents)
    width = sum(page.length(part, size, numeric=True) for part, size in zip(parts, sizes, strict=True))
    cursor = x - width / 2
    for part, size in zip(parts, sizes, strict=True):
        font = page.font(size, numeric=True, text=text)
        page.draw.text((cursor, baseline), part, font=font, fill=TEXT, anchor="ls", stroke_width=1, stroke_fill=TEXT)
        cursor += font.getlength(part)
    page.texts.append(text)


def _refund_receipt(page: Page) -> None:
    spec, shown, truth = page.spec, page.shown, page.truth
    dates, rng, s = truth["dates"], page.rng, page.s
    y = page.header(rng.choice(["退款详情", "退款详情", "售后详情"]))
    page.bottom_bar(rng.choice([["联系客服", "查看订单"], ["查看钱款去向"], ["删除记录", "联系商家"]]))
    amount = money_text(shown["amount"], spec)
    # hero: tick, 退款成功, the amount
    hero = 140 + s["big"] * 2 + 150
    page.card(y, hero)
    cx = WIDTH / 2
    page.draw.ellipse((cx - 44, y + 40, cx + 44, y + 128), fill=(7, 193, 96))
    page.draw.line([(cx - 22, y + 86), (cx - 6, y + 102), (cx + 24, y + 68)], fill="white", width=8)
    page.text(cx, y + 150, "退款成功", s["big"], TEXT, anchor="ma", bold=True)
    _hero_amount(page, cx, y + 150 + s["big"] * 2 + 30, amount)
    subtitle = rng.choice(["钱款已原路退回至月付额度", "已退回月付，可在账单中查看",
                           "退款已退回至月付额度，请注意查收"])
    page.text(cx, y + 150 + s["big"] * 2 + 66, subtitle, s["small"], GREY, anchor="ma")
    y += hero + 20
    if rng.random() < 0.6:  # progress steps
        page.card(y, 190)
        steps = [("提交申请", dates["requested"]), ("商家处理", dates["delivered"] or dates["returned"]),
                 ("退款成功", dates["refunded"])]
        xs = [WIDTH * 0.2, WIDTH * 0.5, WIDTH * 0.8]
        page.draw.line((xs[0], y + 54, xs[2], y + 54), fill=(7, 193, 96), width=4)
        for x, (label, moment) in zip(xs, steps, strict=True):
            page.draw.ellipse((x - 14, y + 40, x + 14, y + 68), fill=(7, 193, 96))
            page.text(x, y + 90, label, s["small"], TEXT, anchor="ma")
            page.text(x, y + 130, f"{moment:%m-%d %H:%M}", s["small"] - 2, LIGHT, anchor="ma", numeric=True)
        y += 210
    reason = rng.choice(["七天无理由退货", "不想要了", "商品质量问题", "尺码不合适", "与商品描述不符"])
    refund_no = rng.choice(["", "RF"]) + f"{dates['requested']:%Y%m%d}" + digits(rng, 11, "0123456789")
    rows = [
        {"label": rng.choice(["退款金额", "退款金额", "退款总额", "退回金额"]), "value": amount, "numeric": True,
         "bold": True, "value_fill": rng.choice([TEXT, spec["accent"]])},
        {"label": rng.choice(["退回账户", "退款方式", "退回至"]),
         "value": rng.choice(["月付额度", "原路退回（月付）"])},
        {"label": "退款原因", "value": reason},
        {"label": "订单编号", "value": shown["order_number"], "copy": True, "numeric": True},
        {"label": rng.choice(["退款编号", "售后单号"]), "value": refund_no, "numeric": True},
        {"label": "申请时间", "value": stamp_text(dates["requested"]), "numeric": True},
        {"label": rng.choice(["退款时间", "到账时间"]), "value": stamp_text(dates["refunded"]), "numeric": True},
    ]
    if rng.random() < 0.5:  # product first, with its price: the order amount, which may differ
        page.card(y, 240)
        page.product(y + 20, spec["item"], spec["variant"], page.shown["product_price"])
        y += 260
    y += page.kv_card(y, rng.choice(["退款信息", "售后信息", None]), rows) + 20
    if rng.random() < 0.4 and y + 600 < page.limit:
        page.recommendations(y)


RENDERERS = {"order": _order, "logistics": _logistics, "refund_receipt": _refund_receipt}
