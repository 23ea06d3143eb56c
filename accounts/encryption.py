"""Second-factor secrets (the TOTP key, the recovery codes' seed) are encrypted at rest with a
key derived from SECRET_KEY. Older keys in SECRET_KEY_FALLBACKS still decrypt, so that the key
can be changed without locking anyone out; `manage.py reencrypt_second_factors` then moves
every secret to the new key, after which the old one can be dropped."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(ValueError):
    """No key in SECRET_KEY or SECRET_KEY_FALLBACKS decrypts this second-factor secret."""


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"mfa:{key}".encode()).digest()))


def _keys() -> MultiFernet:
    # The first key encrypts; every key is tried in turn to decrypt.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return _keys().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A second-factor secret could not be decrypted: was SECRET_KEY changed without "
            "keeping the old key in SECRET_KEY_FALLBACKS?"
        ) from error


def is_current(token: str) -> bool:
    """Whether `token` is encrypted with SECRET_KEY itself (not only a fallback)."""
    try:
        _fernet(settings.SECRET_KEY).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same secret, encrypted with SECRET_KEY. Raises SecretUnreadable if no key reads it."""
    try:
        return _keys().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("No key in SECRET_KEY or SECRET_KEY_FALLBACKS reads it") from error
