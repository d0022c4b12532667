"""Fuzzy comparison of people's names and dates of birth, for the duplicate-client check.

Pure functions (no database): `cases.selectors.client_duplicates` narrows the candidates
in SQL and scores them here. Names are compared after `fold` (accents, case, hyphens and
punctuation removed), word order ignored, so "José García-López", "Garcia Lopez, Jose"
and "Jose Garsia Lopez" all score high against each other.
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz

from caseworker.lib.text import fold

# Minimum name score (0-100) for a candidate, by how the dates of birth compare.
SAME_DOB_THRESHOLD = 80
SWAPPED_DOB_THRESHOLD = 88
MISSING_DOB_THRESHOLD = 90


def name_similarity(a: str, b: str) -> int:
    """0-100: how alike two names are, whatever their order, accents or hyphens.

    Takes the best of: the whole names with words sorted (swapped surnames); the names
    with spaces removed (a compound surname typed as one word); and, when the shorter
    name has two or more words, how well each of its words matches some word of the
    longer one (a second surname left out, with typos).
    """
    words_a, words_b = fold(a).split(), fold(b).split()
    if not words_a or not words_b:
        return 0
    joined_a, joined_b = " ".join(words_a), " ".join(words_b)
    score = max(
        fuzz.token_sort_ratio(joined_a, joined_b),
        fuzz.ratio("".join(sorted(words_a)), "".join(sorted(words_b))),
    )
    short, long = sorted((words_a, words_b), key=len)
    if len(short) >= 2 and len(long) > len(short):
        per_word = sum(max(fuzz.ratio(word, other) for other in long) for word in short)
        score = max(score, per_word / len(short))
    return round(score)


def dob_variants(dob: dt.date | None) -> list[dt.date]:
    """The date itself and, when it is a valid different date, day and month swapped."""
    if dob is None:
        return []
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        variants.append(dob.replace(month=dob.day, day=dob.month))
    return variants


def dob_relation(typed: dt.date | None, stored: dt.date | None) -> str:
    """'same', 'swapped', 'missing' (either side unknown) or 'different'."""
    if typed is None or stored is None:
        return "missing"
    if typed == stored:
        return "same"
    if stored in dob_variants(typed):
        return "swapped"
    return "different"


THRESHOLDS = {
    "same": SAME_DOB_THRESHOLD,
    "swapped": SWAPPED_DOB_THRESHOLD,
    "missing": MISSING_DOB_THRESHOLD,
}
REASONS = {
    "same": "same date of birth",
    "swapped": "date of birth with day and month swapped",
    "missing": "no date of birth to compare",
}


def best_name_score(typed_name: str, full_name: str, other_names: str) -> int:
    """The typed name's score against the client's name and each of their other names."""
    names = [full_name, *(line for line in other_names.splitlines() if line.strip())]
    return max(name_similarity(typed_name, name) for name in names)
