"""Run by appeals.evidence.pdf in a child process, never imported by the app: open a PDF with
PDFium (no JavaScript engine, forms never initialised, nothing fetched) and either describe it or
render its pages. Its budget (address space, CPU) is set here before the PDF is touched, so a
decompression bomb ends this process, not the worker.

    python -I pdf_child.py inspect|render DPI MAX_PAGES MAX_SIDE_PX MEMORY_BYTES CPU_SECONDS < file.pdf

stdout: one JSON line ({"pages", "encrypted"} or {"error": code, …}); after a render's line,
the pages stacked top to bottom as raw RGB bytes."""

import json
import resource
import sys

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))


def _say(**fields) -> None:
    sys.stdout.buffer.write(json.dumps(fields).encode() + b"\n")


def main() -> int:
    mode, dpi, max_pages, max_side, memory, cpu = sys.argv[1], *map(int, sys.argv[2:7])
    data = sys.stdin.buffer.read()
    resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + memory, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        _say(error="password" if "password" in str(exc).lower() else "damaged")
        return 0
    encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1
    pages = len(document)
    scale = dpi / 72
    for index in range(min(pages, max_pages)):
        width, height = document[index].get_size()
        if max(width, height) * scale > max_side:
            _say(error="page_too_large", width_cm=round(width / 72 * 2.54), height_cm=round(height / 72 * 2.54))
            return 0
    if mode == "inspect" or encrypted or not 1 <= pages <= max_pages:
        _say(pages=pages, encrypted=encrypted)
        return 0
    rendered = []
    for index in range(pages):
        # may_draw_forms=False: form fields are not drawn, so no form code is ever set up
        rendered.append(document[index].render(scale=scale, may_draw_forms=False).to_pil().convert("RGB"))
    canvas = Image.new("RGB", (max(page.width for page in rendered), sum(page.height for page in rendered)), "white")
    top = 0
    for page in rendered:
        canvas.paste(page, (0, top))
        top += page.height
    _say(pages=pages, encrypted=False, size=list(canvas.size))
    sys.stdout.buffer.write(canvas.tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
