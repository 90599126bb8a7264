"""What a generated screenshot shows: goods, shops, people, carriers and the random choices of a
case (spec_for), all following from the seed."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

WIDTH = 1170
KINDS = ("order", "logistics", "refund_receipt")  # Evidence.Kind values
# What tamper() may change on each kind, and what the bench checks on each.
TAMPER_FIELDS = {
    "order": ("order_number", "amount"),
    "logistics": ("tracking_number",),
    "refund_receipt": ("amount", "order_number"),
}
PRIMARY_FIELD = {"order": "order_number", "logistics": "tracking_number", "refund_receipt": "amount"}

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


def digits(rng, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def tracking(rng, carrier: str) -> str:
    """The number as the carrier prints it (and as it is stored with the refund)."""
    if carrier == "SF":
        return "SF" + digits(rng, rng.choice([12, 13, 13, 13, 14, 15]), "13")
    if carrier == "JD":
        letters = rng.choice(["VA", "VB", "VC", "VD", "X", "AZ", ""])
        return "JD" + letters + digits(rng, rng.randint(12, 15) - len(letters), "0123456789")
    if carrier == "YT":
        return "YT" + digits(rng, rng.choice([13, 13, 14, 15]), "2345678")
    if carrier == "ZTO":
        return rng.choice(["73", "75", "78"]) + digits(rng, 12, "0123456789") if rng.random() < 0.8 \
            else "7" + digits(rng, 11, "0123456789")
    if carrier == "STO":
        return rng.choice(["77", "88"]) + digits(rng, 11, "0123456789")
    if carrier == "YD":
        return rng.choice(["31", "43", "46"]) + digits(rng, 11, "0123456789")
    if rng.random() < 0.2:  # EMS, international style (UPU S10)
        return "E" + rng.choice("ABCMS") + digits(rng, 9, "0123456789") + "CN"
    return "1" + digits(rng, 12, "0123456789")


def random_price(rng) -> Decimal:
    """Log-uniform between ¥9 and ¥20,000, with the endings shops use."""
    value = 10 ** rng.uniform(0.95, 4.3)
    cents = rng.choice(["00", "00", "00", "90", "99", "50", f"{rng.randint(0, 99):02d}"])
    return Decimal(f"{int(value)}.{cents}")


def money_text(value: Decimal, spec: dict) -> str:
    return f"{spec['yen']}{value:,.2f}" if spec["thousands"] else f"{spec['yen']}{value:.2f}"


def stamp_text(moment: datetime, seconds=True) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if seconds else f"{moment:%Y-%m-%d %H:%M}"


def person(rng) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "*" + rng.choice(GIVEN)
    return name, f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


def spec_for(seed: int) -> dict:
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
    if prefix == "DY":
        price = random_price(rng)
    else:
        price = Decimal(f"{rng.randint(15, 198)}.{rng.choice(['00', '50', '80', '90'])}")
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
            "order_number": prefix + f"{ordered:%Y%m%d}"[2:] + digits(rng, 6, "0123456789"),
            "order_amount": paid, "refund_amount": refund,
            "amount": paid if kind == "order" else refund,
            "tracking_number": tracking(rng, carrier), "carrier": carrier,
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
