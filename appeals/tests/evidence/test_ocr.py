"""Real OCR (RapidOCR, one thread) on generated phone screenshots, through the worker's path:
images.clean() then ocr.read_lines(). Three screenshots, a few seconds each."""

import io
from functools import cache

import pytest

from appeals.evidence import images, ocr
from samples import make_case, tamper

pytestmark = pytest.mark.ocr


def _read(seed: int, tampered: bool = False):
    return _read_once(seed, tampered)  # one cache key however it is called


@cache
def _read_once(seed: int, tampered: bool):
    shot = make_case(seed)
    if tampered:
        shot = tamper(shot)
    result = images.clean(io.BytesIO(shot.image_bytes))
    return shot, result, ocr.read_lines(result.image)


def _found(lines, text: str) -> bool:
    return any(text in line.text.replace(" ", "").replace("，", ",") for line in lines)


def _without_currency(text: str) -> str:
    return text.lstrip("¥￥")


def test_order_number_is_read_from_an_order_screenshot():
    shot, _result, lines = _read(0)
    assert shot.kind == "order"
    assert _found(lines, shot.truth["order_number"])


def test_tracking_number_is_read_from_a_logistics_screenshot():
    shot, _result, lines = _read(1)
    assert shot.kind == "logistics"
    assert _found(lines, shot.truth["tracking_number"])


def test_a_tampered_refund_amount_is_read_as_shown():
    shot, _result, lines = _read(2, tampered=True)
    assert shot.kind == "refund_receipt" and shot.tampered == "amount"
    shown, recorded = shot.shown_text("amount"), make_case(2).shown_text("amount")
    assert _found(lines, _without_currency(shown))
    assert not _found(lines, _without_currency(recorded))
    assert _found(lines, shot.truth["order_number"])  # the receipt's order number, untouched


@pytest.mark.parametrize(("seed", "tampered"), [(0, False), (1, False), (2, True)])
def test_lines_have_text_scores_and_boxes_inside_the_image(seed, tampered):
    _shot, result, lines = _read(seed, tampered)
    assert len(lines) >= 15
    for line in lines:
        assert line.text.strip()
        assert 0.5 <= line.score <= 1.0  # the engine drops lines under its 0.5 text score
        assert len(line.box) == 4
        for x, y in line.box:
            assert -1 <= x <= result.width + 1
            assert -1 <= y <= result.height + 1
        assert line.as_dict()["box"] == line.box
