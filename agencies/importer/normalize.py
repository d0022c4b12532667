"""Pure clean-up functions for the values found in ICE's 287(g) lists.

ICE's workbooks are typed by hand: states carry typos ("PENNSLYVANIA"), models stray spaces,
links are wrapped in Outlook SafeLinks, dates are sometimes text or impossible. Each function
here turns one such value into a canonical one, or says it cannot (None / a warning), so that
the parser never guesses silently.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, quote, urlsplit

from openpyxl.utils.datetime import from_excel

from caseworker.lib.states import STATES
from caseworker.lib.text import strip_accents

# Official names (caseworker.lib.states) plus the other spellings ICE and others use.
STATE_CODES: dict[str, str] = {name.upper(): code for code, name in STATES.items()} | {
    "WASHINGTON DC": "DC", "COMMONWEALTH OF THE NORTHERN MARIANA ISLANDS": "MP", "CNMI": "MP",
    "VIRGIN ISLANDS": "VI", "US VIRGIN ISLANDS": "VI", "USVI": "VI",
}  # fmt: skip
_CODES = frozenset(STATE_CODES.values())
_STATE_PREFIX = re.compile(r"^(?:STATE|COMMONWEALTH|TERRITORY) OF (?:THE )?")

_MODEL_NAMES = {
    "JAILENFORCEMENTMODEL": "JEM", "JAILENFORCEMENT": "JEM", "JEM": "JEM",
    "TASKFORCEMODEL": "TFM", "TASKFORCE": "TFM", "TFM": "TFM",
    "WARRANTSERVICEOFFICER": "WSO", "WARRANTSERVICEOFFICERS": "WSO",
    "WARRANTSERVICEOFFICERMODEL": "WSO", "WARRANTSERVICE": "WSO", "WSO": "WSO",
}  # fmt: skip
_MODEL_WORDS = {"JAIL": "JEM", "TASK": "TFM", "WARRANT": "WSO"}

# TYPE column values (squashed to letters) → canonical jurisdiction type.
_AGENCY_TYPES = {
    "COUNTY": "county", "PARISH": "county", "BOROUGH": "municipality",
    "MUNICIPALITY": "municipality", "MUNICIPAL": "municipality", "CITY": "municipality",
    "TOWN": "municipality", "TOWNSHIP": "municipality", "VILLAGE": "municipality",
    "STATE": "state", "STATEAGENCY": "state",
}  # fmt: skip

_EMPTY_MARKERS = frozenset({"#N/A", "#NA", "N/A", "#N/A N/A"})
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
# Abbreviations expanded wherever they stand as a whole word in an agency name.
_WORD_EXPANSIONS = {
    "co": "county", "cnty": "county", "dept": "department", "dpt": "department",
    "twp": "township", "pct": "precinct", "div": "division", "ofc": "office",
    "univ": "university", "hwy": "highway", "natl": "national", "atty": "attorney",
    "ctr": "center", "doc": "department of corrections",
    "dps": "department of public safety",
}  # fmt: skip
# Abbreviations only safe as the last word ("SO" is a word elsewhere in English).
_TAIL_EXPANSIONS = {
    ("so",): "sheriffs office", ("s", "o"): "sheriffs office",
    ("pd",): "police department", ("p", "d"): "police department",
    ("sheriff", "office"): "sheriffs office",
}  # fmt: skip

_KIND_BY_NAME = [
    ("university", re.compile(r"\b(university|college)\b")),
    ("tribal", re.compile(r"\b(tribe|tribal|nation|pueblo|rancheria|band of)\b")),
    ("sheriff", re.compile(r"\bsheriff")),
    ("corrections", re.compile(r"\b(corrections?|correctional|jail|detention|doc)\b")),
    ("state_police", re.compile(r"\b(highway patrol|state patrol|state police)\b")),
]
_PUBLIC_SAFETY_DEPT = re.compile(r"\b(department|dept) of public safety\b")
_POLICE = re.compile(r"\b(police|public safety)\b")
_COUNTYWIDE = re.compile(r"\b(county|parish|metro|metropolitan)\b")

_EARLIEST_SIGNED = date(1996, 9, 30)  # IIRIRA, which created 287(g), became law that day
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?")
_US_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_US_DATE_MISSING_SEP = re.compile(r"(\d{1,2})[/.-](\d{1,2})(\d{4})")  # "05/082025"
_WORDY_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d %B %Y")


def clean_text(value: object) -> str:
    """Cell value as trimmed single-spaced text; Excel's "#N/A" markers count as empty."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return "" if text.upper() in _EMPTY_MARKERS else text


def _squash_upper(text: str) -> str:
    """Upper-case letters/digits only: compares headers and codes whatever their spacing."""
    return re.sub(r"[^A-Z0-9]", "", clean_text(text).upper())


def normalize_state(text: object) -> str | None:
    """USPS code for a state/territory name or code; None rather than a guess.

    The fuzzy fallback only accepts a clear winner (ratio ≥ 0.85 and 0.05 ahead of the
    runner-up) so that e.g. NORTH/SOUTH CAROLINA can never be confused by a typo.
    """
    upper = clean_text(text).upper().replace(".", "")
    upper = " ".join(re.sub(r"[^A-Z ]", " ", upper).split())
    upper = _STATE_PREFIX.sub("", upper)
    if not upper:
        return None
    if upper in STATE_CODES:
        return STATE_CODES[upper]
    if upper in _CODES:
        return upper
    if len(upper) < 4:
        return None
    scored = sorted(
        ((difflib.SequenceMatcher(None, upper, name).ratio(), name) for name in STATE_CODES),
        reverse=True,
    )
    (best, name), (second, _) = scored[0], scored[1]
    if best >= 0.85 and best - second >= 0.05:
        return STATE_CODES[name]
    return None


def normalize_model(text: object) -> str | None:
    """ "TFM", "JEM" or "WSO" for a model name, abbreviation or misspelling; else None."""
    squashed = re.sub(r"[^A-Z]", "", clean_text(text).upper())
    if not squashed:
        return None
    if squashed in _MODEL_NAMES:
        return _MODEL_NAMES[squashed]
    hits = {model for word, model in _MODEL_WORDS.items() if word in squashed}
    if len(hits) == 1:
        return hits.pop()
    if hits:  # names two models at once: ambiguous
        return None
    close = difflib.get_close_matches(squashed, list(_MODEL_NAMES), n=1, cutoff=0.8)
    return _MODEL_NAMES[close[0]] if close else None


def normalize_agency_type(text: object) -> str | None:
    """TYPE column → "county" / "municipality" / "state"; "" when empty, None when unknown."""
    squashed = re.sub(r"[^A-Z]", "", clean_text(text).upper())
    if not squashed:
        return ""
    if squashed in _AGENCY_TYPES:
        return _AGENCY_TYPES[squashed]
    close = difflib.get_close_matches(squashed, list(_AGENCY_TYPES), n=1, cutoff=0.8)
    return _AGENCY_TYPES[close[0]] if close else None  # "Muncipality" → municipality


def normalize_kind(type_text: object, agency_name: str) -> str:
    """Agency kind (agencies.models.AgencyKind value) from the name first, then TYPE.

    The name is more reliable than TYPE, which ICE fills loosely ("Hopewell County Sheriff's
    Office" is typed Municipality). A "Department of Public Safety" is state police only when
    it is not typed county/municipality (towns have them too).
    """
    name = _APOSTROPHES.sub("", clean_text(agency_name).casefold())
    agency_type = normalize_agency_type(type_text)
    for kind, pattern in _KIND_BY_NAME:
        if pattern.search(name):
            return kind
    if _PUBLIC_SAFETY_DEPT.search(name) and agency_type not in ("county", "municipality"):
        return "state_police"
    if _POLICE.search(name):
        if _COUNTYWIDE.search(name):
            return "county_police"
        return "state_police" if agency_type == "state" else "municipal_police"
    return "state_agency" if agency_type == "state" else "other"


def agency_match_key(name: str) -> str:
    """Key under which two spellings of one agency's name are equal (compare within a state).

    Steps: strip accents, casefold, drop apostrophes ("Sheriff's" → "sheriffs"), "&" → "and",
    any other punctuation (hyphens, dots, commas, slashes) → space, collapse whitespace; expand
    whole-word abbreviations (co → county, dept → department, twp → township, doc →
    department of corrections …), a leading "st" → "saint", and at the end only: so / s o /
    sheriff office → sheriffs office, pd / p d → police department. Nothing is dropped, so
    names that differ in any real word ("Sheriff's Department" vs "Sheriff's Office",
    "Fort Myers" vs "Fort Myers Beach") stay different.
    """
    text = strip_accents(name).casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    words = " ".join(_WORD_EXPANSIONS.get(word, word) for word in words).split()
    if len(words) > 1 and words[0] == "st":
        words[0] = "saint"
    for tail, expansion in _TAIL_EXPANSIONS.items():
        if len(words) > len(tail) and tuple(words[-len(tail) :]) == tail:
            words = words[: -len(tail)] + expansion.split()
            break
    return " ".join(words)


def unwrap_safelinks(url: object, *, max_depth: int = 5) -> str | None:
    """The real http(s) address behind a link, or None when there is no valid one.

    Unwraps Outlook SafeLinks (possibly nested) and the Acrobat Chrome-extension viewer prefix
    (chrome-extension://<id>/https:/host/...) that ICE staff sometimes pasted. http://ice.gov
    is upgraded to https (the site is HTTPS-only); spaces are percent-encoded.
    """
    current = clean_text(url)
    for _ in range(max_depth):
        parts = urlsplit(current)
        host = (parts.hostname or "").lower()
        if host.endswith("safelinks.protection.outlook.com"):
            inner = parse_qs(parts.query).get("url")
            if not inner:
                return None
            current = inner[0].strip()
        elif parts.scheme == "chrome-extension":
            match = re.search(r"https?:/+", parts.path)
            if not match:
                return None
            rest = parts.path[match.end() :] + (f"?{parts.query}" if parts.query else "")
            current = f"{match.group().rstrip('/')}//{rest}"
        else:
            break
    else:
        return None  # still wrapped after max_depth layers
    parts = urlsplit(current)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or "." not in host or "@" in parts.netloc:
        return None
    if any(ord(ch) < 32 for ch in current):
        return None
    if host in ("ice.gov", "www.ice.gov"):
        current = "https" + current[len(parts.scheme) :]
    return quote(current, safe=":/?#[]@!$&'()*+,;=%~")


def _checked(found: date, shown: str, latest: date) -> tuple[date | None, str | None]:
    if found < _EARLIEST_SIGNED or found > latest:
        return None, f"impossible signed date '{shown}'"
    return found, None


def parse_signed(value: object, *, list_date: date | None = None) -> tuple[date | None, str | None]:
    """(date, warning) for a SIGNED cell: date cells, Excel serials or text dates.

    A date before 287(g) existed or after the list's date (default: after next year) is
    returned as None with an "impossible signed date" warning: a wrong date is worse than none.
    Text missing a separator ("05/082025") is repaired, with a warning saying how it was read.
    """
    latest = list_date or date(datetime.now(tz=UTC).year + 1, 12, 31)
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, datetime):
        return _checked(value.date(), value.date().isoformat(), latest)
    if isinstance(value, date):
        return _checked(value, value.isoformat(), latest)
    if isinstance(value, int | float):
        return _from_serial(value, str(value), latest)
    text = clean_text(value)
    if not text:
        return None, None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _from_serial(float(text), text, latest)
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return _checked(date(year, month, day), text, latest)
        if match := _US_DATE.fullmatch(text):
            month, _, day, year_text = match.groups()
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return _checked(date(year, int(month), int(day)), text, latest)
        repaired = _US_DATE_MISSING_SEP.fullmatch(text) or re.fullmatch(
            r"(\d{2})(\d{2})(\d{4})", text
        )
        if repaired:
            month, day, year = (int(g) for g in repaired.groups())
            found, warning = _checked(date(year, month, day), text, latest)
            return found, warning or f"signed date '{text}' read as {found}"
    except ValueError:
        return None, f"unreadable signed date '{text}'"
    for fmt in _WORDY_FORMATS:
        try:
            return _checked(datetime.strptime(text, fmt).date(), text, latest)  # noqa: DTZ007
        except ValueError:
            continue
    return None, f"unreadable signed date '{text}'"


def _from_serial(serial: float, shown: str, latest: date) -> tuple[date | None, str | None]:
    """Excel day number (CSV exports and general-formatted cells) → date."""
    try:
        found = from_excel(serial)
    except (ValueError, OverflowError, TypeError):
        return None, f"unreadable signed date '{shown}'"
    if not isinstance(found, datetime):  # small serials come back as times of day
        return None, f"impossible signed date '{shown}'"
    return _checked(found.date(), shown, latest)
