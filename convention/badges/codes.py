"""Signed ticket codes, pretix's "signature scheme" in spirit: pure functions, no database.

A code is ``base64url(version | key id | edition id | ticket id | Ed25519 signature)``
without padding: the version byte (1), the signing key's id (4 bytes, big-endian), the
edition's id (4 bytes), the registration's random public identifier (its ASCII length in
one byte, then the ASCII), and the 64-byte signature over everything before it. Nothing
personal is in it. ``verify_code`` needs only public keys, so a scanner holding the
edition's key map can check a code offline.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography is imported on first use: workers start without it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
_HEADER = struct.Struct(">BII")  # version, key id, edition id
_SIGNATURE_BYTES = 64
_MAX_CODE_CHARS = 200
# The characters a code is written with (base64url without padding).
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class TicketPayload:
    version: int
    key_id: int
    edition_id: int
    ticket_id: str  # the registration's random public identifier (Attendee.code)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Strict: only the canonical spelling decodes (no padding, no unused bits set), so two
    different strings never carry the same bytes."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _b64encode(raw) == text else None


def _body(key_id: int, edition_id: int, ticket_id: str) -> bytes:
    ident = ticket_id.encode("ascii")
    if not 0 < len(ident) < 256:
        raise ValueError("a ticket id is 1 to 255 ASCII characters")
    return _HEADER.pack(VERSION, key_id, edition_id) + bytes([len(ident)]) + ident


def key_id_of(code: str) -> int | None:
    """The id of the key a code says it is signed with (unverified), or None if unreadable."""
    raw = _b64decode(code) if isinstance(code, str) and code.isascii() else None
    if raw is None or len(raw) < _HEADER.size:
        return None
    return _HEADER.unpack_from(raw)[1]


def sign_code(private_key: Ed25519PrivateKey, *, key_id: int, edition_id: int, ticket_id: str) -> str:
    """The ticket code of ``ticket_id`` in ``edition_id``, signed with key ``key_id``."""
    body = _body(key_id, edition_id, ticket_id)
    return _b64encode(body + private_key.sign(body))


@dataclass(frozen=True)
class ClaimedCode:
    """What a well-formed code says before its signature is checked: the key it names
    tells which public key to fetch (the door reads that key in the same query as the
    registration). Nothing in it may be trusted until ``signature_holds``."""

    payload: TicketPayload
    body: bytes
    signature: bytes


def claimed(code: str) -> ClaimedCode | None:
    """The parts of a well-formed code, unverified; None for anything malformed or truncated
    (never raises on input)."""
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE_CHARS or not code.isascii():
        return None
    raw = _b64decode(code.strip() if code.strip() == code else "\0")
    if raw is None or len(raw) < _HEADER.size + 2 + _SIGNATURE_BYTES:
        return None
    body, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
    version, key_id, edition_id = _HEADER.unpack_from(body)
    length = body[_HEADER.size]
    ident = body[_HEADER.size + 1:]
    if version != VERSION or length != len(ident) or length == 0:
        return None
    try:
        ticket_id = ident.decode("ascii")
    except UnicodeDecodeError:
        return None
    payload = TicketPayload(version=version, key_id=key_id, edition_id=edition_id, ticket_id=ticket_id)
    return ClaimedCode(payload=payload, body=body, signature=signature)


def signature_holds(claim: ClaimedCode, public_key: Ed25519PublicKey) -> bool:
    """Whether ``public_key`` signed the claimed code."""
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(claim.signature, claim.body)
    except InvalidSignature:
        return False
    return True


def verify_code(code: str, public_keys: Mapping[int, Ed25519PublicKey]) -> TicketPayload | None:
    """The payload of a genuine code signed by one of ``public_keys`` (key id -> key), else None.

    Anything malformed, truncated, altered or signed by a key not in the map (unknown or
    revoked) answers None; this never raises on input."""
    claim = claimed(code)
    if claim is None:
        return None
    key = public_keys.get(claim.payload.key_id)
    if key is None or not signature_holds(claim, key):
        return None
    return claim.payload
