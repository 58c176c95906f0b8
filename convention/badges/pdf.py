"""Badge PDFs (fpdf2): one badge per page for a person, or A4 print sheets of 2 x 4.

A badge shows the name large, the organisation, the role in words on a band of the role's
colour (so it reads in black and white too), the edition and the QR code of the signed
ticket code. Text is set in Open Sans (Latin, Greek, Cyrillic); Noto Sans Arabic
(``fontpkg-noto-sans-arabic``) and Noto Sans CJK (``noto-cjk-sans-otc``) are added as
fallbacks the first time a name needs them, and right-to-left or combining scripts go
through HarfBuzz (``uharfbuzz``: fpdf2's text shaping), so Arabic letters join and run
from right to left. One ``BadgeWriter`` reuses its fonts and its QR encoder for every
badge: a sheet of thousands costs a small, fixed amount per badge (a page's few
operators and a QR image of a few hundred bytes).

fpdf, qrcode and Pillow are imported on first use: only badge requests and jobs pay
their start time and memory.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from convention.core.packages import package_dir

BADGE_W, BADGE_H = 95.0, 68.0  # mm
SHEET_COLUMNS, SHEET_ROWS = 2, 4
SHEET_X0, SHEET_Y0 = 10.0, 12.5  # A4 210 x 297: 2 x 95 wide, 4 x 68 high, centred
BAND_H = 13.0
QR_SIZE = 30.0
NAME_W = 52.0
ROLE_COLOURS = {
    "speaker": (183, 28, 28),
    "committee": (106, 27, 154),
    "staff": (13, 71, 161),
    "attendee": (27, 94, 32),
}
FONT, ARABIC_FONT, CJK_FONT = "BadgeSans", "BadgeArabic", "BadgeCJK"
QR_MASK = 2
CJK_FACE = 2  # the collection's Simplified Chinese face covers every CJK ideograph and kana

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BadgeFace:
    """What one badge prints."""

    name: str
    organisation: str
    role: str  # a key of ROLE_COLOURS
    role_label: str  # the role in words, in the reader's language
    edition_name: str
    code: str  # the signed ticket code the QR carries



@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    latin = package_dir("ttf_opensans") / "ttf"
    return {
        "regular": latin / "OpenSans-Regular.ttf",
        "bold": latin / "OpenSans-Bold.ttf",
        "arabic": package_dir("fontpkg_noto_sans_arabic") / "files" / "NotoSansArabic[wdth,wght].ttf",
        "cjk": package_dir("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc",
    }


@lru_cache(maxsize=2)
def _characters(which: str) -> frozenset[int]:
    # Lazy: fontTools loads with the first badge.
    from fontTools.ttLib import TTFont

    with TTFont(font_files()[which], lazy=True) as font:
        return frozenset(font.getBestCmap())


def _is_arabic(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def needs_shaping(text: str) -> bool:
    """Right-to-left letters or combining marks: HarfBuzz must place the glyphs."""
    return any(_is_arabic(ch) or unicodedata.category(ch) == "Mn" for ch in text)


class BadgeWriter:
    """Writes badges one after another into one PDF: ``sheet`` puts 8 on each A4 page,
    otherwise each badge is a page of its own size."""

    def __init__(self, *, sheet: bool = False):
        import qrcode
        from fpdf import FPDF

        self.sheet = sheet
        # fontTools reports every table it subsets at INFO: a line per font per PDF in the logs.
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        self.pdf = FPDF(unit="mm", format="A4" if sheet else (BADGE_W, BADGE_H))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)
        self.pdf.set_creator("convention badges")
        files = font_files()
        self.pdf.add_font(FONT, "", files["regular"])
        self.pdf.add_font(FONT, "B", files["bold"])
        self._fallbacks: list[str] = []
        # One mask for every code: the search for the best of eight costs most of a code's
        # time, and any mask reads; the version found for the first code is kept while the
        # codes fit (they all have about the same length).
        self._qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0,
                                 mask_pattern=QR_MASK)
        self.count = 0

    # -- fonts ---------------------------------------------------------------------------

    def _cover(self, text: str) -> None:
        """Add the fallback fonts ``text`` needs, once."""
        missing = {ord(ch) for ch in text if not ch.isspace()} - _characters("regular")
        if not missing:
            return
        wanted = []
        if ARABIC_FONT not in self._fallbacks and any(_is_arabic(chr(c)) for c in missing):
            files = font_files()
            # The variable font's default instance (regular) for both styles: instancing the
            # bold weight costs seconds, too much for one person's badge.
            self.pdf.add_font(ARABIC_FONT, "", files["arabic"])
            self.pdf.add_font(ARABIC_FONT, "B", files["arabic"])
            wanted.append(ARABIC_FONT)
        if CJK_FONT not in self._fallbacks and any(not _is_arabic(chr(c)) for c in missing):
            self.pdf.add_font(CJK_FONT, "", font_files()["cjk"], collection_font_number=CJK_FACE)
            wanted.append(CJK_FONT)
        if wanted:
            self._fallbacks += wanted
            self.pdf.set_fallback_fonts(self._fallbacks, exact_match=False)

    def _text(self, x: float, y: float, w: float, h: float, text: str, *, size: float, bold: bool = False,
              shrink_to: float | None = None) -> float:
        """One line of ``text`` in the box, shrunk down to ``shrink_to`` points to fit; the size used."""
        pdf = self.pdf
        self._cover(text)
        pdf.set_text_shaping(needs_shaping(text))
        style = "B" if bold else ""
        pdf.set_font(FONT, style, size)
        width = pdf.get_string_width(text)
        if shrink_to is not None and width > w:  # the width grows with the size: one measure
            smaller = max(shrink_to, int(size * w / width * 10) / 10)
            width, size = width * smaller / size, smaller
            pdf.set_font(FONT, style, size)
        pdf.set_xy(x, y)
        if width > w:  # still too long: two lines
            pdf.multi_cell(w, h * 0.55, text, max_line_height=h * 0.55)
        else:
            pdf.cell(w, h, text)
        return size

    # -- the badge -------------------------------------------------------------------------

    def _qr_image(self, code: str):
        from PIL import Image
        from qrcode.exceptions import DataOverflowError

        qr = self._qr
        qr.clear()
        qr.add_data(code)
        try:
            qr.make(fit=qr.version is None)
        except DataOverflowError:  # longer than the codes before it
            qr.version = None
            qr.make(fit=True)
        matrix = qr.get_matrix()
        n = len(matrix)
        return Image.frombytes("L", (n, n), bytes(0 if dark else 255 for row in matrix for dark in row))

    def add(self, face: BadgeFace) -> None:
        pdf = self.pdf
        slot = self.count % (SHEET_COLUMNS * SHEET_ROWS) if self.sheet else 0
        if slot == 0:
            pdf.add_page()
        if self.sheet:
            x = SHEET_X0 + (slot % SHEET_COLUMNS) * BADGE_W
            y = SHEET_Y0 + (slot // SHEET_COLUMNS) * BADGE_H
            pdf.set_draw_color(200, 200, 200)  # where to cut
            pdf.set_line_width(0.2)
            pdf.rect(x, y, BADGE_W, BADGE_H)
        else:
            x = y = 0.0
        colour = ROLE_COLOURS.get(face.role, ROLE_COLOURS["attendee"])
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, BADGE_W, BAND_H, style="F")
        pdf.set_text_color(255, 255, 255)
        self._text(x + 5, y + 1.5, BADGE_W - 10, BAND_H - 3, face.role_label.upper(), size=15, bold=True,
                   shrink_to=9)
        pdf.set_text_color(0, 0, 0)
        self._text(x + 5, y + 18, NAME_W, 14, face.name, size=24, bold=True, shrink_to=12)
        if face.organisation:
            pdf.set_text_color(60, 60, 60)
            self._text(x + 5, y + 34, NAME_W, 8, face.organisation, size=11, shrink_to=7)
        pdf.set_text_color(*colour)
        self._text(x + 5, y + 56, BADGE_W - 10, 8, face.edition_name, size=9, shrink_to=6)
        pdf.set_text_color(0, 0, 0)
        pdf.image(self._qr_image(face.code), x + BADGE_W - QR_SIZE - 4, y + 18, QR_SIZE, QR_SIZE)
        self.count += 1

    def output(self) -> bytes:
        if self.count == 0:
            self.pdf.add_page()  # an empty sheet is still a valid PDF
        return bytes(self.pdf.output())


def render_badges(faces, *, sheet: bool = False) -> bytes:
    writer = BadgeWriter(sheet=sheet)
    for face in faces:
        writer.add(face)
    return writer.output()
