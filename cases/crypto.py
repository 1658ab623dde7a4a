"""Personal data at rest: AES-256-GCM field encryption, a keyed hash to find the same person
again, masking for display, and validation of ID numbers (GB 11643) and phone numbers.

Ciphertext layout: 1 version byte, 12-byte random nonce, ciphertext with the 16-byte tag. The
field name is bound as associated data, so a value copied into another column does not decrypt.
The hash key is derived from FIELD_ENCRYPTION_KEY with HKDF, so the hash reveals nothing
without the key and the encryption key is never used for two purposes.
"""

import hashlib
import hmac
import os
import re
from datetime import date
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The stored value does not decrypt with the configured key."""


def _key() -> bytes:
    return bytes(settings.FIELD_ENCRYPTION_KEY)


@lru_cache(maxsize=4)
def _hash_key(key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mediation:party-id-hash:v1"
    ).derive(key)


def encrypt(value: str, *, field: str) -> bytes:
    """Encrypt a text value for the column `field`."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key()).encrypt(nonce, value.encode("utf-8"), field.encode("ascii"))
    return VERSION + nonce + sealed


def decrypt(blob: bytes | memoryview, *, field: str) -> str:
    """Decrypt a value written by `encrypt` for the same column."""
    blob = bytes(blob)
    if not blob or blob[:1] != VERSION:
        raise DecryptionError("unknown ciphertext version")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        plain = AESGCM(_key()).decrypt(nonce, sealed, field.encode("ascii"))
    except Exception as exc:  # InvalidTag: wrong key or tampered data
        raise DecryptionError("value does not decrypt") from exc
    return plain.decode("utf-8")


def id_number_hash(id_number: str) -> str:
    """Keyed hash (HMAC-SHA256) of a normalised ID number, hex; equal for the same person."""
    normalised = id_number.strip().upper().encode("ascii")
    return hmac.new(_hash_key(_key()), normalised, hashlib.sha256).hexdigest()


def phone_hash(phone: str) -> str:
    """Keyed hash of a normalised phone number (mobile, or landline without its hyphen), hex;
    a different message from the ID number's, so the two hashes never meet."""
    normalised = normalise_phone(phone).replace("-", "")
    return hmac.new(
        _hash_key(_key()), b"phone:" + normalised.encode("ascii"), hashlib.sha256
    ).hexdigest()


# ---------------------------------------------------------------- validation

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_error(value: str) -> str | None:
    """Why `value` is not a valid 18-digit citizen ID number, or None when it is."""
    value = normalise_id_number(value)
    if not ID_PATTERN.match(value):
        return "身份证号须为18位（前17位数字，末位数字或X）。"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效。"
    if born.year < 1800 or born > date.today():
        return "身份证号中的出生日期无效。"
    if id_check_digit(value[:17]) != value[17]:
        return "身份证号校验位错误。"
    return None


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value.strip())


def phone_error(value: str) -> str | None:
    """Why `value` is not a mobile (13812345678) or landline (0919-1234567) number."""
    value = normalise_phone(value)
    if MOBILE_PATTERN.match(value) or LANDLINE_PATTERN.match(value):
        return None
    return "电话号码格式无效（手机号11位，或座机如 0919-1234567）。"


# ---------------------------------------------------------------- masking


def mask_id_number(value: str) -> str:
    """610222********1234: the area code and the last four characters."""
    value = normalise_id_number(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for a mobile; 0919-***4567 for a landline."""
    value = normalise_phone(value)
    if MOBILE_PATTERN.match(value):
        return value[:3] + "****" + value[-4:]
    if "-" in value:
        area, number = value.split("-", 1)
        return area + "-" + "*" * max(len(number) - 4, 0) + number[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
