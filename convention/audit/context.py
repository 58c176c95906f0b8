"""Where the audit log learns the request it is written in, without importing Flask's
``request``: ``create_app`` registers a provider (``core.request_ids``), CLI commands and
jobs run without one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

_provider: Callable[[], dict] | None = None


def set_request_context_provider(provider: Callable[[], dict] | None) -> None:
    """``provider()`` answers ``{"request_id": ..., "client_address": ...}`` (either None)."""
    global _provider
    _provider = provider


def request_context() -> dict:
    if _provider is None:
        return {"request_id": None, "client_address": None}
    return _provider()


_held: list | None = None


@contextmanager
def held_entries():
    """Keep the entries recorded inside the block out of the session, for a caller that
    must set their time before they are written (the demo back-dates a proposal's history):
    entries are never changed once written. The caller adds them to the session."""
    global _held
    outer, _held = _held, []
    try:
        yield _held
    finally:
        _held = outer


def hold(entry) -> bool:
    """Keep ``entry`` if a ``held_entries`` block is open; False: write it now."""
    if _held is None:
        return False
    _held.append(entry)
    return True
