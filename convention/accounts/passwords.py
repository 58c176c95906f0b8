"""Password hashing (argon2id) and strength rules."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext

PASSWORD_MIN = 10
PASSWORD_MAX = 256
# A few of the passwords every list of leaked passwords starts with.
COMMON_PASSWORDS = {
    "password123", "1234567890", "qwertyuiop", "password1234", "iloveyou123",
    "passwordpassword", "0123456789", "abcdefghij", "letmein1234", "welcome123",
}
# OWASP Password Storage Cheat Sheet, argon2id: 19 MiB of memory, 2 passes, 1 lane. About
# 31 ms of CPU per check on the 2-core reference machine (the library's default, 64 MiB,
# t=3, p=4, took 216-260 ms). A stored hash made with other parameters is rehashed with
# these at the next sign-in (services.authenticate).
DEFAULT_ARGON2_PARAMETERS = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter number
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value


@lru_cache(maxsize=1)
def give_hash_memory_back() -> bool:
    """Keep argon2's buffer (19 MiB per check) out of the worker's resident memory.

    glibc serves a block that large with mmap and unmaps it when freed, but on that first
    free it raises its mmap threshold to the block's size: from the second check on, the
    buffer comes from the heap and stays resident, 19 MiB more in every worker that has
    signed someone in. Setting the threshold (to its usual start value) turns that
    adjustment off, so each check maps and unmaps its buffer. True when glibc took it;
    another C library (musl's mallopt does nothing) keeps its own behaviour."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False


@lru_cache(maxsize=4)
def _hasher_with(parameters: tuple) -> tuple[PasswordHasher, str]:
    """The hasher, and a hash of a random string made with it (see burn_verification_time)."""
    give_hash_memory_back()
    hasher = PasswordHasher(**dict(parameters))
    return hasher, hasher.hash("not-a-real-password-0a9f")


def _hasher() -> PasswordHasher:
    return _hasher_and_dummy()[0]


def _hasher_and_dummy() -> tuple[PasswordHasher, str]:
    """argon2id with DEFAULT_ARGON2_PARAMETERS, unless ``ARGON2_PARAMETERS`` (a dict of
    PasswordHasher arguments) says otherwise; the tests use cheap ones."""
    parameters = current_app.config.get("ARGON2_PARAMETERS") if has_app_context() else None
    return _hasher_with(tuple(sorted((parameters or DEFAULT_ARGON2_PARAMETERS).items())))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def burn_verification_time(password: str) -> None:
    """Verify against a dummy hash: a login for an unknown email takes as long as one for
    a known email, so timing does not tell whether an account exists."""
    verify_password(_hasher_and_dummy()[1], password)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why a password is too weak (an empty list means it is fine)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(gettext("Use at least %(num)d characters.", num=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        problems.append(gettext("Use at most %(num)d characters.", num=PASSWORD_MAX))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(gettext("This password is too easy to guess."))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(gettext("Do not use your email address in your password."))
    return problems
