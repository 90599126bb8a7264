"""What happens to a screenshot on its way to us: sent as it is (PNG), recompressed by a chat app
(shrunk, JPEG), cropped, photographed as a screenshot of a screenshot (a photo viewer's frame
around it, shrunk), or softened (blur), and iPhones' HEIC. Everything follows from the seed."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

KINDS = ("png", "chat", "crop", "rescreen", "blur", "heic")
WEIGHTS = (30, 30, 12, 10, 10, 8)


def choose(rng: random.Random) -> dict:
    kind = rng.choices(KINDS, WEIGHTS)[0]
    return {"kind": kind, "width": rng.choice([720, 828, 960, 1080]), "quality": rng.randint(62, 85),
            "top": rng.randint(0, 140), "bottom": rng.uniform(0.0, 0.12), "blur": rng.uniform(0.5, 0.9),
            "scale": rng.uniform(0.82, 0.92), "counter": f"{rng.randint(1, 3)}/{rng.randint(3, 9)}"}


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def _shrink(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    return image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)


def _rescreen(image: Image.Image, plan: dict) -> Image.Image:
    """The screenshot shown full-screen in a photo viewer, and that screen captured again."""
    frame = Image.new("RGB", image.size, (0, 0, 0))
    inner = image.resize((round(image.width * plan["scale"]), round(image.height * plan["scale"])),
                         Image.Resampling.BICUBIC)
    frame.paste(inner, ((frame.width - inner.width) // 2, (frame.height - inner.height) // 2))
    draw = ImageDraw.Draw(frame)
    bar = (frame.height - inner.height) // 2
    draw.rectangle((0, 0, frame.width, max(0, bar - 4)), fill=(20, 20, 20))
    draw.rectangle((frame.width // 2 - 40, bar // 3, frame.width // 2 + 40, bar // 3 + 6), fill=(200, 200, 200))
    return frame


def apply(png: bytes, plan: dict) -> tuple[bytes, str]:
    """The upload's bytes and its format ("PNG", "JPEG" or "HEIF")."""
    kind = plan["kind"]
    if kind == "png":
        return png, "PNG"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if kind == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()

        out = io.BytesIO()
        image.save(out, "HEIF", quality=plan["quality"] + 10)
        return out.getvalue(), "HEIF"
    if kind == "crop":
        image = image.crop((0, plan["top"], image.width, round(image.height * (1 - plan["bottom"]))))
    elif kind == "rescreen":
        image = _rescreen(image, plan)
    elif kind == "blur":
        image = image.filter(ImageFilter.GaussianBlur(plan["blur"]))
    return _jpeg(_shrink(image, plan["width"]), plan["quality"]), "JPEG"
