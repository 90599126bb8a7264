"""The three pages of an appeal as HTML: the order (订单详情), the return's courier tracking
(物流详情) and the refund receipt (退款详情), with the rows, distractors and timelines real apps
show. `shown` holds what the page displays of the record (a tampered twin changes one value)."""

from dataclasses import replace
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from string import Template

from ..content import CARRIERS
from .record import DEVICES, THEMES, Record, Style

TEMPLATES = Path(__file__).with_name("templates")
_PAGE = Template((TEMPLATES / "page.html").read_text())
_CSS = (TEMPLATES / "base.css").read_text()


def money(value, style: Style) -> str:
    return f"{style.yen}{value:,.2f}" if style.thousands else f"{style.yen}{value:.2f}"


def stamp(moment: datetime, style: Style, short_ok=True) -> str:
    return f"{moment:%m-%d %H:%M}" if short_ok and style.year_less else f"{moment:%Y-%m-%d %H:%M:%S}"


def _variables(style: Style) -> str:
    accent, head = THEMES[style.app]
    light = {"--bg": "#f4f4f6", "--card": "#ffffff", "--text": "#222222", "--muted": "#8a8a8f", "--line": "#dcdce0",
             "--chip": "#f2f2f5", "--thumb": "linear-gradient(135deg,#c9d6df,#f0e5d8)",
             "--map": "linear-gradient(120deg,#dfeee0,#e8eef7 60%,#f5efe3)"}
    dark = {"--bg": "#111114", "--card": "#1e1e22", "--text": "#e8e8ea", "--muted": "#9b9ba3", "--line": "#3a3a40",
            "--chip": "#2a2a30", "--thumb": "linear-gradient(135deg,#3a4a55,#5a4a3a)",
            "--map": "linear-gradient(120deg,#1f2b22,#1f2430 60%,#2b271f)"}
    colours = dark if style.dark else light
    head_bg = colours["--card"] if style.dark or head == "#ffffff" else head
    head_text = colours["--text"] if head_bg == colours["--card"] else "#ffffff"
    values = {**colours, "--accent": accent, "--ok": "#07c160", "--head-bg": head_bg, "--head-text": head_text,
              "--font": f"'{style.font}'", "--num-font": f"'{style.num_font}'" if style.num_font else f"'{style.font}'",
              "--size": f"{style.size}px", "--clamp": str(style.extras["clamp"])}
    return " ".join(f"{name}: {value};" for name, value in values.items())


def _row(label: str, value: str, *, num=False, copy=False, cls="", keep=False) -> str:
    """A label/value row; `keep`: the customer scrolls until it shows (see browser.KEEP_IN_VIEW)."""
    value_html = f'<span class="value{" num" if num else ""} {cls}">{value}</span>'
    copy_html = '<span class="copy">复制</span>' if copy else ""
    return (f'<div class="row"{" data-keep" if keep else ""}><span class="label">{escape(label)}</span>'
            f"<span>{value_html}{copy_html}</span></div>")


def _card(title: str, rows: list[str], style: Style) -> str:
    heading = f"<h2>{escape(title)}</h2>" if title else ""
    return f'<div class="card rows-{style.rows}">{heading}{"".join(rows)}</div>'


def _product(name: str, variant: str, price: str, count: str = "x1", struck: str = "") -> str:
    old = f"<del class=\"num\">{struck}</del><br>" if struck else ""
    return (f'<div class="product"><div class="thumb"></div><div class="info"><div class="title">{escape(name)}</div>'
            f'<span class="variant">{escape(variant)}</span></div>'
            f'<div class="price"><span class="num">{price}</span><br>{old}<span class="muted">{count}</span></div>'
            "</div>")


def html_page(style: Style, title: str, body: str, buttons: list[str], nav_right: str = "") -> str:
    return _PAGE.substitute(variables=_variables(style), css=_CSS, clock=style.extras["clock"], title=escape(title),
                            nav_right=escape(nav_right), body=body,
                            buttons="".join(f"<span>{escape(b)}</span>" for b in buttons))


def order_page(record: Record, style: Style, shown: dict) -> str:
    x = style.extras
    parts = ['<div class="hero"><h1>交易成功</h1><p>感谢您的购买，期待再次光临</p></div>']
    if x["address"]:
        name, phone = x["person"]
        province, city, district = x["place"]
        parts.append(f'<div class="card address"><b>{name}  {phone}</b><p>{province}{city}{district}{x["street"]}</p>'
                     "</div>")
    struck = money(record.price * 2 + 100, style) if x["struck"] else ""
    rows = [_row("商品总价", money(record.price, style), num=True),
            _row("运费", money(record.shipping, style) if record.shipping else "包邮", num=True)]
    if record.discount:
        rows.append(_row("店铺优惠", "-" + money(record.discount, style), num=True, cls="accent"))
    rows.append(_row("实付款", money(record.order_amount, style), num=True, cls="strong accent"))
    parts.append(f'<div class="card rows-split"><div class="shop">{escape(record.shop)} &gt;</div>'
                 f'{_product(shown["item_name"], record.variant, money(record.price, style), struck=struck)}'
                 f'{"".join(rows)}</div>')
    info = [_row("订单编号", shown["order_number"], num=True, copy=True, keep=True),
            _row("支付方式", "月付"),
            _row("下单时间", stamp(record.ordered, style, False), num=True, keep=True),
            _row(x["label_paid"], stamp(record.paid, style, False), num=True),
            _row("发货时间", stamp(record.ordered + timedelta(hours=20), style, False), num=True),
            _row("物流单号", x["outbound"], num=True)]
    parts.append(_card("订单信息", info, style))
    if x["other_order"]:
        parts.append(_card("同店铺其他订单", [_row("订单编号", x["other_number"], num=True),
                                              _row(x["other_item"], money(x["other_amount"], style), num=True)], style))
    if x["tiles"]:
        tiles = "".join(f'<div class="tile"><div class="thumb"></div><p>{escape(name)}</p>'
                        f'<p class="accent num">{money(price, style)}</p></div>'
                        for name, price in zip(x["tiles_items"], x["tiles_prices"], strict=True))
        parts.append(f'<div class="card"><h2 class="center">你可能还喜欢</h2><div class="tiles">{tiles}</div></div>')
    return html_page(style, "订单详情", "".join(parts), ["申请售后", "查看物流", "再买一单"])


def _events(record: Record, style: Style) -> list[tuple[str, str, datetime]]:
    x = style.extras
    _p, city, district = x["place"]
    _p, origin, _d = x["origin"]
    courier = x["person"][0][0] + "师傅"
    events = []
    if record.delivered:
        events.append(("已签收", f"【{city}】您的快件已签收，签收人：商家仓库。如有疑问请联系{courier}"
                                 f"（{x['courier_phone']}）", record.delivered))
        events.append(("派送中", f"【{city}】{district}营业点派件员 {courier} {x['courier_phone']} 正在为您派件",
                       record.delivered - timedelta(hours=3)))
    transit = record.picked_up + ((record.delivered or record.refunded) - record.picked_up) / 2
    events.append(("运输中", f"【{city}】快件已到达 {city}转运中心", transit))
    events.append(("运输中", f"【{origin}】快件已从 {origin}转运中心 发出，下一站 {city}转运中心",
                   record.picked_up + timedelta(hours=5)))
    events.append(("已揽件", f"【{origin}】{origin}营业部 快件已揽收，揽收员：{courier}", record.picked_up))
    events.append(("已下单", "商家已同意退货，等待快递员上门揽收", record.requested + timedelta(minutes=20)))
    return events


def logistics_page(record: Record, style: Style, shown: dict) -> str:
    names, logo, colour, hotline = CARRIERS[record.carrier]
    parts = ['<div class="card map"></div>'] if style.extras["map"] else []
    parts.append(f'<div class="card" data-keep><div class="carrier">'
                 f'<span class="logo" style="background: rgb{colour}">{logo}</span>'
                 f'<div><div class="strong">{names[0]}</div><div><span class="muted">运单号 </span>'
                 f'<span class="num">{shown["tracking_number"]}</span><span class="copy">复制</span></div>'
                 f'<div class="muted">官方电话 <span class="num">{hotline}</span></div></div></div></div>')
    events = "".join(f'<div class="event"{" data-keep" if moment == record.picked_up else ""}>'
                     f'<div class="what">{what}</div><div class="text">{escape(text)}</div>'
                     f'<div class="when num">{stamp(moment, style)}</div></div>'
                     for what, text, moment in _events(record, style))
    parts.append(f'<div class="card"><h2>物流详情</h2><div class="timeline">{events}</div></div>')
    return html_page(style, "退货物流", "".join(parts), ["联系快递员", "复制单号"], nav_right="客服")


def receipt_page(record: Record, style: Style, shown: dict) -> str:
    x = style.extras
    amount = shown["refund_amount"]
    yuan, cents = (f"{amount:,.2f}" if style.thousands else f"{amount:.2f}").split(".")
    parts = [f'<div class="card center" data-keep><div class="tick"></div>'
             f'<div class="strong" style="font-size: 19px">退款成功</div>'
             f'<div class="big-amount num"><small>{style.yen}</small>{yuan}<small>.{cents}</small></div>'
             f'<div class="muted">钱款已原路退回至月付额度</div></div>']
    if x["steps"]:
        steps = [("提交申请", record.requested), ("商家同意", record.requested + timedelta(hours=2)),
                 ("退款成功", record.refunded)]
        parts.append('<div class="card"><div class="steps">' + "".join(
            f'<div><i></i>{label}<br><span class="muted num">{moment:%m-%d %H:%M}</span></div>'
            for label, moment in steps) + "</div></div>")
    product_price = shown.get("product_price", money(record.order_amount, style))
    if x["receipt_product"]:
        parts.append(f'<div class="card">{_product(shown["item_name"], record.variant, product_price)}</div>')
    rows = [_row("退款金额", money(amount, style), num=True, cls="strong accent"),
            _row("退回账户", "月付额度"), _row("退款原因", x["reason"]),
            _row("订单编号", shown["order_number"], num=True, copy=True),
            _row("退款编号", x["refund_no"], num=True),
            _row("申请时间", stamp(record.requested, style, False), num=True),
            _row(x["label_refund"], stamp(record.refunded, style, False), num=True, keep=True)]
    if record.shipping:
        rows.insert(1, _row("运费", money(record.shipping, style) + " 不退", num=True))
    parts.append(_card("退款信息", rows, replace(style, rows="split") if style.rows == "stacked" else style))
    return html_page(style, "退款详情", "".join(parts), ["联系客服", "查看订单"])


PAGES = {"order": order_page, "logistics": logistics_page, "refund_receipt": receipt_page}


def viewport(style: Style) -> tuple[int, int, float]:
    return DEVICES[style.device]
