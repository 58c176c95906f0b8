"""Badge PDFs read back at print resolution: the QR codes decode to the issued codes, and
names in every script print (text extracted back, no missing glyphs, ink where the name is)."""

from __future__ import annotations

import logging
import unicodedata

import pypdfium2
import pytest

from convention.badges.keys import ticket_code
from convention.badges.pdf import BADGE_H, BADGE_W, BadgeFace, render_badges
from tests.badges.helpers import PRINT_DPI, decoded_codes, page_images, page_texts
from tests.factories import make_edition, make_user

NAMES = {
    "latin": "Zoë Ørsted-Müller Łukasiewicz",
    "cyrillic": "Дмитрий Шостакович",
    "arabic": "محمد بن موسى الخوارزمي",
    "cjk": "山田 太郎",
}


def _faces(edition, names):
    roles = ["speaker", "committee", "staff", "attendee"]
    return [BadgeFace(name=name, organisation="Université Libre", role=roles[n % 4], role_label=roles[n % 4].title(),
                      edition_name=edition.name, code=ticket_code(edition.id, f"TICKET{n:06d}"))
            for n, name in enumerate(names)]


@pytest.fixture
def edition(app, db):
    return make_edition(organizer=make_user())


def test_each_badge_page_carries_its_qr_code_readable_at_print_resolution(edition):
    faces = _faces(edition, NAMES.values())
    pdf = render_badges(faces)
    assert decoded_codes(pdf) == [[face.code] for face in faces]


def test_a_sheet_puts_eight_badges_on_an_a4_page_in_reading_order(edition):
    faces = _faces(edition, [f"Person {n}" for n in range(11)])
    pdf = render_badges(faces, sheet=True)
    pages = decoded_codes(pdf)
    assert [len(page) for page in pages] == [8, 3]
    assert [code for page in pages for code in page] == [face.code for face in faces]
    width, height = pypdfium2.PdfDocument(pdf)[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4, in mm


@pytest.mark.parametrize("script", ["latin", "cyrillic", "cjk"])
def test_names_in_latin_cyrillic_and_cjk_extract_back_from_the_pdf(edition, script):
    text = " ".join(page_texts(render_badges(_faces(edition, [NAMES[script]])))[0].split())
    assert NAMES[script] in text  # a long name wraps onto two lines: compared with its spaces normalised
    assert "STAFF" not in text and "SPEAKER" in text  # the role in words, in the band
    assert "Université Libre" in text and edition.name in text


def _letters(text):
    return {ch for ch in text if unicodedata.category(ch).startswith("L")}


def test_an_arabic_name_is_shaped_with_every_letter_present_and_no_missing_glyph(edition, caplog):
    caplog.set_level(logging.WARNING)
    pdf = render_badges(_faces(edition, [NAMES["arabic"]]))
    assert not [r for r in caplog.records if "missing" in r.getMessage().lower()]
    # Shaped glyphs map back to their letters (joined forms come out as the base letters).
    extracted = unicodedata.normalize("NFKC", page_texts(pdf)[0])
    assert _letters(NAMES["arabic"]) <= _letters(extracted)


def _ink(image, box_mm):
    """Dark pixels in a box (x, y, w, h in mm) of a page rendered at PRINT_DPI."""
    scale = PRINT_DPI / 25.4
    x, y, w, h = (round(v * scale) for v in box_mm)
    gray = image.convert("L").crop((x, y, x + w, y + h))
    return sum(1 for value in gray.get_flattened_data() if value < 128)


@pytest.mark.parametrize("script", list(NAMES))
def test_every_script_puts_ink_where_the_name_is(edition, script):
    blank, named = page_images(render_badges(_faces(edition, ["", NAMES[script]])))
    name_box = (5, 18, 52, 14)
    assert _ink(blank, name_box) == 0
    assert _ink(named, name_box) > 2000  # glyphs, not a handful of tofu outlines
    width, height = named.size
    assert abs(width - BADGE_W / 25.4 * PRINT_DPI) <= 1 and abs(height - BADGE_H / 25.4 * PRINT_DPI) <= 1


def test_a_name_missing_from_every_font_is_logged_not_hidden(edition, caplog):
    caplog.set_level(logging.WARNING)
    render_badges(_faces(edition, ["\u0d9a\u0d9b Perera"]))  # Sinhala: in none of the fonts
    assert any("missing" in record.getMessage().lower() for record in caplog.records)
