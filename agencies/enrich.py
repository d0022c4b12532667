"""ORI codes for directory agencies, from a CSV that matched ICE's lists to the Census
of State and Local Law Enforcement Agencies (e.g. appelson_agreements_csllea_merge.csv:
columns state, county, agency, ori, …).

The census spells agencies in lower case and without "Office"/"Department" ("colbert
county sheriff"), so names are compared on a core key; an ORI is written only when exactly
one directory agency of that state (and county, when both sides know it) has the key, and
never over an ORI already set.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from agencies.importer import bulk
from agencies.importer.normalize import agency_match_key, normalize_state
from agencies.models import Agency

_ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
_TAIL = {"office", "department", "dept", "division"}


def core_key(name: str) -> str:
    """ "Colbert County Sheriff's Office" and "colbert county sheriff" → same key."""
    words = agency_match_key(name).split()
    while len(words) > 1 and words[-1] in _TAIL:
        words.pop()
    return " ".join("sheriff" if word == "sheriffs" else word for word in words)


def _county_key(county: str) -> str:
    return re.sub(r"\s+(county|parish|borough)$", "", county.strip().casefold())


@dataclass
class Enriched:
    matched: int = 0
    updated: int = 0
    ambiguous: int = 0
    unmatched: int = 0


def agencies_enrich_ori(*, data: bytes) -> Enriched:
    """Set missing ORI codes from the CSV; return what matched."""
    census: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        ori = (row.get("ori") or "").strip().upper()
        state = normalize_state(row.get("state"))
        if state and _ORI.match(ori) and row.get("agency"):
            key = (state, core_key(row["agency"]))
            census[key].add((ori, _county_key(row.get("county") or "")))
    directory: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for pk, state, name, county, ori in Agency.objects.values_list(
        "id", "state", "name", "county", "ori"
    ):
        directory[(state, core_key(name))].append((pk, _county_key(county), ori))

    result, updates = Enriched(), []
    for key, found in census.items():
        agencies = directory.get(key)
        if not agencies:
            result.unmatched += 1
            continue
        for ori, county in found:
            candidates = [a for a in agencies if not (county and a[1]) or a[1] == county]
            if len(candidates) != 1 or len({o for o, _c in found}) != 1:
                result.ambiguous += 1
                continue
            result.matched += 1
            pk, _county, current = candidates[0]
            if not current:
                updates.append((pk, ori))
    with transaction.atomic():
        bulk.update(Agency, ["ori"], list(dict(updates).items()))
    result.updated = len(dict(updates))
    return result
