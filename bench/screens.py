"""Realistic phone screenshots for the upload benchmarks: 1170×2532 PNG of about 1.5 MB.

The page (header, cards, Chinese label/value rows, order numbers…) is drawn by the OCR tests'
generator (samples/) at an iPhone's full height, undegraded, as a phone saves
a screenshot; then a grid of photo-like product tiles (smooth colour fields with sensor-like noise)
is laid over the lower part, sized so that the PNG comes out at about `target_bytes`."""

# ruff: noqa: S108  (a default output folder for looking at the images)

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1170, 2532
TARGET_BYTES = 1_500_000


def _page(seed: int, kind: str | None = None) -> Image.Image:
    import samples as gen

    spec = gen.spec_for(seed)
    spec["height"] = HEIGHT
    if kind:  # one case's order, logistics and receipt pages, showing the same facts
        truth = spec["truth"]
        spec["kind"], truth["amount"] = kind, truth["order_amount" if kind == "order" else "refund_amount"]
    page = gen.Page(spec, gen.shown_values(spec))
    gen.RENDERERS[spec["kind"]](page)
    return page.image


def _photos(image: Image.Image, top: int, seed: int) -> Image.Image:
    """Product tiles (2 per row, rounded) from `top` to the bottom: photo-like, so PNG cannot squeeze them."""
    rng = np.random.default_rng(seed)
    out = image.copy()
    tile_w, gap = (WIDTH - 3 * 30) // 2, 30
    y = top
    while y < HEIGHT - 40:
        tile_h = min(tile_w, HEIGHT - 40 - y)
        for col in range(2):
            x = gap + col * (tile_w + gap)
            cells = rng.integers(30, 250, size=(5, 5, 3), dtype=np.uint8)
            base = Image.fromarray(cells, "RGB").resize((tile_w, tile_h), Image.Resampling.BICUBIC)
            pixels = np.asarray(base, dtype=np.float32)
            pixels += rng.normal(0, 9, size=pixels.shape).astype(np.float32)
            tile = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
            mask = Image.new("L", tile.size, 0)
            ImageDraw.Draw(mask).rounded_rectangle((0, 0, *tile.size), radius=18, fill=255)
            out.paste(tile, (x, y), mask)
        y += tile_h + gap
    return out


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@lru_cache(maxsize=8)
def screenshot(seed: int, target_bytes: int = TARGET_BYTES, kind: str | None = None) -> bytes:
    """One PNG screenshot, its size within a few percent of target_bytes; `kind` (order, logistics,
    refund_receipt) draws that page of the case `seed` instead of the seed's own kind."""
    page = _page(seed, kind)
    top = HEIGHT - 900  # first guess; then scale the photo area to hit the size
    for _ in range(4):
        data = _png(_photos(page, top, seed))
        text_only = 60_000
        per_row = max(1.0, (len(data) - text_only) / max(1, HEIGHT - top))
        if abs(len(data) - target_bytes) < 0.05 * target_bytes:
            break
        top = int(min(HEIGHT - 100, max(300, HEIGHT - (target_bytes - text_only) / per_row)))
    return data


def three(target_bytes: int = TARGET_BYTES) -> list[tuple[str, str, bytes]]:
    """(form field, file name, PNG bytes) for the three screenshots a refund appeal needs."""
    return [("order_screenshot", "order.png", screenshot(0, target_bytes)),
            ("logistics_screenshot", "logistics.png", screenshot(1, target_bytes)),
            ("refund_receipt", "receipt.png", screenshot(2, target_bytes))]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    import common  # noqa: F401  (puts the project on sys.path)

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    for field, name, data in three():
        (out / name).write_bytes(data)
        print(field, name, len(data), Image.open(io.BytesIO(data)).size)
