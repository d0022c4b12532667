"""Second-chance matching of agency names, used only when the exact key finds nothing.

`normalize.agency_match_key` is the identity of an agency within a state. ICE re-spells
names between lists; without this, the old agreement would read "ended" and a new one
"created", both "active" at once. Two levels, both within one state only:

`spelling_key` — differences that are clearly the same name, merged automatically:
  "City of" / "Town of" / "Village of" / "Borough of" prefixed ("City of St. Cloud Police
  Department" = "St. Cloud Police Department"); Ft / Mt / Pt / St spelled out; a "/ suffix"
  ("Tennessee Department of Safety and Homeland Security / THP"); the state's own name
  prefixed to a state agency ("Virginia Department of State Police" = "Department of State
  Police"); "Sheriff's Department" = "Sheriff's Office"; "Police Services Department" =
  "Police Department"; "State Police Department" = "State Police".
`typo_of` — one word misspelt by at most two letters (one for words under eight), same
  first letter, words of six letters or more, every other word equal: "Indiatlantic" /
  "Indialantic", "Lampass" / "Lampasas", "Albermarle" / "Albemarle". Trusted only when
  exactly one agency of the state is that close, and never across two names that differ in
  a short word ("Milford" / "Milton": three letters apart; "Houston" / "Autauga" are not
  close at all).

Everything else that looks like a rename is left for an administrator: see
`rename_candidates`.
"""

from __future__ import annotations

import re

from agencies.importer.normalize import agency_match_key
from caseworker.lib.states import STATES

_PREFIX = re.compile(r"^(?:the )?(?:city|town|village|borough) of ")
_WORDS = {"ft": "fort", "mt": "mount", "pt": "port", "st": "saint"}
_STATE_NAMES = {code: agency_match_key(name) for code, name in STATES.items()}
_STATE_AGENCY = re.compile(r"^(?:department|state|division|bureau|office|highway)\b")
_TAILS = [
    (re.compile(r"\bsheriffs department$"), "sheriffs office"),
    (re.compile(r"\bpolice services department$"), "police department"),
    (re.compile(r"\bstate police department$"), "state police"),
]


def loose_key(match_key: str) -> str:
    words = " ".join(_WORDS.get(word, word) for word in match_key.split())
    return _PREFIX.sub("", words)


def spelling_key(name: str, state: str) -> str:
    """A key equal for names that differ only in the ways listed in the module doc."""
    main = name.split("/", 1)[0] if "/" in name and len(name.split("/", 1)[0].split()) > 1 else name
    key = loose_key(agency_match_key(main))
    state_name = _STATE_NAMES.get(state, "")
    if state_name and key.startswith(state_name + " "):
        rest = key[len(state_name) + 1 :]
        if _STATE_AGENCY.match(rest):
            key = rest
    for pattern, replacement in _TAILS:
        key = pattern.sub(replacement, key)
    return key


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def typo_of(a: str, b: str) -> bool:
    """True when two spelling keys differ by a typo in one long word (module doc)."""
    words_a, words_b = a.split(), b.split()
    if a == b or len(words_a) != len(words_b):
        return False
    differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    if min(len(x), len(y)) < 6 or x[0] != y[0]:
        return False
    limit = 2 if min(len(x), len(y)) >= 8 else 1
    return _distance(x, y, limit) <= limit
