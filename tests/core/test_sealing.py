"""Sealed secrets (convention/core/sealing.py): what goes in comes out, and only with the same
purpose, associated data and SECRET_KEY; any change to the sealed bytes is refused."""

from __future__ import annotations

import pytest

from convention.core.sealing import NONCE_BYTES, SealBroken, seal, unseal


def test_round_trip_and_fresh_nonce(app):
    with app.app_context():
        first = seal(b"secret", purpose=b"p", associated=b"row:1")
        second = seal(b"secret", purpose=b"p", associated=b"row:1")
        assert first != second and first[:NONCE_BYTES] != second[:NONCE_BYTES]
        assert b"secret" not in first
        assert unseal(first, purpose=b"p", associated=b"row:1") == b"secret"


@pytest.mark.parametrize(
    "purpose, associated", [(b"other", b"row:1"), (b"p", b"row:2"), (b"p", b"")], ids=["purpose", "row", "no-binding"]
)
def test_wrong_purpose_or_binding_is_refused(app, purpose, associated):
    with app.app_context():
        sealed = seal(b"secret", purpose=b"p", associated=b"row:1")
        with pytest.raises(SealBroken):
            unseal(sealed, purpose=purpose, associated=associated)


def test_one_changed_byte_or_another_secret_key_is_refused(app):
    with app.app_context():
        sealed = seal(b"secret", purpose=b"p")
        for index in (0, NONCE_BYTES, len(sealed) - 1):
            tampered = bytearray(sealed)
            tampered[index] ^= 1
            with pytest.raises(SealBroken):
                unseal(bytes(tampered), purpose=b"p")
        original = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "a-different-secret-key-that-is-long-enough-000"
        try:
            with pytest.raises(SealBroken):
                unseal(sealed, purpose=b"p")
        finally:
            app.config["SECRET_KEY"] = original
