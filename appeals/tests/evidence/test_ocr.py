"""Real OCR (RapidOCR, one thread, appeals.evidence.ocr's configuration) on screenshots rendered like
the real apps (samples.rendered), through the worker's path: images.clean() then ocr.read_lines().
The lines are read once per screenshot and shared with test_rendered.py (rendered.ocr_lines)."""

import io

import pytest
from PIL import Image, ImageDraw

from appeals.evidence import images, ocr
from appeals.tests.evidence import rendered

pytestmark = [pytest.mark.ocr, pytest.mark.browser]


def _texts(kind: str, tampered: str | None = None) -> list[str]:
    return [line["text"].replace(" ", "").replace("，", ",") for line in rendered.ocr_lines(rendered.SEED, kind,
                                                                                            tampered)]


def _found(texts, wanted: str) -> bool:
    return any(wanted in text for text in texts)


def test_the_19_digit_order_number_is_read_from_the_order_page():
    assert _found(_texts("order"), rendered.appeal().record.order_number)


def test_the_tracking_number_is_read_from_the_courier_page():
    assert _found(_texts("logistics"), rendered.appeal().record.tracking_number)


def test_a_tampered_refund_amount_is_read_as_shown():
    twin = rendered.appeal(tampered="refund_amount")
    shown, recorded = twin.shots["refund_receipt"].shown["refund_amount"], twin.record.refund_amount
    texts = _texts("refund_receipt", "refund_amount")
    assert _found(texts, f"{shown:.2f}") and not _found(texts, f"{recorded:.2f}")
    assert _found(texts, twin.record.order_number)  # the receipt's order number, untouched


@pytest.mark.parametrize("kind", ["order", "logistics", "refund_receipt"])
def test_lines_have_text_scores_and_boxes_inside_the_stored_image(kind):
    stored = images.clean(io.BytesIO(rendered.appeal().shots[kind].upload))
    lines = rendered.ocr_lines(rendered.SEED, kind)
    assert len(lines) >= 12
    for line in lines:
        assert line["text"].strip()
        assert 0.5 <= line["score"] <= 1.0  # the engine drops lines under its 0.5 text score
        assert len(line["box"]) == 4
        for x, y in line["box"]:
            assert -1 <= x <= stored.width + 1 and -1 <= y <= stored.height + 1


def test_read_lines_of_a_blank_image_is_empty():
    assert ocr.read_lines(Image.new("RGB", (390, 844), "white")) == []


def test_engine_parameters_follow_the_settings(settings):
    from rapidocr import EngineType

    settings.EVIDENCE_OCR_ENGINE, settings.EVIDENCE_OCR_DETECTOR_SIDE = "openvino", 1024
    settings.EVIDENCE_OCR_THREADS = 1
    params = ocr.engine_params()
    assert params["Det.engine_type"] == params["Rec.engine_type"] == EngineType.OPENVINO
    assert (params["Det.limit_type"], params["Det.limit_side_len"]) == ("max", 1024)
    assert params["EngineConfig.openvino.inference_num_threads"] == 1 and not params["Global.use_cls"]
    settings.EVIDENCE_OCR_ENGINE, settings.EVIDENCE_OCR_DETECTOR_SIDE = "onnxruntime", 0
    params = ocr.engine_params()
    assert "Det.engine_type" not in params and "Det.limit_side_len" not in params
    assert params["EngineConfig.onnxruntime.intra_op_num_threads"] == 1


def test_openvino_keeps_no_kernels_per_input_shape(settings):
    """The engine's OpenVINO CPU configuration carries the cache cap RapidOCR has no option for
    (without it a worker grew ~4.4 MB a screenshot: bench/worker_memory.py), added once however
    often the engine is built, and a read still works with it."""
    from rapidocr.inference_engine.openvino.device_config import CPUConfig

    settings.EVIDENCE_OCR_ENGINE = "openvino"
    ocr.engine.cache_clear()
    try:
        ocr.engine()
        wrapped = CPUConfig.get_config
        ocr.engine.cache_clear()
        ocr.engine()
        assert CPUConfig.get_config is wrapped  # not wrapped twice
        config = CPUConfig({"inference_num_threads": 1}).get_config()
        assert config["CPU_RUNTIME_CACHE_CAPACITY"] == "0" and config["INFERENCE_NUM_THREADS"] == "1"
        image = Image.new("RGB", (400, 120), "white")
        ImageDraw.Draw(image).text((10, 40), "ORDER 123456", fill="black")
        assert [line.text for line in ocr.read_lines(image)] == ["ORDER 123456"]
    finally:
        ocr.engine.cache_clear()
