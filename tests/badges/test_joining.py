"""Long sheets are drawn in parts joined into one PDF as they go (``badges/joining.py``):
the joined file is a valid PDF whose pages, text and QR codes are the parts', in order."""

from __future__ import annotations

import io

import pypdf
import pytest
import sqlalchemy as sa

from convention.badges import sheets
from convention.badges.joining import join_pdfs
from convention.badges.keys import ticket_code
from convention.badges.models import Badge
from convention.badges.pdf import BadgeFace, render_badges
from convention.extensions import db
from tests.badges.helpers import decoded_codes, page_texts
from tests.checkin.helpers import registration
from tests.factories import make_edition, make_user

NAMES = ["Zoë Ørsted-Müller", "Дмитрий Шостакович", "山田 太郎", "محمد بن موسى", "Ada Lovelace"]


@pytest.fixture
def edition(app, db):
    return make_edition(organizer=make_user())


def _faces(edition, count, offset=0):
    return [BadgeFace(name=f"{NAMES[n % len(NAMES)]} {n}", organisation="ACME", role="attendee",
                      role_label="Attendee", edition_name=edition.name,
                      code=ticket_code(edition.id, f"TICKET{n:06d}"))
            for n in range(offset, offset + count)]


def _joined(parts) -> bytes:
    out = io.BytesIO()
    pages = join_pdfs(parts, out)
    data = out.getvalue()
    assert pages == len(pypdf.PdfReader(io.BytesIO(data), strict=True).pages)
    return data


def test_joined_parts_keep_every_page_text_and_qr_code_in_order(edition):
    faces = _faces(edition, 21)
    parts = [render_badges(faces[:8], sheet=True), render_badges(faces[8:19], sheet=True),
             render_badges(faces[19:], sheet=True)]
    joined = _joined(parts)
    pages = [faces[0:8], faces[8:16], faces[16:19], faces[19:21]]  # the second part's 11 make two pages
    assert decoded_codes(joined) == [[f.code for f in page] for page in pages]
    texts = page_texts(joined)
    assert len(texts) == 4
    assert "Zoë Ørsted-Müller 0" in texts[0] and "Ada Lovelace 9" in texts[1]
    assert "山田 太郎 17" in texts[2] and "Ada Lovelace 19" in texts[3] and "Zoë Ørsted-Müller 20" in texts[3]


def test_one_part_joins_into_an_equivalent_document(edition):
    faces = _faces(edition, 3)
    part = render_badges(faces, sheet=True)
    joined = _joined([part])
    assert decoded_codes(joined) == decoded_codes(part) == [[f.code for f in faces]]
    assert page_texts(joined) == page_texts(part)


def test_nothing_to_join_is_refused(edition):
    with pytest.raises(ValueError):
        join_pdfs([], io.BytesIO())


def test_a_sheet_longer_than_a_part_is_one_pdf_with_every_badge_in_order(edition, monkeypatch):
    monkeypatch.setattr(sheets, "PART_BADGES", 8)  # parts of one page, to join a few
    first, _code = registration(edition, name="Person 0")
    for n in range(1, 19):
        registration(edition, name=f"Person {n}", ticket_type=first.ticket_type)
    out = io.BytesIO()
    result = sheets.make_sheet(edition, out)
    db.session.commit()
    pdf = out.getvalue()
    codes = [code for page in decoded_codes(pdf) for code in page]
    assert result.badges == 20  # 19 people and the organizer's staff badge
    assert len(codes) == 20 and set(codes) == set(db.session.scalars(sa.select(Badge.code)))
    assert [len(page) for page in decoded_codes(pdf)] == [8, 8, 4]
    assert db.session.scalar(sa.select(sa.func.count()).where(Badge.printed_at.is_(None))) == 0


def test_an_empty_sheet_is_still_a_valid_pdf(edition):
    registration(edition, name="Person 0")
    assert sheets.make_sheet(edition, io.BytesIO()).badges == 2  # and the organizer's staff badge
    out = io.BytesIO()
    assert sheets.make_sheet(edition, out, only_unprinted=True).badges == 0
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True).pages) == 1
