import pytest

from proxy.policy.validators import cn_resident_id, luhn


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("4111 1111 1111 1111", True),
        ("4111-1111-1111-1111", True),
        ("5500005555555559", True),
        ("378282246310005", True),  # Amex, 15 digits
        ("4111 1111 1111 1112", False),
        ("1234 5678 9012 3456", False),
        ("0000", False),  # too short to be a card
    ],
)
def test_luhn(text: str, valid: bool) -> None:
    assert luhn(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524198001010013", True),
        ("440524188001010014", False),  # born before 1900
        ("110105194912310021", False),  # wrong check digit
        ("110105194913310028", False),  # month 13
        ("11010519491231002", False),  # 17 characters
    ],
)
def test_cn_resident_id(text: str, valid: bool) -> None:
    assert cn_resident_id(text) is valid
