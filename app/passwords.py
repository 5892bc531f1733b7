"""Password hashing with argon2id. The cost parameters come from the config, so tests
can hash quickly while production keeps strong settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

MIN_PASSWORD_LENGTH = 10


def init_app(app: Flask) -> None:
    hasher = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    app.extensions["password_hasher"] = hasher
    # Verified against when an account does not exist, so a failed login takes as
    # long for an unknown e-mail as for a wrong password.
    app.extensions["password_dummy_hash"] = hasher.hash("no such account")


def hash_password(plain: str) -> str:
    return current_app.extensions["password_hasher"].hash(plain)


def verify_password(stored_hash: str | None, plain: str) -> bool:
    hasher: PasswordHasher = current_app.extensions["password_hasher"]
    try:
        hasher.verify(stored_hash or current_app.extensions["password_dummy_hash"], plain)
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return current_app.extensions["password_hasher"].check_needs_rehash(stored_hash)
