"""Join PDFs made by ``BadgeWriter`` into one, written as it goes (a long sheet in flat memory).

fpdf2 keeps a whole document in memory until it writes it, a few KB per badge; a sheet is
therefore drawn in parts of ``PART_BADGES`` badges, each a small PDF of its own, and this
module copies each part's objects into the one output file as the part arrives: renumbered,
byte for byte (stream data is never decoded), with the parts' pages gathered under one
page tree written last. What stays in memory is one part, and one offset per object.

Only for our own parts: pypdf reads each part's cross-reference table and page tree; an
object's dictionary is rewritten by replacing its ``N 0 R`` references, which is safe for
fpdf2's output (no references inside strings; streams are left untouched). Each part
embeds the font subsets its badges use, so a long sheet carries some fonts several times.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Iterable
from typing import BinaryIO

_REFERENCE = re.compile(rb"(\d+) 0 R\b")
_STREAM = b"stream\n"
_PAGES_ID, _CATALOG_ID = 1, 2  # the output's page tree and catalog; the parts' objects follow


class PdfJoiner:
    """Writes parts into ``out`` one after another; ``close()`` finishes the file."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offsets = array("Q")  # of object 1, 2, 3, ... (1 and 2 are filled at the end)
        self.kids = array("L")  # the output's page ids, in order
        self.media_box: bytes | None = None
        self._started = False

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _start(self) -> None:
        self.written = 0
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")  # 1.7 reads every part, whatever version it says
        self.offsets.extend((0, 0))
        self._started = True

    def add(self, part: bytes) -> None:
        """Copy every object of ``part`` except its catalog, page tree root and info."""
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(part), strict=True)
        if not self._started:
            self._start()
        catalog = reader.trailer.raw_get("/Root")  # references, not the objects they name
        pages_root = catalog.get_object().raw_get("/Pages")
        info = reader.trailer.raw_get("/Info") if "/Info" in reader.trailer else None
        skipped = {catalog.idnum, pages_root.idnum} | ({info.idnum} if info is not None else set())
        pages = pages_root.get_object()
        if self.media_box is None and "/MediaBox" in pages:
            self.media_box = b"[" + b" ".join(str(v).encode() for v in pages["/MediaBox"]) + b"]"
        offsets = reader.xref[0]  # object id -> byte offset (fpdf2 writes one plain table)
        starts = sorted(offsets.values()) + [_startxref(part)]  # objects lie one after another
        end_of = dict(zip(starts, starts[1:], strict=False))
        first_new = len(self.offsets) + 1
        renumber = {_id: first_new + n for n, _id in enumerate(sorted(i for i in offsets if i not in skipped))}
        renumber[pages_root.idnum] = _PAGES_ID
        for old_id in sorted(renumber):
            if old_id == pages_root.idnum:
                continue
            start = offsets[old_id]
            self._copy(old_id, part[start:end_of[start]], renumber)
        self.kids.extend(renumber[kid.idnum] for kid in pages["/Kids"])

    def _copy(self, old_id: int, body: bytes, renumber: dict[int, int]) -> None:
        header_end = body.index(b"obj") + 3  # after "N 0 obj", written anew with the new number
        split = body.find(_STREAM)
        head, tail = (body[header_end:split], body[split:]) if split >= 0 else (body[header_end:], b"")
        head = _REFERENCE.sub(lambda m: b"%d 0 R" % renumber[int(m.group(1))], head)
        self.offsets.append(self.written)
        self._write(b"%d 0 obj" % renumber[old_id] + head.rstrip() + (b"\n" + tail.rstrip() if tail else b"") + b"\n")

    def close(self) -> int:
        """Write the page tree, catalog, cross-reference table and trailer; the page count."""
        if not self._started:
            raise ValueError("no part was added")
        self.offsets[_PAGES_ID - 1] = self.written
        kids = b" ".join(b"%d 0 R" % kid for kid in self.kids)
        media = b" /MediaBox " + self.media_box if self.media_box else b""
        self._write(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [%s]%s >>\nendobj\n"
                    % (_PAGES_ID, len(self.kids), kids, media))
        self.offsets[_CATALOG_ID - 1] = self.written
        self._write(b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (_CATALOG_ID, _PAGES_ID))
        xref_at = self.written
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1))
        for offset in self.offsets:
            self._write(b"%010d 00000 n \n" % offset)
        self._write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets) + 1, _CATALOG_ID, xref_at))
        return len(self.kids)


def _startxref(pdf: bytes) -> int:
    """Where the cross-reference table starts (the end of the last object)."""
    tail = pdf[-64:]
    return int(tail[tail.rindex(b"startxref") + len(b"startxref"):].split()[0])


def join_pdfs(parts: Iterable[bytes], out: BinaryIO) -> int:
    """Write ``parts`` (PDFs from ``BadgeWriter``) into ``out`` as one PDF; the page count."""
    joiner = PdfJoiner(out)
    for part in parts:
        joiner.add(part)
    return joiner.close()
