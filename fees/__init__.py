"""Fees (001, 003, 004): quote lines drawn from the price list, and amounts in words for the
receipt (收据). Pure: the price list is given, nothing is read or written here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from models.fees import PriceKind

CENT = Decimal("0.01")
#: The labour rate that applies to an asset category without one of its own.
ANY_CATEGORY = "*"


@dataclass(frozen=True)
class Price:
    description: str
    unit_price: Decimal


class NotPriced(Exception):
    """The price list has no price for a line; `field` names it (`lines.0.part_no`)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Wanted:
    """A line asked for: a part and its quantity, hours of labour, or the call-out."""

    kind: PriceKind
    part_no: str | None = None
    qty: Decimal = Decimal(1)
    hours: Decimal = Decimal(1)


@dataclass(frozen=True)
class Drawn:
    kind: PriceKind
    description: str
    amount: Decimal


def draw_lines(
    wanted: list[Wanted],
    prices: Mapping[tuple[PriceKind, str], Price],
    region: str,
    category: str,
) -> list[Drawn]:
    """Each wanted line priced from the list: a part by its number × the quantity, labour by the
    asset category's hourly rate (else the general one) × the hours, travel by the region's
    call-out fee. Amounts are rounded half up to the cent."""
    lines = []
    for index, line in enumerate(wanted):
        if line.kind == "part":
            key, field = line.part_no or "", f"lines.{index}.part_no"
            times, unit = line.qty, "×"
        elif line.kind == "labour":
            key = category if ("labour", category) in prices else ANY_CATEGORY
            field, times, unit = f"lines.{index}.hours", line.hours, "h ×"
        else:
            key, field, times, unit = region, f"lines.{index}.kind", Decimal(1), ""
        price = prices.get((line.kind, key))
        if price is None:
            raise NotPriced(field, _missing(line.kind, key))
        amount = (price.unit_price * times).quantize(CENT, rounding=ROUND_HALF_UP)
        said = (
            f"{price.description} {_plain(times)} {unit} {price.unit_price}"
            if unit
            else (f"{price.description} ({region})")
        )
        lines.append(Drawn(line.kind, said.strip(), amount))
    return lines


def _missing(kind: PriceKind, key: str) -> str:
    if kind == "part":
        return f"part {key!r} is not on the price list" if key else "give the part_no"
    if kind == "labour":
        return "the price list has no labour rate (per hour)"
    return f"the price list has no travel fee for region {key!r}"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def amount_in_words(amount: Decimal) -> str:
    """The amount in Chinese capital numerals as a receipt writes it (大写金额):
    `Decimal("101.50")` → 壹佰零壹元伍角整, `Decimal("10")` → 壹拾元整."""
    cents = int((amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral_value())
    if cents < 0:
        raise ValueError("a receipt's amount is never negative")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = (_integer(yuan) + "元") if yuan else ""
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    if not words:
        return "零元整"
    return words if fen else words + "整"


def _integer(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(text)
            continue
        if text and (zero or group < 1000):
            text += "零"
        text += _group(group) + _BIG_UNITS[index]
        zero = False
    return text


def _group(number: int) -> str:
    """1–9999 in capitals, with 零 for the gaps inside (1001 → 壹仟零壹)."""
    text, gap = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            gap = bool(text)
            continue
        if gap:
            text += "零"
        text += _DIGITS[digit] + _SMALL_UNITS[position]
        gap = False
    return text
