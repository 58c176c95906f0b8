"""The edition's signing keys and the ticket code of a registration.

An edition gets its first key pair lazily, when its first code is made. ``rotate_key``
adds a new pair that signs from then on; codes signed by older keys keep verifying until
``revoke_key``. The private key is sealed at rest: AES-GCM with a key derived from the
app's SECRET_KEY by HKDF-SHA256 (changing SECRET_KEY therefore makes the stored private
keys unusable: rotate after such a change; codes already issued still verify, the public
keys being stored in clear).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.badges.codes import TicketPayload, sign_code, verify_code
from convention.badges.models import TicketKey
from convention.core.errors import Conflict, NotFound
from convention.core.sealing import SealBroken, seal, unseal
from convention.core.timeutil import utcnow
from convention.extensions import db

if TYPE_CHECKING:  # cryptography is imported on first use: workers start without it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_SEALING_PURPOSE = b"convention ticket signing keys"


def _seal(private_key: Ed25519PrivateKey, public_raw: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return seal(raw, purpose=_SEALING_PURPOSE, associated=public_raw)


def _unseal(key: TicketKey) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        raw = unseal(key.private_key_sealed, purpose=_SEALING_PURPOSE, associated=key.public_key)
    except SealBroken:
        raise Conflict(gettext("This ticket key cannot be read with the current secret key: rotate the key.")) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def _new_key(edition_id: int) -> TicketKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_key = Ed25519PrivateKey.generate()
    public_raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = TicketKey(edition_id=edition_id, public_key=public_raw, private_key_sealed=_seal(private_key, public_raw))
    db.session.add(key)
    db.session.flush()
    return key


def signing_key(edition_id: int) -> TicketKey:
    """The edition's newest unrevoked key, made now if it has none."""
    key = db.session.scalar(
        sa.select(TicketKey)
        .where(TicketKey.edition_id == edition_id, TicketKey.revoked_at.is_(None))
        .order_by(TicketKey.id.desc())
        .limit(1)
    )
    return key or _new_key(edition_id)


def rotate_key(edition_id: int, *, actor=None) -> TicketKey:
    """A new key pair that signs from now on; the older ones still verify."""
    key = _new_key(edition_id)
    record_audit("ticket_key.rotated", actor=actor, target=key, edition_id=edition_id)
    return key


def revoke_key(edition_id: int, key_id: int, *, actor=None) -> TicketKey:
    """Codes signed by this key stop verifying (their holders need new codes: a new key signs them)."""
    key = db.session.get(TicketKey, key_id)
    if key is None or key.edition_id != edition_id:
        raise NotFound(gettext("There is no such ticket key."))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_audit("ticket_key.revoked", actor=actor, target=key, edition_id=edition_id)
    return key


@functools.lru_cache(maxsize=64)
def public_key_from(raw: bytes) -> Ed25519PublicKey:
    """The key object of a stored public key (32 raw bytes), kept per process: the door
    verifies every scan with one of a few keys."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(raw)


def public_keys(edition_id: int | None = None) -> dict[int, Ed25519PublicKey]:
    """Key id -> public key of every unrevoked key (of one edition, or of all): what a scanner needs."""
    query = sa.select(TicketKey.id, TicketKey.public_key).where(TicketKey.revoked_at.is_(None))
    if edition_id is not None:
        query = query.where(TicketKey.edition_id == edition_id)
    return {key_id: public_key_from(bytes(raw)) for key_id, raw in db.session.execute(query)}


def ticket_code(edition_id: int, ticket_id: str) -> str:
    """The signed code for the registration whose public identifier is ``ticket_id``."""
    key = signing_key(edition_id)
    return sign_code(_unseal(key), key_id=key.id, edition_id=edition_id, ticket_id=ticket_id)


def code_signer(edition_id: int):
    """A function ticket id -> signed code with the edition's signing key, unsealed once
    (for many codes in a row: a sheet, an order's badges)."""
    key = signing_key(edition_id)
    private_key = _unseal(key)

    def sign(ticket_id: str) -> str:
        return sign_code(private_key, key_id=key.id, edition_id=edition_id, ticket_id=ticket_id)

    return sign


def existing_code_signer(edition_id: int):
    """``code_signer`` without making a key (for a GET): None when the edition has none yet."""
    has_key = db.session.scalar(
        sa.select(TicketKey.id).where(TicketKey.edition_id == edition_id, TicketKey.revoked_at.is_(None)).limit(1)
    )
    return code_signer(edition_id) if has_key is not None else None


def read_code(code: str) -> TicketPayload | None:
    """``verify_code`` with the keys of the database: the payload of a genuine code, else None."""
    return verify_code(code, public_keys())


def list_keys(edition_id: int) -> list[TicketKey]:
    """The edition's keys, newest first (one query); the first unrevoked one signs."""
    return list(db.session.scalars(
        sa.select(TicketKey).where(TicketKey.edition_id == edition_id).order_by(TicketKey.id.desc())
    ))
