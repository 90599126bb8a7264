"""Money is Decimal yuan with two places; never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 12


def to_money(value) -> Decimal:
    """Coerce to a 2-place Decimal; refuse floats, NaN, infinities, sub-fen digits and
    amounts too large for a money column (MAX_DIGITS digits in all)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    # Checked before quantize(), which itself raises InvalidOperation past the context's precision.
    if abs(amount) >= Decimal(10) ** (MAX_DIGITS - 2):
        raise ValueError(f"more than {MAX_DIGITS} digits: {value!r}")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"more than two decimal places: {value!r}")
    return amount.quantize(CENT)
