"""Hostile uploads, generated on the fly (nothing binary is committed)."""

import io
import struct
import zlib

from PIL import Image

from appeals.tests.factories import image_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_pixel_flood(width: int, height: int) -> bytes:
    """A tiny file whose header claims width×height pixels (decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b""))
            + _chunk(b"IEND", b""))


def truncated_png() -> bytes:
    data = image_bytes("PNG", size=(600, 900))
    return data[: len(data) // 2]


def png_with_html() -> bytes:
    return image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (320, 640), (200, 220, 240))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = b"this is not an image, whatever its name says\n"


def oversized(megabytes: int = 11) -> bytes:
    return image_bytes("PNG") + b"\0" * (megabytes * 1024 * 1024)
