"""Reading evidence screenshots with RapidOCR (PP-OCR models shipped in its wheel, run by
onnxruntime on the CPU: nothing is downloaded at run time)."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from PIL import Image


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: list[list[float]]  # four corner points, in pixels of the stored image
    score: float

    def as_dict(self) -> dict:
        return {"text": self.text, "box": self.box, "score": round(self.score, 4)}


@lru_cache(maxsize=1)
def engine():
    """One engine per process (loading the models takes a moment); one thread, as the worker
    runs one task per core. Screenshots are upright, so the angle classifier is skipped."""
    from rapidocr import RapidOCR

    return RapidOCR(params={
        "Global.log_level": "error",
        "Global.use_cls": False,
        "EngineConfig.onnxruntime.intra_op_num_threads": settings.EVIDENCE_OCR_THREADS,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def read_lines(image: Image.Image) -> list[OcrLine]:
    result = engine()(image)
    if not result.txts:
        return []
    return [
        OcrLine(text=text, box=[[round(float(x), 1), round(float(y), 1)] for x, y in box], score=float(score))
        for text, box, score in zip(result.txts, result.boxes, result.scores, strict=True)
    ]
