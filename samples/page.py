"""Drawing primitives of a phone app page (header, cards, label/value rows, photos) with Pillow."""

import random
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from appeals.demo_images import font as cjk_font

from .content import RECOMMENDED, WIDTH

LATIN_FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]
TEXT, GREY, LIGHT = (33, 33, 33), (128, 128, 128), (153, 153, 153)


@lru_cache(maxsize=16)
def latin_font(size: int) -> ImageFont.ImageFont:
    for path in LATIN_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return cjk_font(size)


class Page:
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
        return latin_font(size) if latin else cjk_font(size)

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
