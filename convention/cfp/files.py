"""Uploaded files: speaker photos (re-encoded) and PDF attachments (checked by content).

Files live in ``UPLOAD_FOLDER/cfp/`` (outside ``static/``) under random names and are
only ever served by guarded views. Nothing a person uploads is served as it came:
photos are decoded and re-encoded by Pillow (no metadata, capped size), and PDFs are
refused unless they start with ``%PDF-`` and pypdf can read their pages.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from sqlalchemy import event

from convention.core.errors import DomainError
from convention.extensions import db

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 800  # pixels; larger photos are scaled down
PHOTO_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class UploadRefused(DomainError):
    """The file is too large, of the wrong kind, or unreadable; nothing was stored."""

    status_code = 422


def _limit(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def photo_limit() -> int:
    return _limit("CFP_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)


def attachment_limit() -> int:
    return _limit("CFP_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES)


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        size = f"{n / (1024 * 1024):.0f}" if n % (1024 * 1024) == 0 else f"{n / (1024 * 1024):.1f}"
        return gettext("%(size)s MB", size=size)
    return gettext("%(size)s KB", size=n // 1024)


def upload_dir(kind: str) -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "cfp" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_limited(stream, limit: int, *, field: str, what: str) -> bytes:
    """Read at most ``limit`` bytes; refuse (and keep nothing) if there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        too_large = {"photo": gettext("The photo is larger than %(limit)s. Nothing was saved.", limit=human_size(limit)),
                     "file": gettext("The file is larger than %(limit)s. Nothing was saved.", limit=human_size(limit))}
        raise UploadRefused(too_large[what], field=field)
    if not data:
        raise UploadRefused(gettext("The photo is empty.") if what == "photo" else gettext("The file is empty."), field=field)
    return data


def safe_ascii_filename(name: str, *, suffix: str, fallback: str) -> str:
    """A plain ASCII file name for Content-Disposition: letters, digits, dot, dash, underscore."""
    stem = Path(name or "").stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80]
    return f"{stem or fallback}{suffix}"


# -- photos ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int


def store_photo(stream) -> StoredFile:
    """Decode a JPEG or PNG, strip everything but pixels, cap its size, write it; return its name."""
    # Pillow is imported on first use: only photo uploads need it, and every worker would
    # otherwise pay its import time and memory at start.
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = read_limited(stream, photo_limit(), field="photo", what="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in ("JPEG", "PNG"):
                    raise UploadRefused(gettext("Photos must be JPEG or PNG images."), field="photo")
                if probe.width * probe.height > PHOTO_MAX_PIXELS:
                    raise UploadRefused(gettext("This image has too many pixels."), field="photo")
                probe.load()
                image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise UploadRefused(gettext("This file is not a readable JPEG or PNG image."), field="photo") from exc
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    if kind == "JPEG":
        mode, save_as, ext, options = "RGB", "JPEG", ".jpg", {"quality": 85, "optimize": True}
    else:
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        save_as, ext, options = "PNG", ".png", {"optimize": True}
    converted = image.convert(mode)
    # Rebuilt from raw pixels: no EXIF, ICC, text chunks or anything else rides along.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    clean.save(out, format=save_as, **options)
    name = secrets.token_hex(16) + ext
    _write(upload_dir("photos") / name, out.getvalue())
    track_new_file(upload_dir("photos") / name)
    return StoredFile(name, out.tell())


def photo_path(name: str) -> Path:
    return upload_dir("photos") / name


def photo_mimetype(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"


# -- PDF attachments ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPdf:
    name: str
    size: int
    pages: int


def store_pdf(stream) -> StoredPdf:
    """Keep a PDF that really is one: magic bytes first, then pypdf must read its pages."""
    # pypdf is imported on first use: only attachment uploads need it (see store_photo).
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    data = read_limited(stream, attachment_limit(), field="file", what="file")
    if not data.startswith(PDF_MAGIC):
        raise UploadRefused(gettext("Only PDF files are accepted, and this file is not a PDF."), field="file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise UploadRefused(gettext("This PDF cannot be read; export it again and retry."), field="file") from exc
    if pages < 1:
        raise UploadRefused(gettext("This PDF has no pages."), field="file")
    name = secrets.token_hex(16) + ".pdf"
    _write(upload_dir("attachments") / name, data)
    track_new_file(upload_dir("attachments") / name)
    return StoredPdf(name, len(data), pages)


def attachment_path(name: str) -> Path:
    return upload_dir("attachments") / name


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def remove_file(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


# -- files follow the transaction --------------------------------------------------------
# A file written during a request that then rolls back is removed; a file replaced or
# deleted is only removed once the transaction that forgot it has committed.

NEW_FILES_KEY = "cfp_new_files"
DOOMED_FILES_KEY = "cfp_doomed_files"


def track_new_file(path: Path) -> None:
    db.session.info.setdefault(NEW_FILES_KEY, []).append(str(path))


def delete_after_commit(path: Path) -> None:
    db.session.info.setdefault(DOOMED_FILES_KEY, []).append(str(path))


def _after_commit(session) -> None:
    session.info.pop(NEW_FILES_KEY, None)
    for name in session.info.pop(DOOMED_FILES_KEY, []):
        remove_file(Path(name))


def _after_soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the request goes on
        return
    for name in session.info.pop(NEW_FILES_KEY, []):
        remove_file(Path(name))
    session.info.pop(DOOMED_FILES_KEY, None)


def init_file_cleanup() -> None:
    """Listen once on the Flask-SQLAlchemy session (idempotent)."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
