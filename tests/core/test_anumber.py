import pytest
from django.core.exceptions import ValidationError

from caseworker.lib.anumber import mask_a_number, normalize_a_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A123456789", "A123456789"),
        ("a 123-456-789", "A123456789"),
        ("123456789", "A123456789"),
        ("A12345678", "A012345678"),
        ("12-345-678", "A012345678"),
        ("A.123.456.789", "A123456789"),
    ],
)
def test_normalises_accepted_formats(raw, expected):
    assert normalize_a_number(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "A1234567", "A1234567890", "B123456789", "A12345678X", "A/123456789"]
)
def test_rejects_anything_else_with_a_clear_message(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_a_number(raw)
    assert "letter A followed by 8 or 9 digits" in exc.value.messages[0]


def test_mask_shows_only_last_three_digits():
    assert mask_a_number("A123456789") == "A•••-•••-789"
