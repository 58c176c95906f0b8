"""Random public identifiers for URLs and QR codes; never sequential ids."""

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_token(nbytes: int = 32) -> str:
    """A long URL-safe secret, for secret links such as an order page."""
    return secrets.token_urlsafe(nbytes)
