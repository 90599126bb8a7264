"""Phone screenshots with known ground truth, for the OCR tests and bench/ocr_accuracy.py.

`make_case(seed)` draws one app page as a customer would upload it: an order (订单详情), a return's
logistics (退货物流) or a refund receipt (退款详情), 1170 px wide like an iPhone screenshot, with a
coloured header, white cards, label/value rows, photo-like blocks and distracting numbers (shop
prices, phone numbers, refund numbers). It then degrades it as a re-shared screenshot is: a slight
rotation, light Gaussian noise and JPEG re-encoding. Everything follows from the seed.

`tamper(case, field)` is the same screenshot with exactly one digit of the order number, the amount
or the tracking number changed wherever it is shown; its `truth` still holds the record's values.

    python -m appeals.tests.screenshot_gen 1 2 3 --out /tmp/shots   # look at a few
"""

import io
import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from appeals.demo_images import font as cjk_font

WIDTH = 1170
KINDS = ("order", "logistics", "refund_receipt")  # Evidence.Kind values
# What tamper() may change on each kind, and what the bench checks on each.
TAMPER_FIELDS = {
    "order": ("order_number", "amount"),
    "logistics": ("tracking_number",),
    "refund_receipt": ("amount", "order_number"),
}
PRIMARY_FIELD = {"order": "order_number", "logistics": "tracking_number", "refund_receipt": "amount"}

LATIN_FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]
TEXT, GREY, LIGHT = (33, 33, 33), (128, 128, 128), (153, 153, 153)


@dataclass(frozen=True)
class Case:
    seed: int
    kind: str  # "order" | "logistics" | "refund_receipt"
    image_bytes: bytes  # JPEG
    truth: dict  # the record (see _truth); a tampered twin keeps the original values
    shown: dict  # what the image shows: order_number, amount (this kind's), tracking_number
    texts: tuple[str, ...]  # every text drawn, in drawing order
    tampered: str | None = None  # the field changed by tamper(), None for a genuine screenshot
    spec: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def field(self) -> str:
        """The field the bench checks on this kind of screenshot."""
        return PRIMARY_FIELD[self.kind]

    def shown_text(self, field: str) -> str:
        """The field as drawn on the screenshot (an amount with its ¥ and separators)."""
        return _money(self.shown[field], self.spec) if field == "amount" else str(self.shown[field])


# --- Content -------------------------------------------------------------------------------------
GOODS = [
    ("蓝牙耳机 Pro 主动降噪", "颜色：曜石黑"), ("羽绒服 男款 连帽加厚", "颜色：黑色；尺码：L"),
    ("电热水壶 1.7L 大容量", "规格：标准版"), ("手机壳 透明防摔 适用iPhone 15", "颜色分类：透明"),
    ("机械键盘 87键 青轴", "轴体：青轴"), ("保温杯 500ml 不锈钢", "颜色：象牙白"),
    ("运动鞋 男款 透气跑步鞋", "尺码：42"), ("空气炸锅 家用 5L", "套餐：官方标配"),
    ("碎花连衣裙 法式复古", "颜色：蓝色；尺码：M"), ("扫地机器人 X20 自动集尘", "规格：白色"),
    ("补水保湿护肤套装", "规格：6件套"), ("儿童绘本 全10册", "版本：精装"), ("电动牙刷 声波 成人款", "颜色：粉色"),
    ("智能手表 GT 4 46mm", "表带：氟橡胶"), ("行李箱 24寸 万向轮", "颜色：银色"), ("双肩包 通勤电脑包", "颜色：灰色"),
    ("成猫猫粮 10kg 鸡肉味", "规格：10kg"), ("纯棉四件套 1.8m床", "颜色：浅灰"),
]
FOOD = [
    ("黄焖鸡米饭（大份）", "微辣"), ("麻辣香锅 单人餐", "中辣"), ("珍珠奶茶 大杯", "少冰 七分糖"),
    ("招牌牛肉拉面", "加面"), ("汉堡双人套餐", "含薯条可乐"), ("酸菜鱼 2-3人份", "不要香菜"),
    ("鲜切水果捞 500g", "常温"),
]
BRANDS = ["小米", "华为", "安踏", "美的", "良品铺子", "优衣库", "公牛", "南极人", "李宁", "九阳", "飞利浦", "罗技"]
RESTAURANTS = ["杨国福麻辣烫(科技园店)", "瑞幸咖啡(南山店)", "老乡鸡(粤海街道店)", "蜜雪冰城(大学城店)",
               "华莱士(西丽店)"]
SURNAMES = "张王李赵陈刘杨黄周吴徐孙马朱胡郭何林"
GIVEN = "明伟芳娜敏静丽强磊军洋勇艳杰娟涛超"
CITIES = [("广东省", "深圳市", "南山区"), ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "余杭区"),
          ("上海市", "上海市", "浦东新区"), ("北京市", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区"),
          ("湖北省", "武汉市", "洪山区"), ("江苏省", "苏州市", "工业园区"), ("浙江省", "金华市", "义乌市")]
STREETS = ["科技园南区8栋1203", "天河路385号太古汇2座", "文一西路969号", "张江路88弄5号601", "望京街10号院3号楼",
           "天府大道中段666号", "光谷大道77号", "星湖街328号", "稠州北路1号"]
RECOMMENDED = ["夏季新款短袖T恤", "无线充电宝 10000mAh", "抽纸 24包 整箱", "坚果礼盒 1.5kg", "洗衣凝珠 52颗",
               "蓝牙音箱 迷你便携", "不锈钢炒锅 32cm", "防晒霜 SPF50+", "数据线 快充 2米", "零食大礼包"]
CARRIERS = {  # code: (names on screen, logo character, colour, hotline)
    "SF": (["顺丰速运", "顺丰快递"], "顺", (30, 30, 30), "95338"),
    "JD": (["京东快递", "京东物流"], "京", (226, 35, 26), "950616"),
    "YT": (["圆通速递", "圆通快递"], "圆", (102, 45, 145), "95554"),
    "ZTO": (["中通快递"], "中", (35, 94, 192), "95311"),
    "STO": (["申通快递"], "申", (240, 130, 0), "95543"),
    "YD": (["韵达快递", "韵达速递"], "韵", (255, 190, 0), "95546"),
    "EMS": (["EMS", "中国邮政EMS", "邮政EMS"], "E", (0, 122, 60), "11183"),
}
LABEL_CARRIERS = ("ZTO", "STO", "YD", "EMS")  # bare-digit numbers: the carrier's name is on the same line
APPS = {  # order-number prefix: (app accent, header gradient end)
    "DY": ((254, 44, 85), (255, 120, 80)),
    "EL": ((0, 137, 255), (60, 190, 255)),
}


def _digits(rng, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _tracking(rng, carrier: str) -> str:
    """The number as the carrier prints it (and as it is stored with the refund)."""
    if carrier == "SF":
        return "SF" + _digits(rng, rng.choice([12, 13, 13, 13, 14, 15]), "13")
    if carrier == "JD":
        letters = rng.choice(["VA", "VB", "VC", "VD", "X", "AZ", ""])
        return "JD" + letters + _digits(rng, rng.randint(12, 15) - len(letters), "0123456789")
    if carrier == "YT":
        return "YT" + _digits(rng, rng.choice([13, 13, 14, 15]), "2345678")
    if carrier == "ZTO":
        return rng.choice(["73", "75", "78"]) + _digits(rng, 12, "0123456789") if rng.random() < 0.8 \
            else "7" + _digits(rng, 11, "0123456789")
    if carrier == "STO":
        return rng.choice(["77", "88"]) + _digits(rng, 11, "0123456789")
    if carrier == "YD":
        return rng.choice(["31", "43", "46"]) + _digits(rng, 11, "0123456789")
    if rng.random() < 0.2:  # EMS, international style (UPU S10)
        return "E" + rng.choice("ABCMS") + _digits(rng, 9, "0123456789") + "CN"
    return "1" + _digits(rng, 12, "0123456789")


def _price(rng) -> Decimal:
    """Log-uniform between ¥9 and ¥20,000, with the endings shops use."""
    value = 10 ** rng.uniform(0.95, 4.3)
    cents = rng.choice(["00", "00", "00", "90", "99", "50", f"{rng.randint(0, 99):02d}"])
    return Decimal(f"{int(value)}.{cents}")


def _money(value: Decimal, spec: dict) -> str:
    return f"{spec['yen']}{value:,.2f}" if spec["thousands"] else f"{spec['yen']}{value:.2f}"


def _stamp(moment: datetime, seconds=True) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if seconds else f"{moment:%Y-%m-%d %H:%M}"


def _person(rng) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "*" + rng.choice(GIVEN)
    return name, f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


def _spec(seed: int) -> dict:
    """Every random choice of a case, so that a tampered twin is drawn the same way."""
    rng = random.Random(seed)
    kind = KINDS[seed % 3]
    prefix = rng.choice(["DY", "DY", "EL"])
    ordered = datetime(2026, 1, 3, 8) + timedelta(days=rng.randint(0, 320), seconds=rng.randint(0, 15 * 3600))
    returned = ordered + timedelta(days=rng.randint(3, 12), seconds=rng.randint(0, 8 * 3600))
    delivered = returned + timedelta(days=rng.randint(1, 3), seconds=rng.randint(0, 8 * 3600))
    requested = returned - timedelta(hours=rng.randint(2, 30), seconds=rng.randint(0, 3599))
    refunded = delivered + timedelta(hours=rng.randint(1, 40), seconds=rng.randint(0, 3599))
    goods, shops = (FOOD, RESTAURANTS) if prefix == "EL" else (GOODS, None)
    item, variant = rng.choice(goods)
    price = _price(rng) if prefix == "DY" else Decimal(f"{rng.randint(15, 198)}.{rng.choice(['00', '50', '80', '90'])}")
    shipping = Decimal(rng.choice(["0.00", "0.00", "6.00", "10.00"])) if prefix == "DY" else Decimal("3.50")
    discount = Decimal(rng.choice(["0.00", "0.00", "5.00", "10.00", "20.00"]))
    discount = min(discount, (price / 2).quantize(Decimal("1")))
    paid = price + shipping - discount
    refund = paid if rng.random() < 0.8 else (paid * Decimal(rng.uniform(0.2, 0.9))).quantize(Decimal("1.00"))
    carrier = rng.choice(list(CARRIERS))
    status = "delivered" if rng.random() < 0.7 else "in_transit"
    accent, accent2 = APPS[prefix]
    if kind == "logistics":
        accent, accent2 = rng.choice([((22, 119, 255), (90, 170, 255)), ((255, 106, 0), (255, 160, 60)),
                                      (accent, accent2)])
    elif kind == "refund_receipt":
        accent, accent2 = rng.choice([((7, 193, 96), (80, 215, 140)), (accent, accent2)])
    return {
        "seed": seed, "kind": kind, "rng_state": rng.getrandbits(64),
        "truth": {
            "order_number": prefix + f"{ordered:%Y%m%d}"[2:] + _digits(rng, 6, "0123456789"),
            "order_amount": paid, "refund_amount": refund,
            "amount": paid if kind == "order" else refund,
            "tracking_number": _tracking(rng, carrier), "carrier": carrier,
            "logistics_status": status, "refund_status": "refunded",
            "dates": {"ordered": ordered, "paid": ordered + timedelta(seconds=rng.randint(5, 90)),
                      "requested": requested, "returned": returned,
                      "delivered": delivered if status == "delivered" else None, "refunded": refunded},
        },
        "prefix": prefix, "item": item, "variant": variant, "price": price, "shipping": shipping,
        "discount": discount, "shop": rng.choice(shops) if shops else rng.choice(BRANDS) + rng.choice(
            ["官方旗舰店", "旗舰店", "专卖店", "官方店"]),
        "height": rng.choice([2000, 2208, 2340, 2400, 2436, 2532, 2532]),
        "accent": accent, "accent2": accent2, "bg": (rng.randint(240, 247),) * 3,
        "header": rng.choice(["solid", "gradient", "gradient"]),
        "rows": rng.choice(["split", "split", "inline", "stacked"]),
        "yen": rng.choice(["¥", "¥", "¥", "￥"]), "colon": rng.random() < 0.5, "thousands": rng.random() < 0.6,
        "numeric_font": rng.choice(["cjk", "cjk", "latin"]),
        "sizes": {"label": rng.choice([26, 28, 30]), "value": rng.choice([28, 30, 32]),
                  "title": rng.choice([34, 36, 40]), "small": rng.choice([24, 24, 26]),
                  "big": rng.choice([40, 44, 48])},
        "angle": rng.uniform(-1.5, 1.5), "noise": rng.uniform(2.0, 5.0), "quality": rng.randint(70, 90),
        "noise_seed": rng.getrandbits(63),
    }


# --- Drawing -------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _latin_font(size: int) -> ImageFont.ImageFont:
    for path in LATIN_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return cjk_font(size)


class _Page:
    def __init__(self, spec: dict, shown: dict):
        self.spec, self.shown, self.truth = spec, shown, spec["truth"]
        self.rng = random.Random(spec["rng_state"])  # layout choices; independent of the shown values
        self.s = spec["sizes"]
        self.height = spec["height"]
        self.image = Image.new("RGB", (WIDTH, self.height), spec["bg"])
        self.draw = ImageDraw.Draw(self.image)
        self.texts: list[str] = []
        self.margin = self.rng.choice([24, 28, 32])
        self.pad = self.rng.choice([32, 36, 40])
        self.limit = self.height  # content ends above the bottom bar

    # primitives
    def font(self, size: int, numeric=False, text=""):
        """Some apps draw figures in a Latin face; it has no CJK glyphs, nor the full-width ￥."""
        latin = numeric and self.spec["numeric_font"] == "latin" and all(ord(char) < 256 for char in text)
        return _latin_font(size) if latin else cjk_font(size)

    def text(self, x, y, text, size, fill=TEXT, anchor="la", bold=False, numeric=False) -> tuple:
        if not text:
            return (x, y, x, y)
        font = self.font(size, numeric, text)
        stroke = 1 if bold else 0
        self.draw.text((x, y), text, font=font, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=fill)
        self.texts.append(text)
        return self.draw.textbbox((x, y), text, font=font, anchor=anchor, stroke_width=stroke)

    def length(self, text, size, numeric=False) -> float:
        return self.font(size, numeric, text).getlength(text)

    def photo(self, box):
        """A photo-like block: smooth random colour blobs."""
        x0, y0, x1, y1 = (int(v) for v in box)
        cells = np.array([[self.rng.randint(40, 250) for _ in range(3)] for _ in range(16)], dtype=np.uint8)
        small = Image.fromarray(cells.reshape(4, 4, 3), "RGB")
        block = small.resize((x1 - x0, y1 - y0), Image.Resampling.BICUBIC)
        mask = Image.new("L", block.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *block.size), radius=12, fill=255)
        self.image.paste(block, (x0, y0), mask)

    def gradient(self, box, top, bottom):
        x0, y0, x1, y1 = (int(v) for v in box)
        ramp = np.linspace(0.0, 1.0, y1 - y0, dtype=np.float32)[:, None]
        rows = (np.array(top, np.float32) * (1 - ramp) + np.array(bottom, np.float32) * ramp).astype(np.uint8)
        self.image.paste(Image.fromarray(np.repeat(rows[:, None, :], x1 - x0, axis=1), "RGB"), (x0, y0))

    def card(self, y, height, radius=None, x0=None, x1=None):
        self.draw.rounded_rectangle((x0 or self.margin, y, x1 or WIDTH - self.margin, y + height),
                                    radius=radius or self.rng.choice([16, 20, 24]), fill="white")

    def copy_button(self, x, y_mid):
        size = self.s["small"]
        width = self.length("复制", size) + 28
        self.draw.rounded_rectangle((x, y_mid - size // 2 - 10, x + width, y_mid + size // 2 + 10), radius=22,
                                    outline=(200, 200, 200), width=2)
        self.text(x + width / 2, y_mid, "复制", size, GREY, anchor="mm")
        return width

    def chevron(self, x, y, size, fill):
        self.draw.line([(x + size // 2, y - size // 2), (x, y), (x + size // 2, y + size // 2)], fill=fill, width=5)

    # page furniture
    def header(self, title: str) -> int:
        """Status bar and navigation bar; returns where the content starts."""
        accent, accent2 = self.spec["accent"], self.spec["accent2"]
        bar = 132
        if self.spec["header"] == "gradient":
            self.gradient((0, 0, WIDTH, 560), accent, accent2)
            self.gradient((0, 560, WIDTH, 700), accent2, self.spec["bg"])
        else:
            self.draw.rectangle((0, 0, WIDTH, 2 * bar), fill=accent)
        white = (255, 255, 255)
        self.text(90, 58, f"{self.rng.randint(7, 23)}:{self.rng.randint(0, 59):02d}", 34, white, anchor="mm", bold=True)
        for i in range(4):  # signal bars, wifi, battery
            self.draw.rectangle((900 + i * 14, 72 - 8 * i, 908 + i * 14, 80), fill=white)
        self.draw.pieslice((968, 50, 1018, 100), 225, 315, fill=white)
        self.draw.rounded_rectangle((1040, 48, 1100, 78), radius=8, outline=white, width=3)
        self.draw.rectangle((1046, 54, 1046 + self.rng.randint(15, 48), 72), fill=white)
        self.chevron(40, bar + bar // 2, 36, white)
        self.text(WIDTH / 2, bar + bar // 2, title, self.s["title"], white, anchor="mm", bold=True)
        right = self.rng.choice(["dots", "客服", "帮助", None])
        if right == "dots":
            for i in range(3):
                self.draw.ellipse((1060 + i * 22, bar + 60, 1072 + i * 22, bar + 72), fill=white)
        elif right:
            self.text(WIDTH - 44, bar + bar // 2, right, 30, white, anchor="rm")
        return 2 * bar + (24 if self.spec["header"] == "solid" else 8)

    def bottom_bar(self, buttons: list[str]):
        height = self.rng.choice([150, 170, 190])
        self.limit = self.height - height
        self.draw.rectangle((0, self.limit, WIDTH, self.height), fill="white")
        self.draw.line((0, self.limit, WIDTH, self.limit), fill=(230, 230, 230), width=2)
        x = WIDTH - 40
        for i, label in enumerate(reversed(buttons)):
            width = self.length(label, 28) + 56
            main = i == 0
            self.draw.rounded_rectangle((x - width, self.limit + 24, x, self.limit + 92), radius=34,
                                        fill=self.spec["accent"] if main else "white",
                                        outline=self.spec["accent"] if main else (190, 190, 190), width=2)
            self.text(x - width / 2, self.limit + 58, label, 28, (255, 255, 255) if main else TEXT, anchor="mm")
            x -= width + 24
        self.draw.rounded_rectangle((WIDTH / 2 - 200, self.height - 30, WIDTH / 2 + 200, self.height - 18),
                                    radius=6, fill=(20, 20, 20))

    # rows: each returns its height; `draw=False` measures only
    def kv(self, y, label, value, *, copy=False, value_size=None, value_fill=TEXT, bold=False, numeric=False,
           style=None, draw=True) -> int:
        style = style or self.spec["rows"]
        ls, vs = self.s["label"], value_size or self.s["value"]
        x0, x1 = self.margin + self.pad, WIDTH - self.margin - self.pad
        if style == "stacked":
            height = ls + vs + 46
            if draw:
                self.text(x0, y + 14, label, ls, GREY)
                box = self.text(x0, y + ls + 30, value, vs, value_fill, bold=bold, numeric=numeric)
                if copy:
                    self.copy_button(box[2] + 24, (box[1] + box[3]) / 2)
            return height
        height = max(ls, vs) + 44
        if not draw:
            return height
        mid = y + height / 2
        self.text(x0, mid, label + ("：" if style == "inline" and self.spec["colon"] else ""), ls, GREY, anchor="lm")
        if style == "inline":
            box = self.text(x0 + ls * 5 + 10, mid, value, vs, value_fill, anchor="lm", bold=bold, numeric=numeric)
            if copy:
                self.copy_button(box[2] + 24, mid)
        else:
            right = x1 - (self.length("复制", self.s["small"]) + 28 + 20 if copy else 0)
            self.text(right, mid, value, vs, value_fill, anchor="rm", bold=bold, numeric=numeric)
            if copy:
                self.copy_button(right + 20, mid)
        return height

    def kv_card(self, y, title, rows) -> int:
        """A white card of label/value rows; rows are kv() keyword dicts."""
        heights = [self.kv(0, draw=False, **row) for row in rows]
        top = 30 + (self.s["label"] + 36 if title else 0)
        height = top + sum(heights) + 24
        self.card(y, height)
        if title:
            self.text(self.margin + self.pad, y + 30, title, self.s["label"] + 2, TEXT, bold=True)
        cursor = y + top
        for row, row_height in zip(rows, heights, strict=True):
            self.kv(cursor, **row)
            cursor += row_height
        return height

    def wrap(self, text, size, width) -> list[str]:
        lines, line = [], ""
        for char in text:
            if self.length(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
        return [*lines, line] if line else lines

    def product(self, y, name, variant, price_text, count="x1", photo=200) -> int:
        """A product row: photo, name (wrapped), variant and price."""
        x0 = self.margin + self.pad
        self.photo((x0, y, x0 + photo, y + photo))
        tx = x0 + photo + 28
        price_width = self.length(price_text, self.s["value"], numeric=True) + 20
        cursor = y + 4
        for line in self.wrap(name, self.s["value"], WIDTH - self.margin - self.pad - tx - price_width)[:2]:
            self.text(tx, cursor, line, self.s["value"])
            cursor += self.s["value"] + 14
        self.draw.rounded_rectangle((tx, cursor + 4, tx + self.length(variant, self.s["small"]) + 20,
                                     cursor + self.s["small"] + 20), radius=8, fill=(245, 245, 245))
        self.text(tx + 10, cursor + 12, variant, self.s["small"], GREY)
        right = WIDTH - self.margin - self.pad
        self.text(right, y + 4, price_text, self.s["value"], TEXT, anchor="ra", numeric=True)
        self.text(right, y + self.s["value"] + 22, count, self.s["small"], LIGHT, anchor="ra")
        return photo

    def recommendations(self, y):
        """猜你喜欢: two columns of product tiles down to the bottom bar (cut off there)."""
        y += 20
        title = self.rng.choice(["为你推荐", "猜你喜欢", "看了又看"])
        self.draw.line((WIDTH / 2 - 200, y + 20, WIDTH / 2 - 100, y + 20), fill=(210, 210, 210), width=2)
        self.draw.line((WIDTH / 2 + 100, y + 20, WIDTH / 2 + 200, y + 20), fill=(210, 210, 210), width=2)
        self.text(WIDTH / 2, y + 20, title, 30, TEXT, anchor="mm", bold=True)
        y += 64
        gap = self.margin
        width = (WIDTH - 3 * gap) // 2
        while y + 200 < self.limit:
            for column in range(2):
                x = gap + column * (width + gap)
                self.card(y, width + 190, radius=16, x0=x, x1=x + width)
                self.photo((x + 1, y + 1, x + width - 1, y + width - 40))
                self.text(x + 20, y + width - 20, self.rng.choice(RECOMMENDED), self.s["small"] + 2)
                price = Decimal(f"{self.rng.randint(9, 399)}.{self.rng.choice(['00', '90', '99', '80'])}")
                self.text(x + 20, y + width + 30, f"{self.spec['yen']}{price}", 30, self.spec["accent"], numeric=True)
                self.text(x + width - 20, y + width + 36, f"已售{self.rng.randint(1, 99)}万+", 24, LIGHT, anchor="ra")
            y += width + 190 + gap


# --- The three kinds of screenshots --------------------------------------------------------------
def _order(page: _Page) -> None:
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
        name, phone = _person(rng)
        province, city, district = rng.choice(CITIES)
        page.card(y, 170)
        page.draw.ellipse((page.margin + 30, y + 50, page.margin + 80, y + 100), fill=spec["accent"])
        page.text(page.margin + 110, y + 34, f"{name}  {phone}", s["label"] + 2, TEXT, bold=True)
        page.text(page.margin + 110, y + 94, f"{province}{city}{district}{rng.choice(STREETS)}", s["small"], GREY)
        y += 170 + 20
    # the goods and the price rows
    rows = [{"label": "商品总价", "value": shown["product_price"], "numeric": True, "style": "split"}]
    if spec["prefix"] == "EL":
        rows.append({"label": "配送费", "value": _money(spec["shipping"], spec), "numeric": True, "style": "split"})
    elif spec["shipping"]:
        rows.append({"label": "运费", "value": _money(spec["shipping"], spec), "numeric": True, "style": "split"})
    else:
        rows.append({"label": "运费", "value": rng.choice(["包邮", _money(Decimal("0.00"), spec)]), "style": "split"})
    if spec["discount"]:
        rows.append({"label": rng.choice(["店铺优惠", "平台优惠", "红包"]), "style": "split",
                     "value": "-" + _money(spec["discount"], spec), "numeric": True, "value_fill": spec["accent"]})
    rows.append({"label": "实付款", "value": _money(shown["amount"], spec), "numeric": True, "bold": True,
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
        {"label": "下单时间", "value": _stamp(dates["ordered"]), "numeric": True},
        {"label": "支付时间", "value": _stamp(dates["paid"]), "numeric": True},
    ]
    if spec["prefix"] == "EL":
        rows.append({"label": "配送方式", "value": rng.choice(["蜂鸟专送", "商家配送"])})
    y += page.kv_card(y, rng.choice(["订单信息", None]), rows) + 20
    if rng.random() < 0.5 and y + 600 < page.limit:
        page.recommendations(y)


def _logistics(page: _Page) -> None:
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
    courier, phone = _person(rng)
    courier = courier.replace("*", "师傅")[:2] + "师傅"
    phone = "1" + _digits(rng, 10, "3589")
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
        stamp = f"{times[i]:%m-%d %H:%M}" if short else _stamp(times[i])
        page.text(x0 + 60, line_y + 4, stamp, s["small"], LIGHT, numeric=True)
        cursor += height


def _hero_amount(page: _Page, x, baseline, text) -> None:
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


def _refund_receipt(page: _Page) -> None:
    spec, shown, truth = page.spec, page.shown, page.truth
    dates, rng, s = truth["dates"], page.rng, page.s
    y = page.header(rng.choice(["退款详情", "退款详情", "售后详情"]))
    page.bottom_bar(rng.choice([["联系客服", "查看订单"], ["查看钱款去向"], ["删除记录", "联系商家"]]))
    amount = _money(shown["amount"], spec)
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
    refund_no = rng.choice(["", "RF"]) + f"{dates['requested']:%Y%m%d}" + _digits(rng, 11, "0123456789")
    rows = [
        {"label": rng.choice(["退款金额", "退款金额", "退款总额", "退回金额"]), "value": amount, "numeric": True,
         "bold": True, "value_fill": rng.choice([TEXT, spec["accent"]])},
        {"label": rng.choice(["退回账户", "退款方式", "退回至"]),
         "value": rng.choice(["月付额度", "原路退回（月付）"])},
        {"label": "退款原因", "value": reason},
        {"label": "订单编号", "value": shown["order_number"], "copy": True, "numeric": True},
        {"label": rng.choice(["退款编号", "售后单号"]), "value": refund_no, "numeric": True},
        {"label": "申请时间", "value": _stamp(dates["requested"]), "numeric": True},
        {"label": rng.choice(["退款时间", "到账时间"]), "value": _stamp(dates["refunded"]), "numeric": True},
    ]
    if rng.random() < 0.5:  # product first, with its price: the order amount, which may differ
        page.card(y, 240)
        page.product(y + 20, spec["item"], spec["variant"], page.shown["product_price"])
        y += 260
    y += page.kv_card(y, rng.choice(["退款信息", "售后信息", None]), rows) + 20
    if rng.random() < 0.4 and y + 600 < page.limit:
        page.recommendations(y)


RENDERERS = {"order": _order, "logistics": _logistics, "refund_receipt": _refund_receipt}


# --- Degradation and assembly --------------------------------------------------------------------
def _degrade(image: Image.Image, spec: dict) -> bytes:
    """Rotate slightly (white fill, canvas expanded), scale back to 1170 wide — one affine resampling,
    as Image.rotate(expand=True) then resize() would do in two — add Gaussian noise, save as JPEG."""
    w, h = image.size
    angle = math.radians(spec["angle"])
    cos, sin = math.cos(angle), math.sin(angle)
    expanded_w, expanded_h = w * abs(cos) + h * abs(sin), w * abs(sin) + h * abs(cos)
    scale = WIDTH / expanded_w
    height = round(expanded_h * scale)
    # output pixel (u, v) → expanded canvas (u / scale, v / scale) → rotated back about the centres
    a, b, c, d = cos / scale, -sin / scale, sin / scale, cos / scale
    ex, ey = expanded_w / 2, expanded_h / 2
    matrix = (a, b, w / 2 - cos * ex + sin * ey, c, d, h / 2 - sin * ex - cos * ey)
    rotated = image.transform((WIDTH, height), Image.Transform.AFFINE, matrix, resample=Image.Resampling.BILINEAR,
                              fillcolor="white")
    noise = np.random.default_rng(spec["noise_seed"]).standard_normal((height, WIDTH, 1), dtype=np.float32)
    pixels = np.asarray(rotated, dtype=np.float32)
    pixels += noise * np.float32(spec["noise"])
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG", quality=spec["quality"])
    return out.getvalue()


def _render(spec: dict, shown: dict) -> tuple[bytes, tuple[str, ...]]:
    page = _Page(spec, shown)
    RENDERERS[spec["kind"]](page)
    return _degrade(page.image, spec), tuple(page.texts)


def _shown(spec: dict) -> dict:
    truth = spec["truth"]
    return {"order_number": truth["order_number"], "amount": truth["amount"],
            "tracking_number": truth["tracking_number"],
            # the goods' price (product line, 商品总价): when it equals the amount (no shipping, no discount,
            # whole refund) it is the same figure, so a tampered amount is tampered there too
            "product_price": _money(spec["price"], spec)}


def make_case(seed: int) -> Case:
    """A genuine screenshot; kinds cycle with the seed (order, logistics, refund receipt)."""
    spec = _spec(seed)
    shown = _shown(spec)
    image, texts = _render(spec, shown)
    return Case(seed, spec["kind"], image, spec["truth"], shown, texts, None, spec)


def _change_digit(rng, text: str, positions: list[int]) -> str:
    index = rng.choice(positions)
    first = index == min(positions)
    new = rng.choice([d for d in ("123456789" if first else "0123456789") if d != text[index]])
    return text[:index] + new + text[index + 1:]


def tamper(case: Case, field: str | None = None) -> Case:
    """The same screenshot with one digit of `field` changed wherever it is shown (default: the field
    the bench checks for this kind). The truth stays the record's."""
    field = field or PRIMARY_FIELD[case.kind]
    if field not in TAMPER_FIELDS[case.kind]:
        raise ValueError(f"a {case.kind} screenshot does not show {field}")
    spec, shown = case.spec, dict(case.shown)
    rng = random.Random(f"{case.seed}:{field}")
    value = str(shown[field])
    if field == "amount":
        text = _money(shown["amount"], spec)
        digits = [i for i, char in enumerate(text) if char.isdigit()]
        changed = _change_digit(rng, text, digits)
        shown["amount"] = Decimal(changed.lstrip("¥￥").replace(",", ""))
        if shown["product_price"] == text:
            shown["product_price"] = changed
    elif field == "order_number":
        shown["order_number"] = _change_digit(rng, value, list(range(2, len(value))))
    else:
        carrier = case.truth["carrier"]
        digits = [i for i, char in enumerate(value) if char.isdigit()]
        if carrier in LABEL_CARRIERS and value.isdigit():
            digits = digits[2:]  # keep the carrier's leading digits: a forger keeps the format
        shown["tracking_number"] = _change_digit(rng, value, digits)
    image, texts = _render(spec, shown)
    return replace(case, image_bytes=image, shown=shown, texts=texts, tampered=field)


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="+", type=int)
    parser.add_argument("--out", default="screenshots", help="a directory (created)")
    parser.add_argument("--tamper", action="store_true", help="also write the tampered twins")
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        started = time.perf_counter()
        case = make_case(seed)
        took = time.perf_counter() - started
        Path(args.out, f"{seed}-{case.kind}.jpg").write_bytes(case.image_bytes)
        print(f"{seed} {case.kind} {took * 1000:.0f} ms {case.shown['order_number']} {case.shown['amount']} "
              f"{case.truth['carrier']} {case.shown['tracking_number']}")
        if args.tamper:
            twin = tamper(case)
            Path(args.out, f"{seed}-{case.kind}-tampered.jpg").write_bytes(twin.image_bytes)
