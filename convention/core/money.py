"""Money is integer cents plus an ISO currency code; never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}

# ISO 4217 currencies in circulation whose minor unit is a hundredth (amounts are kept in
# cents). Fund codes (BOV, CHE, ...), precious metals and test codes are left out, as are
# currencies without cents (JPY, KRW, ...) or with thousandths (BHD, KWD, ...).
ISO_4217_CENT_CURRENCIES = frozenset("""
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
    GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD
    LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB
    PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW
    ZWG
""".split())


def check_currency(code: str) -> str:
    """The upper-case ISO 4217 code; ValueError for anything that is not a currency kept in cents."""
    code = (code or "").strip().upper()
    if code not in ISO_4217_CENT_CURRENCIES:
        raise ValueError(f"not an ISO 4217 currency with cents: {code!r}")
    return code


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
