"""Encryption at rest for the words people write: reports, notes, relayed messages, apologies.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package).
The keys belong to the engine (``make_engine(url, keys=...)``), not to a global: each
database connection knows how to read its own data, and nothing can write plaintext to an
encrypted column because no key was configured. Keys are a list, newest first: the newest
encrypts, all of them decrypt, and ``rotate_all`` re-encrypts everything with the newest.
"""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, cast, literal, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"  # marks a token, so a value written before encryption still reads back


class KeyRing:
    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])

    def encrypt(self, value: str) -> str:
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise InvalidToken("no configured ENCRYPTION_KEY decrypts this value (was a key removed?)") from None

    def rotate(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return self.encrypt(value)
        return PREFIX + self._fernet.rotate(value[len(PREFIX) :].encode()).decode()


def generate_key() -> str:
    return Fernet.generate_key().decode()


def attach(dialect: Dialect, ring: KeyRing) -> None:
    dialect.speakout_keyring = ring  # type: ignore[attr-defined]


def _ring(dialect: Dialect) -> KeyRing:
    ring = getattr(dialect, "speakout_keyring", None)
    if ring is None:
        raise RuntimeError("this engine has no encryption keys: create it with make_engine(url, keys=...)")
    return ring


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted; reads and writes plain ``str`` in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _ring(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _ring(dialect).decrypt(value)


def encrypted_columns(metadata) -> list[tuple]:
    """(table, column) for every encrypted column."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def rotate_all(session: Session, metadata, batch: int = 500) -> int:
    """Re-encrypt every encrypted value with the newest key; returns how many were rewritten.
    Works on the raw stored text, so values are never decrypted into Python objects at large."""
    ring = _ring(session.get_bind().dialect)
    rewritten = 0
    for table, column in encrypted_columns(metadata):
        key = table.primary_key.columns.values()[0]
        # CAST to plain text reads the stored token, not the decrypted value.
        stored = select(key, cast(column, Text())).where(column.is_not(None)).order_by(key)
        last = None
        while True:
            query = stored if last is None else stored.where(key > last)
            rows = session.execute(query.limit(batch)).all()
            if not rows:
                break
            for row_id, value in rows:
                # A plain-text bind writes the new token as it is, not encrypted a second time.
                token = literal(ring.rotate(value), type_=Text())
                session.execute(update(table).where(key == row_id).values({column.name: token}))
                rewritten += 1
                last = row_id
    return rewritten
