"""The receipt PDF of an order (fpdf2), with VAT per rate and the totals.

Text is set in Open Sans (Latin, Greek, Cyrillic), embedded from the ``ttf-opensans``
package, with Noto Sans CJK (``noto-cjk-sans-otc``) as the fallback for Chinese,
Japanese and Korean names. Both are project dependencies, so every install prints any
name as it was typed. The large CJK collection is read only for a receipt that needs it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import format_date, gettext

from convention.core.packages import package_dir
from convention.core.timeutil import to_local
from convention.editions.models import Edition
from convention.registration.models import Order, OrderState, RegistrationSettings
from convention.registration.pricing import vat_included

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "ReceiptSans"
CJK_FONT = "ReceiptCJK"
CJK_FACE = 2  # the collection's faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK; each covers every CJK ideograph


@dataclass(frozen=True)
class ReceiptFonts:
    regular: Path
    bold: Path
    italic: Path
    cjk: Path



@lru_cache(maxsize=1)
def receipt_fonts() -> ReceiptFonts:
    latin = package_dir("ttf_opensans") / "ttf"
    return ReceiptFonts(
        regular=latin / "OpenSans-Regular.ttf",
        bold=latin / "OpenSans-Bold.ttf",
        italic=latin / "OpenSans-Italic.ttf",
        cjk=package_dir("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc",
    )


@lru_cache(maxsize=1)
def _main_font_characters() -> frozenset[int]:
    # Lazy: fontTools (a heavy library) loads only when the first receipt is drawn.
    from fontTools.ttLib import TTFont

    with TTFont(receipt_fonts().regular, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _needs_fallback(texts) -> bool:
    covered = _main_font_characters()
    return any(ord(ch) not in covered for text in texts for ch in str(text or "") if not ch.isspace())


def _new_pdf(texts) -> FPDF:
    # fpdf costs about 0.2 s at import and only receipt requests use it: loaded on first use.
    from fpdf import FPDF

    fonts = receipt_fonts()
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", fonts.regular)
    pdf.add_font(FONT, "B", fonts.bold)
    pdf.add_font(FONT, "I", fonts.italic)
    if _needs_fallback(texts):
        pdf.add_font(CJK_FONT, "", fonts.cjk, collection_font_number=CJK_FACE)
        pdf.set_fallback_fonts([CJK_FONT], exact_match=False)
    return pdf


def _money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{currency} {whole:,}.{rest:02d}"


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def _payment_label(method: str) -> str:
    labels = {"free": gettext("free"), "bank_transfer": gettext("bank transfer"), "complimentary": gettext("complimentary")}
    return labels.get(method) or method.replace("_", " ")


def receipt_pdf(order: Order, edition: Edition, settings: RegistrationSettings) -> bytes:
    """A receipt for a paid (or later refunded) order, in the request's language."""
    seller_name = settings.seller_name or edition.name
    customer = f"{order.buyer_name} <{order.email}>" if order.buyer_name else order.email
    texts = [seller_name, settings.seller_address, edition.name, customer]
    texts += [text for attendee in order.attendees for text in (attendee.name, attendee.ticket_type.name)]
    pdf = _new_pdf(texts)
    pdf.set_title(gettext("Receipt %(code)s", code=order.code))
    pdf.set_author(seller_name)
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 10, gettext("Receipt"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    seller = [seller_name, settings.seller_address,
              gettext("VAT %(number)s", number=settings.seller_vat_number) if settings.seller_vat_number else ""]
    for line in filter(None, seller):
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    paid_on = to_local(order.paid_at, edition.timezone) if order.paid_at else None
    facts = [
        (gettext("Order number"), order.code),
        (gettext("Event"), edition.name),
        (gettext("Date of payment"), format_date(paid_on.date(), "dd MMMM y") if paid_on else "-"),
        (gettext("Customer"), customer),
        (gettext("Payment"), _payment_label(order.payment_method)),
    ]
    pdf.set_font(FONT, "B", 10)
    label_width = max(40, *(pdf.get_string_width(label) + 4 for label, _ in facts))  # translated labels vary
    for label, value in facts:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, 6, label)
        pdf.set_font(FONT, "", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = (70, 50, 20, 25, 25)
    pdf.set_font(FONT, "B", 10)
    titles = (gettext("Ticket"), gettext("Attendee"), gettext("VAT"), gettext("VAT amount"), gettext("Price"))
    for column, (width, title) in enumerate(zip(widths, titles, strict=True)):
        pdf.cell(width, 7, title, border="B", align="R" if column >= 2 else "L")
    pdf.ln()
    pdf.set_font(FONT, "", 10)
    vat_by_rate: dict[int, int] = defaultdict(int)
    for attendee in order.attendees:
        vat = vat_included(attendee.price_cents, attendee.vat_rate_bp)
        vat_by_rate[attendee.vat_rate_bp] += vat
        pdf.cell(widths[0], 6, attendee.ticket_type.name[:40])
        pdf.cell(widths[1], 6, attendee.name[:30])
        pdf.cell(widths[2], 6, _percent(attendee.vat_rate_bp), align="R")
        pdf.cell(widths[3], 6, _money(vat, order.currency), align="R")
        pdf.cell(widths[4], 6, _money(attendee.price_cents, order.currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    vat_total = sum(vat_by_rate.values())
    total_paid = gettext("Total paid")
    totals = [(gettext("Total excluding VAT"), order.total_cents - vat_total)]
    totals += [(gettext("VAT %(rate)s", rate=_percent(rate)), amount) for rate, amount in sorted(vat_by_rate.items())]
    totals.append((total_paid, order.total_cents))
    if order.state is OrderState.REFUNDED or order.refunded_cents:
        totals.append((gettext("Refunded"), -order.refunded_cents))
    for label, amount in totals:
        bold = label == total_paid
        pdf.set_font(FONT, "B" if bold else "", 10)
        pdf.cell(sum(widths[:4]), 6, label, align="R")
        pdf.cell(widths[4], 6, _money(amount, order.currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "I", 9)
    pdf.multi_cell(0, 5, gettext("Prices include VAT. This receipt was issued electronically and is valid without a "
                                 "signature."))
    return bytes(pdf.output())
