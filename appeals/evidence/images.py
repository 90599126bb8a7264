"""Evidence image checks. `sniff` is the cheap check done in the upload request (header only);
`clean` is the full work done by the worker: decode once, apply orientation, drop metadata
and trailing bytes by re-encoding, and derive the thumbnail and perceptual hash. HEIC/HEIF
(iPhones' default) decode through pillow-heif; PDF receipts are rendered by pdf.py; every
accepted file ends as the same clean JPEG."""

import io
import math
import warnings
from dataclasses import dataclass

import imagehash
import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import pdf
from .rejected import EvidenceRejected

pillow_heif.register_heif_opener()  # HEIF orientation is applied on decode and its EXIF tag reset
pillow_heif.options.DECODE_THREADS = 1  # one core per worker process, as for OCR
ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]
THUMBNAIL_SIZE = (360, 360)
JPEG_QUALITY = 88
STORED_MAX_PIXELS = 12_000_000  # larger uploads are stored shrunk: plenty for reading a screenshot or photo
PHASH_SIZE = 16  # 256 bits: 64-bit hashes of two screenshots of the same app differ by only a few bits
# A hash is indexed as HASH_BANDS slices of hex digits. A flipped bit changes one digit, so two hashes
# that differ in fewer bits than there are slices agree on a whole slice (pigeonhole): the reuse rule
# looks up the screenshots sharing a slice instead of comparing with every stored hash.
HASH_BANDS = 9


def hash_bands(phash: str) -> list[tuple[int, str]]:
    """The (band number, hex slice) pairs of a hash: HASH_BANDS slices, as equal as can be."""
    size, longer = divmod(len(phash), HASH_BANDS)
    bands, start = [], 0
    for band in range(HASH_BANDS):
        end = start + size + (band < longer)
        bands.append((band, phash[start:end]))
        start = end
    return bands


__all__ = ["EvidenceRejected", "clean", "hash_bands", "sniff"]


@dataclass(frozen=True)
class CleanImage:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    phash: str
    image: Image.Image  # the decoded, oriented RGB image, for OCR without decoding again


def _open(file) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Past Pillow's bomb warning the image is refused outright, not just logged.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(file, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as exc:
        raise EvidenceRejected(_("Only screenshots and photos (JPEG, PNG, WebP, HEIC) and PDF receipts are accepted; "
                                 "this file is not one. Take a screenshot instead.")) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EvidenceRejected(_("The image has too many pixels.")) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise EvidenceRejected(_("The image is damaged and cannot be read.")) from exc


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _check_header(image: Image.Image) -> None:
    width, height = image.size
    longest, shortest = max(width, height), max(1, min(width, height))
    # A strip of one pixel by millions passes a pixel count yet breaks the JPEG encoder and the OCR
    # detector: neither side beyond what JPEG and the detector handle, no shape no phone produces.
    if longest > settings.EVIDENCE_MAX_SIDE_PX or longest / shortest > settings.EVIDENCE_MAX_ASPECT_RATIO:
        raise EvidenceRejected(
            _("The image is %(w)d×%(h)d pixels: no side may exceed %(side)d pixels and the long side may be at "
              "most %(ratio)d times the short one. Upload a screenshot of the page instead.")
            % {"w": width, "h": height, "side": settings.EVIDENCE_MAX_SIDE_PX,
               "ratio": settings.EVIDENCE_MAX_ASPECT_RATIO}
        )
    # Transparent images take 4 bytes a pixel to decode and more to flatten: a lower ceiling keeps
    # the worst upload's memory bounded (screenshots are never transparent anyway).
    limit = settings.EVIDENCE_MAX_PIXELS_WITH_ALPHA if _has_alpha(image) else settings.EVIDENCE_MAX_PIXELS
    if width * height > limit:
        raise EvidenceRejected(
            _("The image is %(w)d×%(h)d pixels; at most %(max)d million pixels are accepted.")
            % {"w": width, "h": height, "max": limit // 1_000_000}
        )
    if getattr(image, "n_frames", 1) > 1:
        raise EvidenceRejected(_("Animated images are not accepted; upload a still screenshot."))


def sniff(upload) -> None:
    """Cheap checks from the file's header: size, real format (by content, not name) and pixel count."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceRejected(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise EvidenceRejected(_("The file is empty."))
    upload.seek(0)
    if pdf.is_pdf(upload):
        pdf.sniff(upload)
    else:
        _check_header(_open(upload))
    upload.seek(0)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if _has_alpha(image):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _shrink_factor(size: tuple[int, int]) -> int:
    """The whole factor that brings an image within STORED_MAX_PIXELS (1 when it already is)."""
    return max(1, math.ceil(math.sqrt(size[0] * size[1] / STORED_MAX_PIXELS)))


def clean(file) -> CleanImage:
    """Decode fully (rejecting truncated files), shrink very large images, orient, and re-encode
    as JPEG without metadata. Large images are shrunk before anything copies them, so the peak
    memory is one decoded bitmap (for JPEG, decoded at the smaller scale straight away)."""
    image = pdf.render(file) if pdf.is_pdf(file) else _open(file)
    _check_header(image)
    factor = _shrink_factor(image.size)
    if factor > 1 and image.format == "JPEG":
        image.draft(image.mode, (image.width // factor, image.height // factor))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise EvidenceRejected(_("The image is truncated or damaged and cannot be read.")) from exc
    if (factor := _shrink_factor(image.size)) > 1:
        image = image.reduce(factor)
    ImageOps.exif_transpose(image, in_place=True)
    image = _to_rgb(image)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    scale = min(THUMBNAIL_SIZE[0] / image.width, THUMBNAIL_SIZE[1] / image.height, 1)
    thumb_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # resize() with a reducing gap shrinks by whole factors first: no full-size copy, and fast.
    thumb = image.resize(thumb_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return CleanImage(
        jpeg=out.getvalue(), thumbnail=thumb_out.getvalue(), width=image.width, height=image.height,
        phash=str(imagehash.phash(thumb, hash_size=PHASH_SIZE)), image=image,
    )
