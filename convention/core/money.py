"""Money is integer cents plus an ISO currency code; never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}


def format_money(cents: int, currency: str = "EUR") -> str:
    """1250, "EUR" -> "€12.50"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    return f"{sign}{symbol}{whole:,}.{rest:02d}"


def parse_money(text: str) -> int:
    """"12.50" -> 1250; raises ValueError on anything that is not an amount."""
    try:
        amount = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals")
    return int(amount * 100)
