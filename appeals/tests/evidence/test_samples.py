"""The screenshot generator behind the OCR tests and bench/ocr_accuracy.py (no OCR here: fast)."""

import io
import re
from decimal import Decimal
from functools import cache

import pytest
from PIL import Image

from samples import KINDS, PRIMARY_FIELD, TAMPER_FIELDS, WIDTH, make_case, tamper

TRACKING_FORMATS = {
    "SF": r"SF\d{12,15}", "JD": r"JD[A-Z]{0,3}\d+", "YT": r"YT\d{13,15}", "ZTO": r"7\d{11}(\d{2})?",
    "STO": r"(77|88)\d{11}", "YD": r"(31|43|46)\d{11}", "EMS": r"1\d{12}|E[A-Z]\d{9}CN",
}
case = cache(make_case)  # cases are values: draw each once per run


def test_same_seed_same_screenshot():
    first, again = make_case(7), make_case(7)
    assert first.image_bytes == again.image_bytes
    assert (first.truth, first.shown, first.texts) == (again.truth, again.shown, again.texts)
    assert tamper(first).image_bytes == tamper(again).image_bytes
    assert make_case(8).image_bytes != first.image_bytes


def test_kinds_take_turns():
    assert [case(seed).kind for seed in range(6)] == [*KINDS, *KINDS]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_jpeg_1170_wide_with_the_record_on_it(seed):
    shot = case(seed)
    image = Image.open(io.BytesIO(shot.image_bytes))
    assert image.format == "JPEG"
    assert image.width == WIDTH
    assert 2000 <= image.height <= 2600
    truth = shot.truth
    assert re.fullmatch(r"(DY|EL)\d{12}", truth["order_number"])
    assert isinstance(truth["amount"], Decimal) and truth["amount"] > 0
    assert re.fullmatch(TRACKING_FORMATS[truth["carrier"]], truth["tracking_number"])
    assert truth["dates"]["ordered"] < truth["dates"]["returned"] < truth["dates"]["refunded"]
    # a genuine screenshot shows the record
    assert shot.shown_text(shot.field) in "\n".join(shot.texts)
    assert shot.shown[shot.field] == truth[shot.field]


def _one_digit_apart(before: str, after: str) -> bool:
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    return len(before) == len(after) and len(changed) == 1 and all(c.isdigit() for c in changed[0])


@pytest.mark.parametrize(("seed", "field"), [
    (seed, field) for seed in range(3) for field in TAMPER_FIELDS[KINDS[seed]]
])
def test_tamper_changes_one_digit_of_the_field_and_nothing_in_the_truth(seed, field):
    genuine = case(seed)
    twin = tamper(genuine, field)
    assert twin.tampered == field and genuine.tampered is None
    assert twin.truth == genuine.truth  # the record keeps its values
    before, after = genuine.shown_text(field), twin.shown_text(field)
    assert _one_digit_apart(before, after)
    assert {key: value for key, value in twin.shown.items() if key not in (field, "product_price")} == {
        key: value for key, value in genuine.shown.items() if key not in (field, "product_price")}
    # the rendered text: same lines, those showing the field one digit apart, the original value gone
    assert len(twin.texts) == len(genuine.texts)
    differing = [(old, new) for old, new in zip(genuine.texts, twin.texts, strict=True) if old != new]
    assert differing
    for old, new in differing:
        assert _one_digit_apart(old, new)
        assert before in old and after in new
    assert before not in "\n".join(twin.texts)
    assert twin.image_bytes != genuine.image_bytes


def test_tamper_defaults_to_the_checked_field_and_refuses_fields_not_shown():
    genuine = case(1)
    assert tamper(genuine).tampered == PRIMARY_FIELD["logistics"] == "tracking_number"
    with pytest.raises(ValueError, match="does not show"):
        tamper(genuine, "amount")  # a logistics screenshot has no amount
