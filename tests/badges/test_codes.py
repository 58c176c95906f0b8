"""Signed ticket codes: genuine ones verify with public keys only; any change makes them invalid."""

from __future__ import annotations

import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from convention.badges import keys
from convention.badges.codes import ALPHABET, TicketPayload, sign_code, verify_code
from convention.badges.models import TicketKey
from convention.core.errors import Conflict
from convention.extensions import db
from tests.factories import make_edition


def _pair():
    private = Ed25519PrivateKey.generate()
    return private, {7: private.public_key()}


def test_a_code_verifies_with_the_public_key_alone_and_carries_nothing_personal():
    private, public = _pair()
    code = sign_code(private, key_id=7, edition_id=3, ticket_id="ABCDEFGHJKMN")
    assert verify_code(code, public) == TicketPayload(version=1, key_id=7, edition_id=3, ticket_id="ABCDEFGHJKMN")
    assert set(code) <= set(ALPHABET)


def test_every_single_character_change_makes_the_code_invalid():
    private, public = _pair()
    code = sign_code(private, key_id=7, edition_id=3, ticket_id="ABCDEFGHJKMN")
    changed = 0
    for i, original in enumerate(code):
        for other in ALPHABET:
            if other != original:
                assert verify_code(code[:i] + other + code[i + 1:], public) is None, (i, other)
                changed += 1
    assert changed == len(code) * (len(ALPHABET) - 1)


def test_truncated_extended_random_and_odd_codes_are_invalid():
    private, public = _pair()
    code = sign_code(private, key_id=7, edition_id=3, ticket_id="ABCDEFGHJKMN")
    for n in range(len(code)):
        assert verify_code(code[:n], public) is None
    for bad in (code + "A", code + "=", " " + code, code + "\n", "", "€" * 10, "x" * 5000, None, 42):
        assert verify_code(bad, public) is None
    for _ in range(200):
        assert verify_code("".join(secrets.choice(ALPHABET) for _ in range(len(code))), public) is None


def test_a_key_not_in_the_map_does_not_verify():
    private, _public = _pair()
    code = sign_code(private, key_id=7, edition_id=3, ticket_id="ABCDEFGHJKMN")
    assert verify_code(code, {7: Ed25519PrivateKey.generate().public_key()}) is None
    assert verify_code(code, {}) is None


def test_rotated_keys_still_verify_until_revoked(app):
    edition = make_edition()
    first = keys.ticket_code(edition.id, "ABCDEFGHJKMN")
    old_key = keys.signing_key(edition.id)
    new_key = keys.rotate_key(edition.id)
    assert keys.signing_key(edition.id).id == new_key.id != old_key.id
    second = keys.ticket_code(edition.id, "ABCDEFGHJKMN")
    assert first != second
    assert keys.read_code(first).key_id == old_key.id
    assert keys.read_code(second).key_id == new_key.id
    keys.revoke_key(edition.id, old_key.id)
    assert keys.read_code(first) is None
    assert keys.read_code(second) is not None


def test_the_private_key_is_sealed_at_rest(app):
    edition = make_edition()
    keys.ticket_code(edition.id, "ABCDEFGHJKMN")
    stored = db.session.query(TicketKey).one()
    assert len(stored.public_key) == 32
    assert len(stored.private_key_sealed) == 12 + 32 + 16
    app.config["SECRET_KEY"], saved = "another-secret-key-entirely-0123456789abcdef", app.config["SECRET_KEY"]
    try:
        with pytest.raises(Conflict):
            keys.ticket_code(edition.id, "ABCDEFGHJKMN")
    finally:
        app.config["SECRET_KEY"] = saved
