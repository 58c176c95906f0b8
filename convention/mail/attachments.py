"""Attachments of outbox messages: stored as descriptors, rendered when the message is sent.

A message keeps only what names its files (``Attachment``: a kind, a file name and a few
parameters, as JSON on the row), never the bytes: the outbox stays small, a retry renders
the file afresh, and mail, the lowest domain, knows nothing of what a file is made of. A
higher domain registers a renderer per kind (badges registers "badges.order") from its
``connect_receivers``; the renderer gets the delivering session and the parameters and
returns the file's bytes. An unknown kind, or a renderer that fails, fails the attempt,
which is retried like an SMTP failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

Renderer = Callable[[Session, dict], bytes]

_renderers: dict[str, Renderer] = {}


@dataclass(frozen=True)
class Attachment:
    kind: str  # the registered renderer's name
    filename: str
    mimetype: str = "application/pdf"
    params: dict = field(default_factory=dict)  # JSON values only

    def to_json(self) -> dict:
        return {"kind": self.kind, "filename": self.filename, "mimetype": self.mimetype, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: dict) -> Attachment:
        return cls(
            kind=data["kind"],
            filename=data["filename"],
            mimetype=data.get("mimetype") or "application/pdf",
            params=dict(data.get("params") or {}),
        )


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    mimetype: str
    content: bytes


class UnknownAttachment(LookupError):
    pass


def register_attachment_renderer(kind: str, renderer: Renderer) -> None:
    """Called by a higher domain's ``connect_receivers`` (registering again replaces it)."""
    _renderers[kind] = renderer


def render_attachments(session: Session, descriptors: list[dict] | None) -> list[RenderedFile]:
    """The files of a message's descriptors, rendered now with ``session``."""
    files = []
    for data in descriptors or ():
        attachment = Attachment.from_json(data)
        renderer = _renderers.get(attachment.kind)
        if renderer is None:
            raise UnknownAttachment(f"No renderer for attachments of kind {attachment.kind!r}")
        files.append(RenderedFile(attachment.filename, attachment.mimetype, renderer(session, attachment.params)))
    return files
