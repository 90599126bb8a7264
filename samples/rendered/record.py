"""What one generated appeal is about (the record the screenshots must agree with) and how its
three pages are drawn, all following from the seed."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from ..content import BRANDS, CARRIERS, CITIES, STREETS, digits, person, random_price, tracking

# Titles as shops write them: long, with the brand and selling points; the record keeps the full title.
GOODS = [
    ("蓝牙耳机 Pro 主动降噪 真无线 超长续航 运动款", "颜色：曜石黑", "EAR-PRO-2"),
    ("羽绒服男款冬季加厚连帽 90白鸭绒 保暖外套", "颜色：黑色；尺码：L", "DOWN-M-L"),
    ("电热水壶 1.7L 大容量 304不锈钢 自动断电", "规格：标准版", "KTL-17"),
    ("手机壳 透明防摔 适用iPhone 15 Pro Max 磁吸", "颜色分类：透明", "CASE-15PM"),
    ("机械键盘 87键 青轴 有线 RGB背光 电竞游戏", "轴体：青轴", "KB87-BL"),
    ("保温杯 500ml 316不锈钢 大容量 便携 男女", "颜色：象牙白", "CUP-500W"),
    ("运动鞋男款 透气网面 轻便减震 跑步鞋", "尺码：42", "RUN-42"),
    ("空气炸锅 家用 5L 大容量 智能触屏 无油", "套餐：官方标配", "AF-5L"),
    ("碎花连衣裙 法式复古 收腰显瘦 夏季新款", "颜色：蓝色；尺码：M", "DRS-BL-M"),
    ("扫地机器人 X20 自动集尘 扫拖一体 激光导航", "规格：白色", "ROBO-X20"),
    ("补水保湿护肤套装 水乳精华 6件套 礼盒装", "规格：6件套", "SKIN-6"),
    ("电动牙刷 声波 成人款 软毛 充电式 情侣", "颜色：粉色", "TB-SONIC-P"),
    ("智能手表 GT 4 46mm 血氧心率 蓝牙通话", "表带：氟橡胶", "GT4-46"),
    ("行李箱 24寸 万向轮 铝框 拉杆箱 男女", "颜色：银色", "LUG-24S"),
    ("成猫猫粮 10kg 鸡肉味 全价 无谷 营养", "规格：10kg", "CAT-10K"),
    ("纯棉四件套 1.8m床 全棉 简约 床单被套", "颜色：浅灰", "BED4-18G"),
    ("儿童绘本 全10册 精装 3-6岁 睡前故事", "版本：精装", "BOOK-K10"),
    ("无线鼠标 静音 可充电 办公 人体工学", "颜色：石墨灰", "MOUSE-S2"),
]
OTHER_GOODS = ["夏季新款短袖T恤", "无线充电宝 10000mAh", "抽纸 24包 整箱", "坚果礼盒 1.5kg", "洗衣凝珠 52颗",
               "蓝牙音箱 迷你便携", "不锈钢炒锅 32cm", "防晒霜 SPF50+", "数据线 快充 2米", "零食大礼包"]
REASONS = ["七天无理由退货", "不想要了", "商品质量问题", "尺码不合适", "与商品描述不符", "多拍/拍错"]
THEMES = {  # app: (accent, header in light mode, page title words)
    "douyin": ("#fe2c55", "#ffffff"), "taobao": ("#ff5000", "#ff7a1a"), "jd": ("#e4393c", "#f23030"),
    "pdd": ("#e02e24", "#ffffff"), "meituan": ("#ffc300", "#ffd100"),
}
FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"]
NUM_FONTS = ["", "", "DejaVu Sans", "Liberation Sans"]  # "": the CJK font's own figures
DEVICES = {  # name: (CSS width, CSS height, device pixel ratio) → screenshot 1170×2532, 1080×2400 …
    "iphone": (390, 844, 3), "iphone-plus": (428, 926, 3), "android": (393, 873, 2.75), "android-small": (360, 800, 3),
}


@dataclass(frozen=True)
class Record:
    order_number: str
    order_amount: Decimal  # 实付款
    refund_amount: Decimal
    item_name: str
    item_sku: str
    variant: str
    shop: str
    price: Decimal  # the goods' price before shipping and discounts
    shipping: Decimal
    discount: Decimal
    carrier: str  # a key of samples.content.CARRIERS
    tracking_number: str
    ordered: datetime
    paid: datetime
    requested: datetime  # 申请时间: often before the pickup
    picked_up: datetime
    delivered: datetime | None
    refunded: datetime


@dataclass(frozen=True)
class Style:
    app: str
    device: str
    font: str
    num_font: str
    dark: bool
    rows: str  # "split" (label left, value right) | "inline" | "stacked"
    size: int  # body font size, CSS px
    yen: str
    thousands: bool
    year_less: bool  # the timeline and the refund steps print month-day only
    extras: dict = field(default_factory=dict)  # page-level choices (map, tiles, other order …)


def _dates(rng: random.Random) -> dict:
    # Across the whole year and into the next one: some returns straddle New Year.
    ordered = datetime(2026, 1, 2, 8) + timedelta(days=rng.randint(0, 362), seconds=rng.randint(0, 14 * 3600))
    picked_up = ordered + timedelta(days=rng.randint(2, 10), seconds=rng.randint(0, 9 * 3600))
    requested = picked_up - timedelta(hours=rng.randint(2, 30), seconds=rng.randint(0, 3599))
    requested = max(requested, ordered + timedelta(hours=1))
    delivered = picked_up + timedelta(days=rng.randint(1, 3), seconds=rng.randint(0, 8 * 3600))
    fast = rng.random() < 0.25  # 极速退款: refunded once the parcel is picked up, before it arrives
    refunded = (picked_up + timedelta(hours=rng.randint(1, 6))) if fast else (
        delivered + timedelta(hours=rng.randint(1, 40), seconds=rng.randint(0, 3599)))
    return {"ordered": ordered, "paid": ordered + timedelta(seconds=rng.randint(5, 90)), "requested": requested,
            "picked_up": picked_up, "delivered": None if fast or rng.random() < 0.2 else delivered,
            "refunded": refunded}


def record_for(rng: random.Random) -> Record:
    item, variant, sku = rng.choice(GOODS)
    price = random_price(rng)
    shipping = Decimal(rng.choice(["0.00", "0.00", "6.00", "8.00", "10.00"]))
    discount = min(Decimal(rng.choice(["0.00", "5.00", "10.00", "20.00", "30.00"])), (price / 3).quantize(Decimal("1")))
    paid = price + shipping - discount
    refund = paid if rng.random() < 0.75 else (paid * Decimal(rng.uniform(0.2, 0.9))).quantize(Decimal("1.00"))
    carrier = rng.choice(list(CARRIERS))
    # 抖音商城's 19 digits, or the DY + 12 digits of the app's own mall
    number = digits(rng, 19) if rng.random() < 0.7 else "DY" + digits(rng, 12)
    return Record(number, paid, refund, item, sku, variant, rng.choice(BRANDS) + rng.choice(
        ["官方旗舰店", "旗舰店", "专卖店", "官方店"]), price, shipping, discount, carrier, tracking(rng, carrier),
        **_dates(rng))


def style_for(rng: random.Random) -> Style:
    return Style(
        app=rng.choice(list(THEMES)), device=rng.choice(list(DEVICES)), font=rng.choice(FONTS),
        num_font=rng.choice(NUM_FONTS), dark=rng.random() < 0.25,
        rows=rng.choice(["split", "split", "split", "inline", "stacked"]), size=rng.choice([14, 14, 15, 16]),
        yen=rng.choice(["¥", "¥", "￥"]), thousands=rng.random() < 0.6, year_less=rng.random() < 0.75,
        extras={"map": rng.random() < 0.5, "tiles": rng.random() < 0.5, "other_order": rng.random() < 0.4,
                "address": rng.random() < 0.7, "steps": rng.random() < 0.7,
                "receipt_product": rng.random() < 0.5, "struck": rng.random() < 0.6,
                "clock": f"{rng.randint(7, 23)}:{rng.randint(0, 59):02d}", "reason": rng.choice(REASONS),
                "refund_no": digits(rng, rng.choice([19, 20])), "person": person(rng),
                "place": rng.choice(CITIES), "origin": rng.choice(CITIES), "street": rng.choice(STREETS),
                "other_item": rng.choice(OTHER_GOODS), "other_number": digits(rng, 19),
                "other_amount": random_price(rng), "courier_phone": "1" + digits(rng, 10, "3589"),
                "outbound": tracking(rng, rng.choice(list(CARRIERS))), "tiles_items": rng.sample(OTHER_GOODS, 4),
                "tiles_prices": [random_price(rng) for _ in range(4)],
                "label_refund": rng.choice(["退款时间", "到账时间"]),
                "label_paid": rng.choice(["付款时间", "支付时间"]), "clamp": rng.choice([1, 2, 2])},
    )
