"""Text folding shared by search and duplicate detection."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(value: str) -> str:
    """Lower-case, accents stripped, punctuation and hyphens to single spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", ascii_only.lower()).strip()
