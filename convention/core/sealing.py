"""Secrets kept sealed at rest: AES-256-GCM under a key derived from the app's SECRET_KEY.

Used for what the server must read back in clear but a copy of the database alone must not
give away: the editions' ticket signing keys (badges/keys.py) and the accounts' TOTP
secrets (accounts/two_factor.py). Each use names its ``purpose`` (the HKDF info, so one use's
key never opens another's) and may bind the sealed value to its row with ``associated``
data (a sealed value copied onto another row then fails to open).

Changing SECRET_KEY makes every sealed value unreadable: ticket keys must be rotated and
people with two-factor sign-in use a recovery code (README, "Two-factor sign-in").
The sealed form is the 12-byte nonce followed by the ciphertext and its tag.
"""

from __future__ import annotations

import os

from flask import current_app

NONCE_BYTES = 12


class SealBroken(Exception):
    """The sealed value was changed, belongs elsewhere, or was sealed under another SECRET_KEY."""


def _cipher(purpose: bytes):
    # cryptography is imported on first use: most requests never open a sealed value.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret))


def seal(plaintext: bytes, *, purpose: bytes, associated: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(purpose).encrypt(nonce, plaintext, associated)


def unseal(sealed: bytes, *, purpose: bytes, associated: bytes = b"") -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return _cipher(purpose).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise SealBroken from None
