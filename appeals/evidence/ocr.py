"""Reading evidence screenshots with RapidOCR (PP-OCR models shipped in its wheel, run on the CPU
by OpenVINO or onnxruntime: nothing is downloaded at run time).

Where the time goes (bench/ocr_accuracy.py, and the measurements behind issue 17): on a 1170×2532
screenshot the text detector ran on a 924×2000 image and took most of it; the recogniser reads a
few dozen short lines. The detector finds the same lines on the screenshot shrunk to a 1024 px long
side, and OpenVINO runs both models faster than onnxruntime at one thread; the recogniser still
crops the lines from the full-resolution image, so what is read does not change."""

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


def engine_params() -> dict:
    """RapidOCR's parameters: one thread (the worker runs one task per core), no angle classifier
    (screenshots are upright), the detector on a smaller image, the engine from the settings."""
    from rapidocr import EngineType

    threads = settings.EVIDENCE_OCR_THREADS
    params = {"Global.log_level": "error", "Global.use_cls": False}
    if settings.EVIDENCE_OCR_DETECTOR_SIDE:
        params |= {"Det.limit_type": "max", "Det.limit_side_len": settings.EVIDENCE_OCR_DETECTOR_SIDE}
    if settings.EVIDENCE_OCR_ENGINE == "openvino":
        return params | {
            "Det.engine_type": EngineType.OPENVINO, "Rec.engine_type": EngineType.OPENVINO,
            "EngineConfig.openvino.inference_num_threads": threads, "EngineConfig.openvino.num_streams": 1,
            "EngineConfig.openvino.performance_hint": "LATENCY", "EngineConfig.openvino.enable_cpu_pinning": False,
            "EngineConfig.openvino.enable_hyper_threading": False,
        }
    return params | {"EngineConfig.onnxruntime.intra_op_num_threads": threads,
                     "EngineConfig.onnxruntime.inter_op_num_threads": 1}


# OpenVINO keeps the kernels it builds for each input shape (5,000 shapes by default), and the
# recogniser meets a new line width on nearly every screenshot: a worker grew about 4.4 MB a
# screenshot (bench/worker_memory.py: +883 MB over 200). With no such cache a read takes as long
# (0.725 s against 0.712 s, median of 40 screenshots in three sizes) and the memory levels off.
OPENVINO_CPU_PROPERTIES = {"CPU_RUNTIME_CACHE_CAPACITY": "0"}


def _add_openvino_properties() -> None:
    """RapidOCR passes only the options it knows to OpenVINO, and compiles each model on first use:
    wrap its CPU configuration for this process, once."""
    from rapidocr.inference_engine.openvino import device_config

    original = device_config.CPUConfig.get_config
    if getattr(original, "with_ours", False):
        return

    def get_config(config):
        return {**original(config), **OPENVINO_CPU_PROPERTIES}

    get_config.with_ours = True
    device_config.CPUConfig.get_config = get_config


@lru_cache(maxsize=1)
def engine():
    """One engine per process (loading the models takes a moment)."""
    from rapidocr import RapidOCR

    if settings.EVIDENCE_OCR_ENGINE == "openvino":
        _add_openvino_properties()
    return RapidOCR(params=engine_params())


def read_lines(image: Image.Image) -> list[OcrLine]:
    result = engine()(image)
    if not result.txts:
        return []
    return [
        OcrLine(text=text, box=[[round(float(x), 1), round(float(y), 1)] for x, y in box], score=float(score))
        for text, box, score in zip(result.txts, result.boxes, result.scores, strict=True)
    ]
