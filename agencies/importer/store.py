"""Write one parsed ICE list into the directory, then rebuild the directory from every list.

Runs inside the caller's transaction (agencies.services.agreement_import_run holds the import
lock). An import stores the list's rows (ListRow: the evidence) and resolves their agencies;
then `directory_rebuild` recomputes every agreement, period and change from the rows of
all lists held, in list-date order (agencies.importer.lifecycle for status and changes,
agencies.importer.history for the spells). The result depends on the lists held, never on
the order they arrived in; an older list imported late, or the same list twice, is just
another input. Only differences are written: rows that did not change are left alone, and a
change the rebuilt history no longer contains is deleted, never kept beside the new one.
Every step is a bulk statement (COPY on PostgreSQL, importer.bulk).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils import timezone

from agencies.importer import bulk, history, lifecycle
from agencies.importer.history import Listing
from agencies.importer.lifecycle import PARTICIPATING, ListView, Standing
from agencies.importer.matching import spelling_key, typo_of
from agencies.importer.normalize import agency_match_key
from agencies.importer.parser import ParsedList, ParsedRow
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    ImportStatus,
    ListRow,
    RenameCandidate,
)
from agencies.signals import directory_rebuilt

NAME_MAX = 200
AGREEMENT_FIELDS = ("status", "signed_on", "ended_on", "first_seen_on", "last_seen_on")


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
    changes: list[ChangeRecord] = field(default_factory=list)


def list_apply(
    *, parsed: ParsedList, list_kind: str, list_date: dt.date, run: AgreementImport
) -> Applied:
    # An import allocates ~100k short-lived objects without reference cycles; a full
    # collection of a Django process in the middle of it costs as much as its writes.
    enabled = gc.isenabled()
    gc.disable()
    try:
        applied = Applied(backfilled=_is_backfill(run, list_kind, list_date))
        rows = _merge(parsed.rows, applied.notes)
        _agencies_resolve(rows, applied.notes)
        _rows_store(run, parsed.rows)
        run.list_kind, run.list_date = list_kind, list_date
        directory_rebuild(current=run, applied=applied)
        return applied
    finally:
        if enabled:
            gc.enable()


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


# --------------------------------------------------------------------------- agencies


_TWO_SPELLINGS = "another spelling of an agency on this list: merged into one agency"
_TYPO = "read as a misspelling of an agency already in the directory: merged into it"
AGENCY_FIELDS = ["public_id", "name", "match_key", "state", "kind", "county", "city", "ori",
                 "created_at", "updated_at"]  # fmt: skip


def _agencies_resolve(
    rows: dict[tuple, ParsedRow], notes: list[dict]
) -> dict[tuple[str, str], int]:
    """(state, match key) → agency id, creating agencies and recording new spellings.
    Display names and counties are set by the rebuild, from the newest list."""
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
    names = Agency.objects.filter(state__in=states).values_list("id", "state", "name")
    alias_names = AgencyAlias.objects.filter(agency__state__in=states).values_list(
        "agency_id", "agency__state", "name"
    )
    by_spelling: dict[tuple[str, str], set[int]] = defaultdict(set)
    for pk, state, name in [*names, *alias_names]:
        by_spelling[(state, spelling_key(name, state))].add(pk)
    to_create: dict[tuple[str, str], tuple[str, str]] = {}  # spelling key → first exact key
    same_as: dict[tuple[str, str], tuple[str, str]] = {}  # exact key → exact key created
    for map_key, row in first_rows.items():
        if map_key in agencies or map_key in by_alias:
            continue
        spelled = (map_key[0], spelling_key(row.agency_name, map_key[0]))
        candidates = by_spelling.get(spelled, set())
        if not candidates:
            typos = {
                pk
                for (state, other), pks in by_spelling.items()
                if state == spelled[0] and typo_of(spelled[1], other)
                for pk in pks
            }
            candidates = typos if len(typos) == 1 else set()
            if candidates:
                notes.append(_note(row, "warning", _TYPO))
        if len(candidates) == 1:
            by_alias[map_key] = next(iter(candidates))
        elif spelled in to_create:  # two spellings of one new agency in this list
            same_as[map_key] = to_create[spelled]
        else:
            to_create[spelled] = map_key
    _agencies_create([(k, first_rows[k]) for k in to_create.values()], agencies, info)
    for map_key, created_key in same_as.items():
        by_alias[map_key] = agencies[created_key]

    resolved = {k: agencies.get(k) or by_alias[k] for k in first_rows}
    for map_key in same_as:
        notes.append(_note(first_rows[map_key], "warning", _TWO_SPELLINGS))
    now = timezone.now()
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


ROW_FIELDS = ["agreement_import_id", "row_number", "state", "agency_name", "match_key", "model",
              "kind", "county", "signed", "moa_url", "addendum_url"]  # fmt: skip


def _rows_store(run: AgreementImport, rows: list[ParsedRow]) -> None:
    keys: dict[str, str] = {}
    values = []
    for row in rows:
        if row.agency_name not in keys:
            keys[row.agency_name] = agency_match_key(row.agency_name)[:NAME_MAX]
        values.append(
            (run.pk, row.row_number, row.state, row.agency_name[:NAME_MAX],
             keys[row.agency_name], row.model, row.kind, row.county[:100], row.signed,
             (row.moa_url or "")[:1000], (row.addendum_url or "")[:1000])
        )  # fmt: skip
    bulk.insert(ListRow, ROW_FIELDS, values)


def _is_backfill(run: AgreementImport, list_kind: str, list_date: dt.date) -> bool:
    """True when a list already applied sorts after this one (date, then participating
    before pending on the same date). Informational: the rebuild is the same either way."""
    mine = (list_date, lifecycle.KIND_ORDER[list_kind])
    later = (
        AgreementImport.objects.filter(status=ImportStatus.DONE, list_date__gte=list_date)
        .exclude(pk=run.pk)
        .values_list("list_date", "list_kind")
    )
    return any((on, lifecycle.KIND_ORDER.get(kind, 0)) > mine for on, kind in later)


# --------------------------------------------------------------------------- rebuild


@dataclass
class _Agg:
    """Everything the lists say about one agreement (agency, model)."""

    shown: dict[str, dict[dt.date, Listing]] = field(
        default_factory=lambda: {PARTICIPATING: {}, lifecycle.PENDING_LIST: {}}
    )
    links: list[tuple[tuple, str, str]] = field(default_factory=list)  # (order, moa, addendum)


def _file_name(source: str) -> str:
    return PurePosixPath(source.split("?", 1)[0]).name or source[:200]


def _listing_order(kind: str, on: dt.date) -> tuple:
    return (on, lifecycle.KIND_ORDER[kind])


def directory_rebuild(
    *, current: AgreementImport | None = None, applied: Applied | None = None
) -> list[ChangeRecord]:
    """Recompute agreements, periods and changes from the rows of every list held (the
    applied imports, plus `current` while it runs). Returns the changes it added."""
    applied = applied or Applied()
    runs = AgreementImport.objects.filter(status=ImportStatus.DONE).exclude(list_date=None)
    runs = list(runs.values_list("id", "list_kind", "list_date", "source"))
    if current is not None and current.pk not in {r[0] for r in runs}:
        runs.append((current.pk, current.list_kind, current.list_date, current.source))
    runs = [r for r in runs if r[1] in lifecycle.KIND_ORDER]
    info = {pk: (kind, on, _file_name(source)) for pk, kind, on, source in runs}
    # Which import a change is tied to: the current one for its own list, else the first.
    view_import: dict[tuple, int] = {}
    for pk, kind, on, _source in sorted(runs, key=lambda r: r[0]):
        view_import.setdefault((on, kind), pk)
    if current is not None:
        view_import[(current.list_date, current.list_kind)] = current.pk

    agency_of = _agency_keys()
    rows = (
        ListRow.objects.filter(agreement_import_id__in=info)
        .order_by()
        .values_list("agreement_import_id", "row_number", "state", "match_key", "model",
                     "signed", "agency_name", "county", "kind", "moa_url", "addendum_url")
    )  # fmt: skip
    aggs: dict[tuple[int, str], _Agg] = defaultdict(_Agg)
    newest: dict[int, tuple] = {}  # agency id → (order, name, kind) of its newest row
    counties: dict[int, tuple] = {}  # agency id → (order, county) of its newest county
    current_rows: dict[tuple[int, str], tuple[int, str, str]] = {}  # the current list's rows
    agency_state: dict[int, str] = {}
    spellings: dict[int, set[str]] = defaultdict(set)
    for run_id, row_no, state, key, model, signed, name, county, kind, moa, addendum in rows:
        agency_id = agency_of[(state, key)]
        list_kind, on, file = info[run_id]
        shown = aggs[(agency_id, model)].shown[list_kind]
        mine = Listing(on, file, row_no, signed)
        kept = shown.get(on)
        # Two rows for one agreement on one list: the one with a signed date, then the first.
        if kept is None or (kept.signed is None, kept.file, kept.row) > (
            mine.signed is None,
            mine.file,
            mine.row,
        ):
            shown[on] = mine
        if list_kind == PARTICIPATING and (moa or addendum):
            aggs[(agency_id, model)].links.append(((on, file, row_no), moa, addendum))
        order = (_listing_order(list_kind, on), file, -row_no)
        if agency_id not in newest or order > newest[agency_id][0]:
            newest[agency_id] = (order, name, kind)
        if county and (agency_id not in counties or order > counties[agency_id][0]):
            counties[agency_id] = (order, county)
        spellings[agency_id].add(name)
        agency_state[agency_id] = state
        if current is not None and run_id == current.pk:
            current_rows.setdefault((agency_id, model), (row_no, state, name))

    dates = {
        kind: sorted({on for k, on, _f in info.values() if k == kind})
        for kind in lifecycle.KIND_ORDER
    }
    views = [
        ListView(
            kind,
            on,
            {},
            current is not None and (on, kind) == (current.list_date, current.list_kind),
        )
        for kind in lifecycle.KIND_ORDER
        for on in dates[kind]
    ]
    views.sort(key=ListView.sort_key)
    for key, agg in aggs.items():
        for view in views:
            listing = agg.shown[view.kind].get(view.on)
            if listing is not None:
                view.sightings[key] = listing.signed

    results = {}
    for key, agg in aggs.items():
        state = Standing()
        events, before_current = lifecycle.fold(state, views, key)
        spells = history.periods(
            participating=dates[PARTICIPATING],
            pending=dates[lifecycle.PENDING_LIST],
            shown_active=agg.shown[PARTICIPATING],
            shown_pending=agg.shown[lifecycle.PENDING_LIST],
        )
        events += _link_events(agg)
        results[key] = (state, spells, events, _links_now(agg))
        if (
            current is not None
            and current.list_kind != PARTICIPATING
            and before_current == lifecycle.ACTIVE
            and key in current_rows
        ):
            applied.already_active += 1
            row_no, row_state, row_name = current_rows[key]
            applied.notes.append(
                {"row": row_no, "state": row_state, "agency": row_name, "model": key[1],
                 "kind": "already_active", "note": _already_active(state)}
            )  # fmt: skip

    _agencies_refresh(newest, counties, spellings)
    _renames_propose(results, newest, counties, agency_state)
    ids, new_ids = _agreements_write(results)
    respelled = _periods_write(results, ids)
    added = _changes_write(results, ids, view_import)
    if current is not None:
        present = {
            ids[key]
            for key, agg in aggs.items()
            if current.list_date in agg.shown[current.list_kind]
        }
        _count(applied, present, added, new_ids)
    applied.changes = added
    agency_by_agreement = {pk: key[0] for key, pk in ids.items()}
    directory_rebuilt.send(
        sender=Agreement, agency_ids={agency_by_agreement[pk] for pk in respelled}
    )
    return added


def _agency_keys() -> dict[tuple[str, str], int]:
    """(state, match key) → agency: the agency's own key first, then its aliases."""
    found: dict[tuple[str, str], int] = {}
    aliases = AgencyAlias.objects.order_by("agency_id").values_list(
        "agency__state", "match_key", "agency_id"
    )
    for state, key, agency_id in aliases:
        found.setdefault((state, key), agency_id)
    found.update(
        ((state, key), pk)
        for pk, state, key in Agency.objects.values_list("id", "state", "match_key")
    )
    return found


def _links_by_list(agg: _Agg) -> list[tuple[dt.date, str, str]]:
    """The MOA and addendum addresses of each participating list, in date order; one row
    per list (the first, when ICE repeats the agreement on one list)."""
    by_date: dict[dt.date, tuple[str, str]] = {}
    for (on, _file, _row), moa, addendum in sorted(agg.links):
        by_date.setdefault(on, (moa, addendum))
    return [(on, moa, addendum) for on, (moa, addendum) in sorted(by_date.items())]


def _link_events(agg: _Agg) -> list[lifecycle.Event]:
    """A new MOA or addendum address on a later participating list."""
    events = []
    moa = addendum = None
    for on, new_moa, new_addendum in _links_by_list(agg):
        after_moa, after_addendum = new_moa or moa or "", new_addendum or addendum or ""
        if moa is not None and (after_moa, after_addendum) != (moa, addendum):
            events.append(
                lifecycle.Event(
                    "links", on, {"moa_url": moa, "addendum_url": addendum},
                    {"moa_url": after_moa, "addendum_url": after_addendum},
                )
            )  # fmt: skip
        moa, addendum = after_moa, after_addendum
    return events


def _links_now(agg: _Agg) -> tuple[str, str]:
    moa = addendum = ""
    for _on, new_moa, new_addendum in _links_by_list(agg):
        moa, addendum = new_moa or moa, new_addendum or addendum
    return moa, addendum


def _already_active(state: Standing) -> str:
    signed = f" (signed {state.signed_on.isoformat()})" if state.signed_on else ""
    return f"already active{signed}: kept active, not pending"


def _agencies_refresh(newest: dict, counties: dict, spellings: dict[int, set[str]]) -> None:
    """Display name and county follow the newest list; every other spelling is an alias."""
    now = timezone.now()
    wanted = newest
    current = {
        pk: (name, county, kind)
        for pk, name, county, kind in Agency.objects.filter(pk__in=wanted).values_list(
            "id", "name", "county", "kind"
        )
    }
    updates = []
    for pk, (_order, name, kind) in wanted.items():
        county = counties[pk][1] if pk in counties else current[pk][1]
        kind = current[pk][2] if current[pk][2] != "other" else kind
        if (name, county, kind) != current[pk]:
            updates.append((pk, name, county, kind, now))
    bulk.update(Agency, ["name", "county", "kind", "updated_at"], updates)
    have = set(AgencyAlias.objects.filter(agency_id__in=wanted).values_list("agency_id", "name"))
    aliases = [
        (pk, name, agency_match_key(name)[:NAME_MAX], now)
        for pk, names in spellings.items()
        for name in sorted(names)
        if name != wanted[pk][1] and (pk, name) not in have
    ]
    bulk.insert(
        AgencyAlias, ["agency_id", "name", "match_key", "created_at"], aliases,
        ignore_conflicts=True,
    )  # fmt: skip


_GENERIC = frozenset(
    "county sheriffs office department police city town village borough saint fort state "
    "of and the district jail corrections correctional services public safety marshal "
    "patrol highway constable precinct detention center regional authority".split()
)


def _renames_propose(results: dict, newest: dict, counties: dict, agency_state: dict) -> None:
    """Put every possible rename the spelling rules did not merge in the review queue: an
    agreement's last spell ended (last listed … gone by) just as the first spell of another
    agreement began (same state and model, another agency), and the two agencies share
    their county or a distinctive word of their names."""
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for (agency_id, model), (_state, spells, _events, _links) in results.items():
        if spells:
            last = spells[-1]
            first = min(s.listed_from for s in spells)
            groups[(agency_state[agency_id], model)].append(
                (agency_id, first, last.last_listed, last.gone_by)
            )

    def words(agency_id: int) -> set[str]:
        key = spelling_key(newest[agency_id][1], agency_state[agency_id])
        return {w for w in key.split() if w not in _GENERIC and len(w) > 2}

    def county(agency_id: int) -> str:
        return counties.get(agency_id, (None, ""))[1].casefold()

    proposals = []
    now = timezone.now()
    for (_state, model), items in groups.items():
        for old, _first, last_listed, gone_by in items:
            if gone_by is None:
                continue
            for new, first, _last, _gone in items:
                if new == old or not (last_listed < first <= gone_by):
                    continue
                shared = words(old) & words(new)
                same_county = county(old) and county(old) == county(new)
                if not (shared or same_county):
                    continue
                reason = (
                    f"same county ({county(old)})"
                    if same_county
                    else "shares " + ", ".join(sorted(shared))
                )
                proposals.append((old, new, model, first, reason[:200], "open", now))
    # A handful of rows: plain bulk_create, the pairs already proposed (or decided) skipped.
    RenameCandidate.objects.bulk_create(
        [
            RenameCandidate(old_agency_id=old, new_agency_id=new, model=model, on=on,
                            reason=reason, status=status, created_at=created)
            for old, new, model, on, reason, status, created in proposals
        ],
        ignore_conflicts=True,
    )  # fmt: skip


NEW_AGREEMENT_FIELDS = ["public_id", "agency_id", "model", *AGREEMENT_FIELDS, "moa_url",
                        "addendum_url", "created_at", "updated_at"]  # fmt: skip
PERIOD_FIELDS = ["agreement_id", "status", "start", "end", "listed_from", "last_listed",
                 "gone_by", "end_unknown", "signed_on", "listings"]  # fmt: skip
CHANGE_FIELDS = ["agreement_import_id", "agreement_id", "kind", "effective_on", "before", "after",
                 "created_at"]  # fmt: skip


def _agreements_write(results: dict) -> tuple[dict[tuple, int], set[int]]:
    """Create, update and delete agreements to match the results; (agency, model) → id,
    and the ids created."""
    now = timezone.now()
    stored = {
        (row[1], row[2]): row
        for row in Agreement.objects.values_list(
            "id", "agency_id", "model", *AGREEMENT_FIELDS, "moa_url", "addendum_url"
        )
    }
    ids = {key: row[0] for key, row in stored.items() if key in results}
    new_keys, new_values, updates = [], [], []
    for key, (state, _spells, _events, links) in results.items():
        values = (*state.fields(), *links)
        row = stored.get(key)
        if row is None:
            new_keys.append(key)
            new_values.append((*key, *values, now, now))
        elif tuple(row[3:]) != values:
            updates.append((row[0], *values, now))
    fresh = [
        (pid, *values) for pid, values in zip(bulk.uuids(len(new_values)), new_values, strict=True)
    ]
    new_ids = bulk.insert(Agreement, NEW_AGREEMENT_FIELDS, fresh)
    ids.update(zip(new_keys, new_ids, strict=True))
    bulk.update(Agreement, [*AGREEMENT_FIELDS, "moa_url", "addendum_url", "updated_at"], updates)
    # An agreement no list shows any more (its rows went to another agency on a merge).
    gone = [row[0] for key, row in stored.items() if key not in results]
    if gone:
        Agreement.objects.filter(pk__in=gone).delete()
    return ids, set(new_ids)


def _periods_write(results: dict, ids: dict[tuple, int]) -> list[int]:
    """Rewrite the periods of agreements whose spells changed; returns their ids."""
    stored: dict[int, list[tuple]] = defaultdict(list)
    for row in AgreementPeriod.objects.order_by("agreement_id", "start", "status").values_list(
        "agreement_id", *PERIOD_FIELDS[1:]
    ):
        stored[row[0]].append(tuple(row[1:]))
    wanted = {ids[key]: [p.key() for p in spells] for key, (_s, spells, _e, _l) in results.items()}
    redo = [pk for pk, keys in wanted.items() if stored.get(pk, []) != keys]
    if redo:
        AgreementPeriod.objects.filter(agreement_id__in=redo).delete()
    bulk.insert(AgreementPeriod, PERIOD_FIELDS, [(pk, *key) for pk in redo for key in wanted[pk]])
    return redo


def _canon(value: dict) -> str:
    return json.dumps(value, sort_keys=True)


def _changes_write(results: dict, ids: dict[tuple, int], view_import: dict) -> list[ChangeRecord]:
    """Make the stored changes equal the rebuilt history's: delete what it no longer has,
    add what it has anew (those are what this import changed)."""
    stored: dict[tuple, list[int]] = defaultdict(list)
    for pk, agreement_id, kind, on, before, after in AgreementChange.objects.order_by(
        "id"
    ).values_list("id", "agreement_id", "kind", "effective_on", "before", "after"):
        stored[(agreement_id, kind, on, _canon(before), _canon(after))].append(pk)
    now = timezone.now()
    added, values, stale = [], [], []
    wanted: Counter = Counter()
    events_by_key = {}
    for key, (_state, _spells, events, _links) in results.items():
        for event in events:
            change_key = (ids[key], event.kind, event.effective_on, _canon(event.before),
                          _canon(event.after))  # fmt: skip
            wanted[change_key] += 1
            events_by_key[change_key] = event
    for change_key, pks in stored.items():
        stale += pks[wanted[change_key] :]
    for change_key, count in wanted.items():
        event = events_by_key[change_key]
        for _ in range(count - len(stored.get(change_key, []))):
            run_id = view_import[(event.effective_on, event.list_kind)]
            agreement_id = change_key[0]
            values.append((run_id, agreement_id, event.kind, event.effective_on, event.before,
                           event.after, now))  # fmt: skip
            added.append(ChangeRecord(agreement_id, event.kind, event.effective_on,
                                      event.before, event.after))  # fmt: skip
    if stale:
        AgreementChange.objects.filter(pk__in=stale).delete()
    bulk.insert(AgreementChange, CHANGE_FIELDS, values)
    return added


def _count(
    applied: Applied, present: set[int], added: list[ChangeRecord], new_ids: set[int]
) -> None:
    """Counts of the current list's import, by what it changed: agreements it brought into
    the directory, ended, otherwise changed (a re-dated history counts here), left alone."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for change in added:
        kinds[change.agreement_id].add(change.kind)
    for agreement_id in present | set(kinds):
        found = kinds.get(agreement_id, set())
        if agreement_id in new_ids:
            applied.created += 1
        elif "ended" in found:
            applied.ended += 1
        elif found:
            applied.changed += 1
        else:
            applied.unchanged += 1
