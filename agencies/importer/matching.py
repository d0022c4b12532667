"""Second-chance matching of agency names, used only when the exact key finds nothing.

`normalize.agency_match_key` is the identity of an agency within a state. ICE sometimes
re-spells a name between lists in ways that key keeps apart on purpose ("Ft Myers Police
Department" → "Fort Myers Police Department", "City of Miami Springs Police Department" →
"Miami Springs Police Department"); without this, the old agreement would read "ended" and a
new one "created". A loose key drops those differences, and is trusted only when exactly one
agency of the state carries it.
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^(?:the )?(?:city|town|village|borough) of ")
_WORDS = {"ft": "fort", "mt": "mount", "pt": "port"}


def loose_key(match_key: str) -> str:
    words = " ".join(_WORDS.get(word, word) for word in match_key.split())
    return _PREFIX.sub("", words)
