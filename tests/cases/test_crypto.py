"""Personal data helpers: GB 11643 check digits, phone formats, masking, authenticated
encryption and the keyed hash."""

import pytest
from django.test import override_settings

from cases import crypto
from tests.builders import id_number


@pytest.mark.parametrize(
    "value",
    ["11010519491231002X", "11010519491231002x", "440524188001010014", id_number(7)],
)
def test_valid_id_numbers(value):
    assert crypto.id_number_error(value) is None


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("110105194912310021", "校验位"),
        ("110105194913310029", "出生日期"),
        ("11010519491231002", "18位"),
        ("1101051949123100XX", "18位"),
        ("", "18位"),
    ],
)
def test_invalid_id_numbers(value, fragment):
    assert fragment in crypto.id_number_error(value)


@pytest.mark.parametrize("value", ["13812345678", "0919-1234567", "091912345678", "010-12345678"])
def test_valid_phones(value):
    assert crypto.phone_error(value) is None


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "phone", "0919-12", "+86 138"])
def test_invalid_phones(value):
    assert crypto.phone_error(value) is not None


def test_masks():
    assert crypto.mask_id_number("610222198001011234") == "610222********1234"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone("0919-1234567") == "0919-***4567"


def test_encryption_round_trip_is_randomised_and_bound_to_the_field():
    one = crypto.encrypt("610222198001011234", field="party.id_number")
    two = crypto.encrypt("610222198001011234", field="party.id_number")
    assert one != two
    assert crypto.decrypt(one, field="party.id_number") == "610222198001011234"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(one, field="party.phone")
    tampered = one[:-1] + bytes([one[-1] ^ 1])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, field="party.id_number")


def test_another_key_cannot_decrypt_and_hashes_differ():
    blob = crypto.encrypt("13812345678", field="party.phone")
    digest = crypto.id_number_hash("11010519491231002X")
    assert digest == crypto.id_number_hash("11010519491231002x")
    with override_settings(FIELD_ENCRYPTION_KEY=b"k" * 32):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(blob, field="party.phone")
        assert crypto.id_number_hash("11010519491231002X") != digest
