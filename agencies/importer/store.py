"""Write one parsed ICE list into the directory: agencies, aliases, agreements, periods, changes.

Runs inside the caller's transaction (agencies.services.agreement_import_run holds the import
lock). Every step is a bulk statement, so an import costs the same dozen or so queries
whether the list has 6 rows or 2,000; new rows go in by COPY on PostgreSQL (importer.bulk).

Two modes, one rule set (agencies.importer.lifecycle):
- in order (the usual case: the list is at least as new as every list applied so far): each
  agreement's stored state is advanced by this one list;
- backfill (an older list arrives late): every agreement the lists have shown is folded
  again over all applied lists in list-date order, so the list date decides — an older list
  can add history and correct an end date, but never ends or revives what a newer list says.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from agencies.importer import bulk, lifecycle
from agencies.importer.lifecycle import PARTICIPATING, Event, ListView, Spell, Standing
from agencies.importer.matching import loose_key
from agencies.importer.normalize import agency_match_key
from agencies.importer.parser import ParsedList, ParsedRow
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    AgreementStatus,
    ImportStatus,
)

NAME_MAX = 200
AGREEMENT_FIELDS = ("status", "signed_on", "ended_on", "first_seen_on", "last_seen_on")
_LOADED = ("id", "agency_id", "model", *AGREEMENT_FIELDS, "moa_url", "addendum_url")


@dataclass
class ChangeRecord:
    """An AgreementChange as written (what caseload alerts read)."""

    agreement_id: int
    kind: str
    effective_on: dt.date
    before: dict
    after: dict


@dataclass
class Applied:
    """What applying one list did (the counts end up on the AgreementImport)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    ended: int = 0
    already_active: int = 0
    backfilled: bool = False
    notes: list[dict] = field(default_factory=list)
    sightings: dict[str, str | None] = field(default_factory=dict)
    changes: list[ChangeRecord] = field(default_factory=list)


@dataclass(slots=True)
class _Stored:
    """An agreement as stored (read with values_list: no model instances)."""

    id: int
    agency_id: int
    model: str
    status: str
    signed_on: dt.date | None
    ended_on: dt.date | None
    first_seen_on: dt.date
    last_seen_on: dt.date
    moa_url: str
    addendum_url: str


@dataclass(slots=True)
class _Row:
    """A merged list row with its agency resolved and its stored agreement, if any."""

    parsed: ParsedRow
    agency_id: int
    stored: _Stored | None


def list_apply(
    *, parsed: ParsedList, list_kind: str, list_date: dt.date, run: AgreementImport
) -> Applied:
    # An import allocates ~100k short-lived objects without reference cycles; a full
    # collection of a Django process in the middle of it costs as much as its writes.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _apply(parsed=parsed, list_kind=list_kind, list_date=list_date, run=run)
    finally:
        if enabled:
            gc.enable()


def _apply(*, parsed: ParsedList, list_kind: str, list_date: dt.date, run) -> Applied:
    applied = Applied(backfilled=_is_backfill(run, list_kind, list_date))
    rows = _merge(parsed.rows, applied.notes)
    agency_ids = _agencies_resolve(rows)

    agreements_qs = Agreement.objects.all()
    if not applied.backfilled:
        open_status = AgreementStatus.ACTIVE if list_kind == PARTICIPATING else "pending"
        agreements_qs = agreements_qs.filter(
            Q(agency_id__in=set(agency_ids.values())) | Q(status=open_status)
        )
    stored = {row[0]: _Stored(*row) for row in agreements_qs.values_list(*_LOADED)}
    by_pair = {(s.agency_id, s.model): s for s in stored.values()}
    spells = _spells_of(agreements_qs)

    present: dict[object, _Row] = {}  # agreement id, or ("new", agency id, model)
    for (state, key, model), row in rows.items():
        agency_id = agency_ids[(state, key)]
        known = by_pair.get((agency_id, model))
        present[known.id if known else ("new", agency_id, model)] = _Row(row, agency_id, known)
    current = ListView(list_kind, list_date, {k: r.parsed.signed for k, r in present.items()}, True)

    if applied.backfilled:
        lists = _applied_lists(run, current)
        prior = [view for view in lists if not view.current]
        keys = set(present) | {k for view in prior for k in view.sightings if k in stored}
    else:
        lists = [current]
        keys = set(present) | {s.id for s in stored.values() if s.status in ("active", "pending")}

    results: dict[object, tuple[Standing, list[Event]]] = {}
    for key in keys:
        if applied.backfilled:
            old_events, _ = lifecycle.fold(Standing(), prior, key)
            state = Standing()
            events, status_before = lifecycle.fold(state, lists, key)
            events = _new_only(events, old_events)
        else:
            state = _standing(stored[key], spells.get(key, [])) if key in stored else Standing()
            events, status_before = lifecycle.fold(state, lists, key)
        item = present.get(key)
        if item is not None and list_kind != PARTICIPATING and status_before == "active":
            applied.already_active += 1
            applied.notes.append(_note(item.parsed, "already_active", _already_active(state)))
        results[key] = (state, events)

    _write(results, present, stored, spells, list_kind, list_date, run, applied)
    return applied


# ------------------------------------------------------------------------------ rows


def _merge(rows: list[ParsedRow], notes: list[dict]) -> dict[tuple, ParsedRow]:
    """One row per (state, agency, model); a duplicate with a signed date beats one without."""
    merged: dict[tuple, ParsedRow] = {}
    keys: dict[str, str] = {}
    for row in rows:
        for warning in row.warnings:
            notes.append(_note(row, "warning", warning))
        if row.agency_name not in keys:
            keys[row.agency_name] = agency_match_key(row.agency_name)[:NAME_MAX]
        key = (row.state, keys[row.agency_name], row.model)
        kept = merged.get(key)
        if kept is None or (kept.signed is None and row.signed is not None):
            merged[key] = row
    return merged


def _note(row: ParsedRow, kind: str, text: str) -> dict:
    return {
        "row": row.row_number,
        "state": row.state,
        "agency": row.agency_name,
        "model": row.model,
        "kind": kind,
        "note": text,
    }


def _already_active(state: Standing) -> str:
    signed = f" (signed {state.signed_on.isoformat()})" if state.signed_on else ""
    return f"already active{signed}: kept active, not pending"


# --------------------------------------------------------------------------- agencies


AGENCY_FIELDS = ["public_id", "name", "match_key", "state", "kind", "county", "city", "ori",
                 "created_at", "updated_at"]  # fmt: skip


def _agencies_resolve(rows: dict[tuple, ParsedRow]) -> dict[tuple[str, str], int]:
    """(state, match key) → agency id, creating agencies and recording new spellings."""
    states = {state for state, _key, _model in rows}
    agencies: dict[tuple[str, str], int] = {}
    info: dict[int, list] = {}  # id → [name, county, kind]
    for pk, state, key, name, county, kind in Agency.objects.filter(state__in=states).values_list(
        "id", "state", "match_key", "name", "county", "kind"
    ):
        agencies[(state, key)] = pk
        info[pk] = [name, county, kind]
    by_alias: dict[tuple[str, str], int] = {}
    spellings: set[tuple[int, str]] = set()
    for agency_id, state, key, name in AgencyAlias.objects.filter(
        agency__state__in=states
    ).values_list("agency_id", "agency__state", "match_key", "name"):
        by_alias.setdefault((state, key), agency_id)
        spellings.add((agency_id, name))

    first_rows: dict[tuple[str, str], ParsedRow] = {}
    for (state, key, _model), row in rows.items():
        first_rows.setdefault((state, key), row)
    loose: dict[tuple[str, str], set[int]] = defaultdict(set)
    for (state, key), pk in [*agencies.items(), *by_alias.items()]:
        loose[(state, loose_key(key))].add(pk)
    to_create: dict[tuple[str, str], tuple[str, str]] = {}  # loose key → first exact key
    same_as: dict[tuple[str, str], tuple[str, str]] = {}  # exact key → exact key created
    for map_key in first_rows:
        if map_key in agencies or map_key in by_alias:
            continue
        loose_map_key = (map_key[0], loose_key(map_key[1]))
        candidates = loose.get(loose_map_key, set())
        if len(candidates) == 1:
            by_alias[map_key] = next(iter(candidates))
        elif loose_map_key in to_create:  # two spellings of one new agency in this list
            same_as[map_key] = to_create[loose_map_key]
        else:
            to_create[loose_map_key] = map_key
    _agencies_create([(k, first_rows[k]) for k in to_create.values()], agencies, info)
    for map_key, created_key in same_as.items():
        by_alias[map_key] = agencies[created_key]

    resolved = {k: agencies.get(k) or by_alias[k] for k in first_rows}
    now = timezone.now()
    filled = []
    for map_key, row in first_rows.items():
        name, county, kind = info[resolved[map_key]]
        # Fill what the directory does not know yet; never overwrite what it does.
        if (not county and row.county) or (kind == "other" and row.kind != "other"):
            county, kind = county or row.county[:100], row.kind if kind == "other" else kind
            filled.append((resolved[map_key], county, kind, now))
    bulk.update(Agency, ["county", "kind", "updated_at"], filled)
    aliases = []
    for (state, key, _model), row in rows.items():
        agency_id, name = resolved[(state, key)], row.agency_name[:NAME_MAX]
        if name != info[agency_id][0] and (agency_id, name) not in spellings:
            spellings.add((agency_id, name))
            aliases.append((agency_id, name, key, now))
    bulk.insert(
        AgencyAlias, ["agency_id", "name", "match_key", "created_at"], aliases,
        ignore_conflicts=True,
    )  # fmt: skip
    return resolved


def _agencies_create(new: list[tuple[tuple[str, str], ParsedRow]], agencies, info) -> None:
    if not new:
        return
    now = timezone.now()
    values = [
        (public_id, row.agency_name[:NAME_MAX], key, state, row.kind, row.county[:100], "",
         "", now, now)
        for public_id, ((state, key), row) in zip(bulk.uuids(len(new)), new, strict=True)
    ]  # fmt: skip
    ids = bulk.insert(Agency, AGENCY_FIELDS, values, ignore_conflicts=True)
    if ids is None:  # someone created one of them meanwhile: read the ids back
        wanted = {map_key for map_key, _row in new}
        found = list(
            Agency.objects.filter(
                state__in={s for s, _ in wanted}, match_key__in={k for _, k in wanted}
            ).values_list("id", "state", "match_key", "name", "county", "kind")
        )
        ids = {(s, k): pk for pk, s, k, *_rest in found}
        for pk, _s, _k, name, county, kind in found:
            info[pk] = [name, county, kind]
        agencies.update({k: v for k, v in ids.items() if k in wanted})
        return
    for pk, value, (map_key, _row) in zip(ids, values, new, strict=True):
        agencies[map_key] = pk
        info[pk] = [value[1], value[5], value[4]]


# ------------------------------------------------------------------------- agreements


def _is_backfill(run: AgreementImport, list_kind: str, list_date: dt.date) -> bool:
    """True when a list already applied sorts after this one (date, then participating
    before pending on the same date)."""
    mine = (list_date, lifecycle.KIND_ORDER[list_kind])
    later = (
        AgreementImport.objects.filter(status=ImportStatus.DONE, list_date__gte=list_date)
        .exclude(pk=run.pk)
        .values_list("list_date", "list_kind")
    )
    return any((on, lifecycle.KIND_ORDER.get(kind, 0)) > mine for on, kind in later)


def _applied_lists(run: AgreementImport, current: ListView) -> list[ListView]:
    """Every list applied so far plus this one, in list-date order."""
    views: list[tuple[tuple, ListView]] = []
    done = (
        AgreementImport.objects.filter(status=ImportStatus.DONE)
        .exclude(pk=run.pk)
        .order_by("finished_at", "id")
        .values_list("list_kind", "list_date", "sightings")
    )
    for seq, (kind, on, sightings) in enumerate(done):
        if kind not in lifecycle.KIND_ORDER or on is None:
            continue
        seen = {int(k): dt.date.fromisoformat(v) if v else None for k, v in sightings.items()}
        view = ListView(kind, on, seen)
        views.append((view.sort_key(seq), view))
    views.append((current.sort_key(len(views) + 1), current))
    return [view for _key, view in sorted(views, key=lambda pair: pair[0])]


def _spells_of(agreements_qs) -> dict[int, list[Spell]]:
    spells: dict[int, list[Spell]] = defaultdict(list)
    rows = (
        AgreementPeriod.objects.filter(agreement__in=agreements_qs.values("pk"))
        .order_by("start", "id")
        .values_list("agreement_id", "status", "start", "end")
    )
    for agreement_id, status, start, end in rows:
        spells[agreement_id].append(Spell(status, start, end))
    return spells


def _standing(stored: _Stored, spells: list[Spell]) -> Standing:
    return Standing(
        status=stored.status,
        signed_on=stored.signed_on,
        ended_on=stored.ended_on,
        first_seen_on=stored.first_seen_on,
        last_seen_on=stored.last_seen_on,
        spells=[Spell(s.status, s.start, s.end) for s in spells],
    )


def _new_only(events: list[Event], old: list[Event]) -> list[Event]:
    """Events of the fold with this list that the fold without it did not have. An
    agreement is created once: an older list that shows it earlier is not a new creation."""

    def key(event: Event) -> tuple:
        return (event.kind, None if event.kind == "created" else event.effective_on)

    seen = Counter(key(e) for e in old)
    fresh = []
    for event in events:
        if seen[key(event)]:
            seen[key(event)] -= 1
        else:
            fresh.append(event)
    return fresh


# ---------------------------------------------------------------------------- writes

NEW_AGREEMENT_FIELDS = ["public_id", "agency_id", "model", *AGREEMENT_FIELDS, "moa_url",
                        "addendum_url", "created_at", "updated_at"]  # fmt: skip
CHANGE_FIELDS = ["agreement_import_id", "agreement_id", "kind", "effective_on", "before", "after",
                 "created_at"]  # fmt: skip


def _write(results, present, stored, spells, list_kind, list_date, run, applied) -> None:
    now = timezone.now()
    new_keys, new_values = [], []
    updated: list[tuple] = []
    respell: list[object] = []
    link_events: dict[object, Event] = {}
    seen_again: dict[dt.date, list[int]] = defaultdict(list)
    for key, (state, _events) in results.items():
        item = present.get(key)
        if key not in stored:  # new: present on this list, not yet in the directory
            new_keys.append(key)
            new_values.append(
                (item.agency_id, item.parsed.model, *state.fields(),
                 item.parsed.moa_url or "", item.parsed.addendum_url or "", now, now)
            )  # fmt: skip
            continue
        known = stored[key]
        differs = [
            name
            for name, value in zip(AGREEMENT_FIELDS, state.fields(), strict=True)
            if getattr(known, name) != value
        ]
        links = item is not None and _links_apply(known, item.parsed, list_kind, list_date, state)
        if links:
            before = {"moa_url": known.moa_url, "addendum_url": known.addendum_url}
            known.moa_url = item.parsed.moa_url or known.moa_url
            known.addendum_url = item.parsed.addendum_url or known.addendum_url
            after = {"moa_url": known.moa_url, "addendum_url": known.addendum_url}
            link_events[key] = Event("links", list_date, before, after)
        if differs == ["last_seen_on"] and not links:
            # Merely seen again: one UPDATE for all of them instead of a CASE per row.
            seen_again[state.last_seen_on].append(known.id)
        elif differs or links:
            updated.append((known.id, *state.fields(), known.moa_url, known.addendum_url, now))
        if [s.key() for s in spells.get(key, [])] != state.spell_keys():
            respell.append(key)

    ids = {key: key for key in results if key in stored}
    new_values = [
        (public_id, *values)
        for public_id, values in zip(bulk.uuids(len(new_values)), new_values, strict=True)
    ]
    ids.update(zip(new_keys, bulk.insert(Agreement, NEW_AGREEMENT_FIELDS, new_values), strict=True))
    bulk.update(Agreement, [*AGREEMENT_FIELDS, "moa_url", "addendum_url", "updated_at"], updated)
    for last_seen_on, pks in seen_again.items():
        Agreement.objects.filter(pk__in=pks).update(last_seen_on=last_seen_on)

    if respell:
        AgreementPeriod.objects.filter(agreement_id__in=respell).delete()
    periods = [
        (ids[key], s.status, s.start, s.end)
        for key in [*respell, *new_keys]
        for s in results[key][0].spells
    ]
    bulk.insert(AgreementPeriod, ["agreement_id", "status", "start", "end"], periods)

    changes = []
    for key, (_state, events) in results.items():
        every = [*events, link_events[key]] if key in link_events else events
        kinds = {event.kind for event in events}
        if "created" in kinds:
            applied.created += 1
        elif "ended" in kinds:
            applied.ended += 1
        elif every:
            applied.changed += 1
        elif key in present:
            applied.unchanged += 1
        changes += [
            ChangeRecord(ids[key], e.kind, e.effective_on, e.before, e.after) for e in every
        ]
    bulk.insert(
        AgreementChange,
        CHANGE_FIELDS,
        [(run.pk, c.agreement_id, c.kind, c.effective_on, c.before, c.after, now) for c in changes],
    )
    applied.changes = changes
    applied.sightings = {
        str(ids[key]): item.parsed.signed.isoformat() if item.parsed.signed else None
        for key, item in present.items()
    }


def _links_apply(known: _Stored, row: ParsedRow, list_kind, list_date, state: Standing) -> bool:
    """New MOA/addendum addresses count when the list is at least as new as the last one
    that showed the agreement; a pending list never edits an active agreement's links."""
    if list_kind != PARTICIPATING and state.status == AgreementStatus.ACTIVE:
        return False
    if list_date < known.last_seen_on:
        return False
    return bool(
        (row.moa_url and row.moa_url != known.moa_url)
        or (row.addendum_url and row.addendum_url != known.addendum_url)
    )
