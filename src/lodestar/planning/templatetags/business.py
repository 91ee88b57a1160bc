"""Filters for money, ratios and months on the business case:
`{{ amount|money:current_workspace.currency }}` -> "$1.2M", `money_full` -> "$18,000",
`{{ roi|percent }}` -> "+150 %", `{{ months|months }}` -> "7.5 months" or "never"."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

# Symbols a reader recognises; other currencies are shown by their code ("CHF 1.2M").
SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
    "ILS": "₪", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "SGD": "S$", "HKD": "HK$",
    "BRL": "R$", "MXN": "MX$",
}  # fmt: skip
MINUS = "\u2212"


def _with_currency(text: str, currency: str, negative: bool) -> str:
    symbol = SYMBOLS.get(currency)
    amount = f"{symbol}{text}" if symbol else f"{currency}\u00a0{text}"
    return f"{MINUS}{amount}" if negative else amount


def _short(value: Decimal) -> str:
    for size, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if value >= size:
            scaled = value / size
            text = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{value:.0f}"


@register.filter
def money(value, currency: str = "USD") -> str:
    """Compact: $950, $48k, $4.8k, $1.2M."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return _with_currency(_short(abs(amount)), currency, amount < 0)


@register.filter
def money_full(value, currency: str = "USD") -> str:
    """Every digit: $18,000 ($18,000.50 when there are cents)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    text = f"{abs(amount):,.0f}" if amount == amount.to_integral() else f"{abs(amount):,.2f}"
    return _with_currency(text, currency, amount < 0)


@register.filter
def percent(ratio) -> str:
    """A ratio as a signed percentage: 1.5 -> "+150 %", -0.25 -> "-25 %" (a real minus sign)."""
    if ratio is None or ratio == "":
        return "—"
    value = round(Decimal(str(ratio)) * 100)
    return f"{MINUS}{abs(value):,} %" if value < 0 else f"+{value:,} %"


@register.filter
def months(value) -> str:
    """Payback months: "7.5 months", "1 month", "under a month"; None is "never"."""
    if value is None:
        return "never"
    amount = Decimal(str(value))
    if amount < 1:
        return "under a month"
    text = f"{amount:,.1f}".removesuffix(".0")
    return f"{text} month" if text == "1" else f"{text} months"


@register.filter
def plain(value) -> str:
    """A number without needless decimals: 1.50 -> "1.5", 6.00 -> "6", 1234 -> "1,234"."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}".rstrip("0").rstrip(".")
