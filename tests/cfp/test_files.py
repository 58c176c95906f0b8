"""Uploads: PDFs checked by content, photos re-encoded, limits enforced, nothing left behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from convention.cfp import attachments, call, files
from convention.cfp.models import Attachment, SpeakerProfile
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.extensions import db as _db
from tests.cfp.helpers import make_proposal, pdf_bytes, png_bytes
from tests.conftest import csrf_token_from

HTML_AS_PDF = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def stored(app, kind: str) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "cfp" / kind
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def proposal(edition, speaker):
    return make_proposal(edition, speaker, state=ProposalState.SUBMITTED)


def upload(client, edition, proposal, content: bytes, filename: str = "slides.pdf"):
    url = f"/{edition.slug}/cfp/proposals/{proposal.code}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/files", data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_pdf_upload_is_stored_under_a_random_name_and_served_as_download(app, client, auth, edition, speaker, proposal):
    auth.login(speaker.email)
    content = pdf_bytes(pages=3)
    response = upload(client, edition, proposal, content, filename="Mes diapos (finale).pdf")
    assert response.status_code == 302
    attachment = _db.session.scalar(sa.select(Attachment))
    assert (attachment.filename, attachment.pages, attachment.size_bytes) == ("Mes-diapos-finale.pdf", 3, len(content))
    assert stored(app, "attachments") == {attachment.stored_name}
    assert len(attachment.stored_name) == 36 and "diapos" not in attachment.stored_name
    download = client.get(f"/{edition.slug}/cfp/proposals/{proposal.code}/files/{attachment.code}")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Disposition"] == "attachment; filename=Mes-diapos-finale.pdf"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"


def test_uploads_live_outside_static(app):
    static = Path(app.static_folder).resolve()
    assert static not in Path(app.config["UPLOAD_FOLDER"]).resolve().parents


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (HTML_AS_PDF, "slides.pdf", "Only PDF files are accepted, and this file is not a PDF."),
        (b"%PDF-1.7\n" + HTML_AS_PDF, "slides.pdf", "This PDF cannot be read; export it again and retry."),
        (png_bytes(), "photo.pdf", "Only PDF files are accepted, and this file is not a PDF."),
        (b"", "empty.pdf", "The file is empty."),
    ],
    ids=["html-renamed", "html-behind-a-pdf-header", "png-renamed", "empty"],
)
def test_a_file_that_is_not_really_a_pdf_is_refused(app, client, auth, edition, speaker, proposal, content, filename, message):
    auth.login(speaker.email)
    response = upload(client, edition, proposal, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored(app, "attachments") == set()


def test_oversized_upload_is_refused_with_a_message_and_nothing_stored(app, client, auth, edition, speaker, proposal, monkeypatch):
    monkeypatch.setitem(app.config, "CFP_ATTACHMENT_MAX_BYTES", 64 * 1024)
    auth.login(speaker.email)
    content = pdf_bytes() + b"%" + b"x" * (64 * 1024)  # a real PDF, padded past the limit
    response = upload(client, edition, proposal, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file is larger than 64 KB. Nothing was saved." in html
    assert _db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored(app, "attachments") == set()


def test_request_over_max_content_length_gets_a_friendly_413(app, client, auth, edition, speaker, proposal, monkeypatch):
    auth.login(speaker.email)
    url = f"/{edition.slug}/cfp/proposals/{proposal.code}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100_000)
    response = client.post(f"{url}/files", data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-" + b"0" * 200_000), "big.pdf")},
                           content_type="multipart/form-data", headers={"Referer": "http://localhost" + url})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "That file is too large" in html
    assert "Nothing was saved." in html
    assert f'href="http://localhost{url}"' in html
    assert _db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored(app, "attachments") == set()


def test_accepted_talk_may_add_slides_after_the_deadline(db, edition, organizer, speaker):
    from datetime import timedelta

    from convention.core.timeutil import utcnow

    accepted = make_proposal(edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer)
    submitted = make_proposal(edition, speaker, state=ProposalState.SUBMITTED, title="Other")
    edition.cfp_closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    attachments.add_attachment(accepted, io.BytesIO(pdf_bytes()), filename="slides.pdf", actor=speaker)
    with pytest.raises(call.CallClosed):
        attachments.add_attachment(submitted, io.BytesIO(pdf_bytes()), filename="slides.pdf", actor=speaker)


def test_deleting_an_attachment_removes_the_file_after_commit(app, db, edition, speaker, proposal):
    attachment = attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="a.pdf", actor=speaker)
    db.session.commit()
    name = attachment.stored_name
    attachments.delete_attachment(attachment, actor=speaker)
    assert name in stored(app, "attachments")  # not before the commit...
    db.session.commit()
    assert name not in stored(app, "attachments")  # ...but after it


def test_a_file_written_by_a_request_that_rolls_back_is_removed(app, db, edition, speaker, proposal):
    attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="a.pdf", actor=speaker)
    assert len(stored(app, "attachments")) == 1
    db.session.rollback()
    assert stored(app, "attachments") == set()


# -- photos ----------------------------------------------------------------------------------------


def jpeg_with_exif(size=(1600, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x8825] = {2: (50.0, 51.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_re_encoded_without_metadata_and_capped(app, db, edition, speaker):
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the upload does carry EXIF
    profile = update_speaker_profile(edition, ProfileData(display_name="Sofia"), actor=speaker, photo=io.BytesIO(original))
    db.session.commit()
    path = files.photo_path(profile.photo_name)
    assert path.read_bytes() != original
    with Image.open(path) as kept:
        assert kept.format == "JPEG"
        assert max(kept.size) == files.PHOTO_MAX_SIDE
        assert dict(kept.getexif()) == {}
        assert "exif" not in kept.info


def test_png_photo_loses_its_text_chunks(app, db, edition, speaker):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    profile = update_speaker_profile(edition, ProfileData(display_name="Sofia"), actor=speaker, photo=io.BytesIO(out.getvalue()))
    with Image.open(files.photo_path(profile.photo_name)) as kept:
        assert (kept.format, kept.mode, kept.size) == ("PNG", "RGBA", (50, 50))
        assert "Comment" not in kept.info
    assert b"<script>" not in files.photo_path(profile.photo_name).read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "This file is not a readable JPEG or PNG image."),
        (HTML_AS_PDF, "This file is not a readable JPEG or PNG image."),
        (pdf_bytes(), "This file is not a readable JPEG or PNG image."),
    ],
)
def test_photo_that_is_not_a_jpeg_or_png_is_refused(app, db, edition, speaker, content, message):
    with pytest.raises(DomainError) as caught:
        update_speaker_profile(edition, ProfileData(display_name="Sofia"), actor=speaker, photo=io.BytesIO(content))
    assert caught.value.message == message
    assert stored(app, "photos") == set()


def test_gif_photo_is_refused_by_kind(app, db, edition, speaker):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(DomainError) as caught:
        update_speaker_profile(edition, ProfileData(display_name="Sofia"), actor=speaker, photo=io.BytesIO(out.getvalue()))
    assert caught.value.message == "Photos must be JPEG or PNG images."


def test_oversized_photo_on_the_profile_form(app, client, auth, edition, speaker, monkeypatch):
    monkeypatch.setitem(app.config, "CFP_PHOTO_MAX_BYTES", 10 * 1024)
    auth.login(speaker.email)
    url = f"/{edition.slug}/cfp/profile"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "display_name": "Sofia", "photo": (io.BytesIO(jpeg_with_exif()), "me.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The photo is larger than 10 KB. Nothing was saved." in response.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(SpeakerProfile.id))) == 0
    assert stored(app, "photos") == set()


def test_replacing_a_photo_removes_the_old_file(app, db, edition, speaker):
    first = update_speaker_profile(edition, ProfileData(display_name="S"), actor=speaker, photo=io.BytesIO(png_bytes())).photo_name
    db.session.commit()
    second = update_speaker_profile(edition, ProfileData(display_name="S"), actor=speaker, photo=io.BytesIO(png_bytes())).photo_name
    db.session.commit()
    assert stored(app, "photos") == {second} and first != second
    update_speaker_profile(edition, ProfileData(display_name="S"), actor=speaker, remove_photo=True)
    db.session.commit()
    assert stored(app, "photos") == set()


def test_photo_is_served_privately(client, auth, db, edition, speaker):
    profile = update_speaker_profile(edition, ProfileData(display_name="S"), actor=speaker, photo=io.BytesIO(png_bytes()))
    db.session.commit()
    auth.login(speaker.email)
    response = client.get(f"/{edition.slug}/cfp/speakers/{profile.code}/photo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert Image.open(io.BytesIO(response.data)).size == (40, 30)
