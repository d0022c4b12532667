"""Text folding shared by search and duplicate detection."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


COUNTY_SUFFIXES = (" County", " Parish", " Borough")


def county_variants(value: str) -> list[str]:
    """The spellings one county goes by: "Lee", "Lee County" (and Parish/Borough) alike,
    so a filter on either finds events recorded with the other."""
    base = " ".join((value or "").split())
    for suffix in COUNTY_SUFFIXES:
        if base.lower().endswith(suffix.lower()):
            base = base[: -len(suffix)].strip()
            break
    return [base] + [base + suffix for suffix in COUNTY_SUFFIXES] if base else []


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(value: str) -> str:
    """Lower-case, accents stripped, punctuation and hyphens to single spaces."""
    return _NON_WORD.sub(" ", strip_accents(value).lower()).strip()
