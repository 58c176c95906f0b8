"""The receipt PDF of an order (fpdf2), with VAT per rate and the totals."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from fpdf import FPDF

from convention.core.timeutil import to_local
from convention.editions.models import Edition
from convention.registration.models import Order, OrderState, RegistrationSettings
from convention.registration.pricing import vat_included

# Letters that Unicode does not decompose into a Latin-1 base letter.
_APPROXIMATIONS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ı": "i", "Ħ": "H",
                                 "ħ": "h", "€": "EUR", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


def _text(value) -> str:
    """The core PDF fonts speak Latin-1: keep its accents, approximate other letters."""
    text = str(value or "").translate(_APPROXIMATIONS)
    out = []
    for ch in text:
        if ch.encode("latin-1", "ignore"):
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.encode("latin-1", "ignore"))
        out.append(base or "?")
    return "".join(out)


def _money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{currency} {whole:,}.{rest:02d}"


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def receipt_pdf(order: Order, edition: Edition, settings: RegistrationSettings) -> bytes:
    """A receipt for a paid (or later refunded) order."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Receipt {order.code}")
    pdf.set_author(_text(settings.seller_name or edition.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Receipt", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    seller = [settings.seller_name or edition.name, settings.seller_address,
              f"VAT {settings.seller_vat_number}" if settings.seller_vat_number else ""]
    for line in filter(None, seller):
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    paid_on = to_local(order.paid_at, edition.timezone) if order.paid_at else None
    facts = [
        ("Order", order.code),
        ("Event", edition.name),
        ("Date of payment", paid_on.strftime("%d %B %Y") if paid_on else "-"),
        ("Customer", f"{order.buyer_name} <{order.email}>" if order.buyer_name else order.email),
        ("Payment", order.payment_method.replace("_", " ")),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(40, 6, _text(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = (70, 50, 20, 25, 25)
    pdf.set_font("Helvetica", "B", 10)
    for width, title in zip(widths, ("Ticket", "Attendee", "VAT", "VAT amount", "Price"), strict=True):
        pdf.cell(width, 7, title, border="B", align="R" if title in ("VAT amount", "Price", "VAT") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    vat_by_rate: dict[int, int] = defaultdict(int)
    for attendee in order.attendees:
        vat = vat_included(attendee.price_cents, attendee.vat_rate_bp)
        vat_by_rate[attendee.vat_rate_bp] += vat
        pdf.cell(widths[0], 6, _text(attendee.ticket_type.name)[:40])
        pdf.cell(widths[1], 6, _text(attendee.name)[:30])
        pdf.cell(widths[2], 6, _percent(attendee.vat_rate_bp), align="R")
        pdf.cell(widths[3], 6, _money(vat, order.currency), align="R")
        pdf.cell(widths[4], 6, _money(attendee.price_cents, order.currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    vat_total = sum(vat_by_rate.values())
    totals = [("Total excluding VAT", order.total_cents - vat_total)]
    totals += [(f"VAT {_percent(rate)}", amount) for rate, amount in sorted(vat_by_rate.items())]
    totals.append(("Total paid", order.total_cents))
    if order.state is OrderState.REFUNDED:
        totals.append(("Refunded", -order.refunded_cents))
    for label, amount in totals:
        bold = label.startswith("Total paid")
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.cell(sum(widths[:4]), 6, label, align="R")
        pdf.cell(widths[4], 6, _money(amount, order.currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, "Prices include VAT. This receipt was issued electronically and is valid without a signature.")
    return bytes(pdf.output())
