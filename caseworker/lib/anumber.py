"""A-numbers (USCIS alien registration numbers).

Every A-number goes through `normalize_a_number`, and every comparison through
`a_number_lookup`: A-numbers are encrypted at rest, so comparisons use the keyed
blind index stored beside them (caseworker.lib.crypto).
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from caseworker.lib.crypto import blind_index

_SEPARATORS = re.compile(r"[\s\-.]")
_SHAPE = re.compile(r"^A?(\d{8,9})$")


def normalize_a_number(value: str) -> str:
    """Return the canonical form `A` + 9 digits, or raise ValidationError.

    Spaces, dashes and dots are accepted on input; 8-digit numbers are zero-padded.
    """
    compact = _SEPARATORS.sub("", value or "").upper()
    match = _SHAPE.match(compact)
    if not match:
        raise ValidationError(
            "An A-number is the letter A followed by 8 or 9 digits (e.g. A123-456-789).",
            code="invalid_a_number",
        )
    return "A" + match.group(1).zfill(9)


def looks_like_a_number(value: str) -> bool:
    try:
        normalize_a_number(value)
    except ValidationError:
        return False
    return True


def a_number_lookup(value: str, field: str = "a_number") -> Q:
    """Q object matching a stored A-number equal to `value` in any input format.
    `field` names the encrypted field; the match is on its blind index `<field>_bidx`."""
    digest = blind_index(normalize_a_number(value), purpose="a_number")
    return Q(**{f"{field}_bidx": digest})


def mask_a_number(value: str) -> str:
    """Show only the last 3 digits: A•••-••4-567 style, for lists and unrevealed pages."""
    if not value:
        return ""
    return f"A•••-•••-{value[-3:]}"
