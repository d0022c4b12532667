"""Writes to the agency directory: the 287(g) import, its three ways in, and its upkeep.

One importer (`agreement_import_run`) serves the Celery task (fetched lists), the upload
page, `manage.py import_287g`, `directory_load` (seed_demo, tests). The AgreementImport row
is the source of truth for a run: queued → running (compare-and-set) → done / noop /
failed. The whole directory write happens in one transaction behind a lock row, so a
killed worker leaves nothing behind and two runs never interleave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.importer import fetch, store
from agencies.importer.lifecycle import KIND_ORDER
from agencies.importer.listdate import ListDateError, list_date_from_name
from agencies.importer.normalize import agency_match_key
from agencies.importer.parser import ImportFileError, ParsedList, parse_file
from agencies.importer.store import list_apply
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementImport,
    ImportLock,
    ImportStatus,
    ListKind,
    RenameCandidate,
)
from agencies.signals import directory_changed
from audit.models import AuditAction
from audit.services import audit_record

log = logging.getLogger(__name__)

DEMO_DIRECTORY = Path(__file__).resolve().parent / "fixtures" / "demo_287g"
MAX_ATTEMPTS = 3
# Database hiccups worth a retry; anything else is a bug and fails the run loudly.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


# ------------------------------------------------------------------------ creating runs


def agreement_imports_create(
    *,
    files: list[tuple[str, bytes]],
    list_date: dt.date | None = None,
    list_kind: str | None = None,
    actor=None,
) -> list[AgreementImport]:
    """Store several list files (name, bytes) as queued imports; all or none.

    Every file is checked before any is stored, so one bad name stores nothing.
    """
    dates = [
        _checked_date(data=data, filename=name, list_date=list_date, list_kind=list_kind)
        for name, data in files
    ]
    return [
        agreement_import_create(
            data=data, filename=name, list_date=on, list_kind=list_kind, actor=actor
        )
        for (name, data), on in zip(files, dates, strict=True)
    ]


def _checked_date(
    *, data: bytes, filename: str, list_date: dt.date | None, list_kind: str | None
) -> dt.date:
    if len(data) > settings.ICE_287G_MAX_BYTES:
        limit = settings.ICE_287G_MAX_BYTES / (1024 * 1024)
        raise ValidationError({"files": f"{filename} is larger than the {limit:.0f} MB limit."})
    if list_kind and list_kind not in ListKind.values:
        raise ValidationError({"list_kind": f"Unknown list kind {list_kind!r}."})
    if list_date is not None:
        return list_date
    try:
        return list_date_from_name(filename)
    except ListDateError as exc:
        raise ValidationError({"list_date": str(exc)}) from None


def agreement_import_create(
    *,
    data: bytes,
    filename: str,
    source: str = "",
    list_date: dt.date | None = None,
    list_kind: str | None = None,
    actor=None,
) -> AgreementImport:
    """Store a list file as a queued import. The list date comes from the caller or from
    the file name (ICE's names carry it); without one the import is refused."""
    list_date = _checked_date(
        data=data, filename=filename, list_date=list_date, list_kind=list_kind
    )
    run = AgreementImport(
        source=(source or filename)[:1000],
        list_kind=list_kind or "",
        list_date=list_date,
        content_hash=hashlib.sha256(data).hexdigest(),
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    run.upload.save(_safe_name(filename), ContentFile(data), save=False)
    run.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        target=run,
        summary=f"287(g) list queued: {run.source[:200]} (list of {list_date})",
    )
    return run


def agreement_imports_queue(runs: list[AgreementImport]) -> None:
    """Queue runs once the surrounding transaction commits, in list order (one chain)."""
    ids = [run.pk for run in sorted(runs, key=run_order)]
    if not ids:
        return
    from agencies.tasks import agreement_imports_enqueue  # tasks import services

    # robust: a broker outage is logged, not raised into the page or task that queued;
    # the rows are committed as queued and the reconciler sends them later.
    transaction.on_commit(lambda: agreement_imports_enqueue(ids), robust=True)


def run_order(run: AgreementImport) -> tuple:
    kind = run.list_kind or ("pending" if "pending" in run.source.lower() else "participating")
    return (run.list_date or dt.date.max, KIND_ORDER[kind], run.pk)


def _safe_name(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-120:].lstrip(".")
    return name or "list"


# ---------------------------------------------------------------------------- running


def agreement_import_run(*, import_id: int) -> AgreementImport | None:
    """Run one queued import; safe to call twice at once, or again after a crash.

    Returns the import, or None when another worker has it or it is already finished.
    """
    claimed = AgreementImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        error="",
    )
    if not claimed:
        return None
    run = AgreementImport.objects.get(pk=import_id)
    try:
        parsed = None if _applied_before(run) else _parse(run)
        with transaction.atomic():
            _lock(run.pk)
            run = AgreementImport.objects.select_for_update().get(pk=import_id)
            if run.status != ImportStatus.RUNNING:
                return run  # a twin finished it while this one waited for the lock
            if _applied_before(run):
                return _noop(run)
            _apply(run, parsed or _parse(run))
        return run
    except ImportFileError as exc:
        return _fail(run, str(exc))
    except TRANSIENT_DB_ERRORS:
        # Back in the queue so the task's retry (or the reconciler) can claim it again.
        AgreementImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
            status=ImportStatus.QUEUED
        )
        raise
    except Exception as exc:
        log.exception("287(g) import %s failed", import_id)
        _fail(run, f"Unexpected error ({type(exc).__name__}); the details are in the worker log.")
        raise


def agreement_import_fail(*, import_id: int, message: str) -> None:
    """Record a failure decided outside the run (time limit, repeated crashes)."""
    AgreementImport.objects.filter(
        pk=import_id,
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.FAILED],
    ).update(status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now())


def _parse(run: AgreementImport) -> ParsedList:
    data = _read_upload(run)
    if run.list_date is None:
        raise ImportFileError("The import has no list date.")
    parsed = parse_file(
        data,
        filename=run.upload.name or run.source,
        list_kind=run.list_kind or None,
        list_date=run.list_date,
        max_bytes=settings.ICE_287G_MAX_BYTES,
    )
    return parsed


def _read_upload(run: AgreementImport) -> bytes:
    try:
        with run.upload.open("rb") as handle:
            data = handle.read(settings.ICE_287G_MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ImportFileError(f"The stored file cannot be read ({exc}).") from exc
    if hashlib.sha256(data).hexdigest() != run.content_hash:
        raise ImportFileError("The stored file no longer matches what was uploaded.")
    return data


def _applied_before(run: AgreementImport) -> bool:
    return (
        AgreementImport.objects.filter(status=ImportStatus.DONE, content_hash=run.content_hash)
        .exclude(pk=run.pk)
        .exists()
    )


def _lock(import_id: int) -> None:
    """Serialise runs: the first statement of the run's transaction writes the lock row."""
    values = {"held_since": timezone.now(), "import_id": import_id}
    if not ImportLock.objects.filter(pk=1).update(**values):
        ImportLock.objects.bulk_create([ImportLock(pk=1)], ignore_conflicts=True)
        ImportLock.objects.filter(pk=1).update(**values)


def _apply(run: AgreementImport, parsed: ParsedList) -> None:
    applied = list_apply(
        parsed=parsed, list_kind=parsed.list_kind, list_date=run.list_date, run=run
    )
    run.list_kind = parsed.list_kind
    run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    run.created_count = applied.created
    run.changed_count = applied.changed
    run.unchanged_count = applied.unchanged
    run.ended_count = applied.ended
    run.already_active_count = applied.already_active
    run.rejected_count = len(parsed.rejected)
    run.rejected_rows = [
        {"row": r.row_number, "reason": r.reason, "values": r.values} for r in parsed.rejected
    ]
    run.row_notes = applied.notes
    run.backfilled = applied.backfilled
    responses = directory_changed.send(sender=AgreementImport, run=run, changes=applied.changes)
    run.notified_count = sum(notified for _receiver, notified in responses)
    run.save()


def _noop(run: AgreementImport) -> AgreementImport:
    """Same bytes as an applied list: record it, keep nothing else (not even the file)."""
    stored = run.upload.name
    twin = (
        AgreementImport.objects.filter(status=ImportStatus.DONE, content_hash=run.content_hash)
        .exclude(pk=run.pk)
        .first()
    )
    run.list_kind = run.list_kind or (twin.list_kind if twin else "")
    run.status = ImportStatus.NOOP
    run.finished_at = timezone.now()
    run.upload = ""
    run.save(update_fields=["status", "finished_at", "upload", "list_kind"])
    if stored:
        storage = run.upload.storage
        transaction.on_commit(lambda: storage.delete(stored))
    return run


def _fail(run: AgreementImport, message: str) -> AgreementImport:
    try:
        AgreementImport.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    except DatabaseError:
        log.exception("could not record the failure of 287(g) import %s", run.pk)
    run.refresh_from_db()
    return run


# --------------------------------------------------------------------- fetch, reconcile


def agreements_fetch(
    *, urls: list[str] | None = None, final_attempt: bool = True, opener=None
) -> list[AgreementImport]:
    """Download the configured lists and queue one import per file, dated today.

    All downloads happen before anything is written: a transient failure (retried by the
    task) leaves no trace; on the final attempt it is recorded as a failed import.
    """
    urls = settings.ICE_287G_URLS if urls is None else urls
    policy = fetch.Policy(
        allowed_hosts=frozenset(h.lower() for h in settings.ICE_287G_ALLOWED_HOSTS),
        max_bytes=settings.ICE_287G_MAX_BYTES,
        timeout=settings.ICE_287G_FETCH_TIMEOUT,
        schemes=frozenset({"https", "http"} if settings.ICE_287G_ALLOW_HTTP else {"https"}),
    )
    files: list[fetch.Fetched] = []
    failures: list[tuple[str, str]] = []
    for url in urls:
        try:
            files += fetch.lists_download(url, policy, opener=opener)
        except fetch.FetchTransientError as exc:
            if not final_attempt:
                raise
            failures.append((url, str(exc)))
        except fetch.FetchError as exc:
            failures.append((url, str(exc)))
    today = timezone.localdate()
    with transaction.atomic():
        runs = [
            agreement_import_create(data=f.data, filename=f.filename, source=f.url, list_date=today)
            for f in files
        ]
        failed = [
            AgreementImport.objects.create(
                source=url[:1000],
                list_date=today,
                status=ImportStatus.FAILED,
                error=message[:2000],
                finished_at=timezone.now(),
            )
            for url, message in failures
        ]
        agreement_imports_queue(runs)
    return runs + failed


def agreement_imports_reconcile(*, stuck_after: dt.timedelta | None = None) -> list[int]:
    """Re-queue runs whose task was lost (queued too long) or whose worker died (running
    too long while no run holds the lock). Gives up on a run after MAX_ATTEMPTS."""
    if stuck_after is None:
        stuck_after = dt.timedelta(minutes=settings.ICE_287G_STUCK_MINUTES)
    threshold = timezone.now() - stuck_after
    with transaction.atomic():
        # SKIP LOCKED returns no row while a live run holds the lock (PostgreSQL); SQLite
        # has no row locks, and relies on the age threshold being over the time limit.
        lock_free = bool(list(ImportLock.objects.select_for_update(skip_locked=True)[:1]))
        lock_free = lock_free or not ImportLock.objects.exists()
        candidates = list(
            AgreementImport.objects.select_for_update().filter(
                status=ImportStatus.QUEUED, created_at__lte=threshold
            )
        )
        if lock_free:
            candidates += AgreementImport.objects.select_for_update().filter(
                status=ImportStatus.RUNNING, started_at__lte=threshold
            )
        runs = []
        for run in candidates:
            if run.attempts >= MAX_ATTEMPTS:
                agreement_import_fail(
                    import_id=run.pk,
                    message=f"The import was interrupted {run.attempts} times; gave up. "
                    "Check the worker's memory and time limits, then upload it again.",
                )
                continue
            if run.status == ImportStatus.RUNNING:
                run.status = ImportStatus.QUEUED
                run.save(update_fields=["status"])
            runs.append(run)
        agreement_imports_queue(runs)
    if runs:
        log.warning("re-queued stuck 287(g) imports: %s", [run.pk for run in runs])
    return [run.pk for run in runs]


# ------------------------------------------------------------------------- directory


def directory_load(*, paths: list[Path] | None = None, actor=None) -> list[AgreementImport]:
    """Import the demo directory (paths=None) or the given ICE files, in list-date order,
    through the same importer, synchronously. Dates come from the file names."""
    files = sorted(DEMO_DIRECTORY.glob("*.csv")) if paths is None else [Path(p) for p in paths]
    dated = []
    for path in files:
        try:
            dated.append((list_date_from_name(path.name), path))
        except ListDateError as exc:
            raise ValidationError(str(exc)) from None
    dated.sort(key=lambda item: (item[0], "pending" in item[1].name.lower(), item[1].name))
    runs = []
    for list_date, path in dated:
        run = agreement_import_create(
            data=path.read_bytes(), filename=path.name, list_date=list_date, actor=actor
        )
        agreement_import_run(import_id=run.pk)
        run.refresh_from_db()
        if run.status == ImportStatus.FAILED:
            log.warning("directory load: %s failed: %s", path.name, run.error)
        runs.append(run)
    return runs


# ------------------------------------------------------------------ merging and splitting


def directory_rebuild() -> int:
    """Rebuild agreements, periods and changes from the lists held (after a migration, or
    to check that nothing drifted); returns how many changes the rebuild added."""
    with transaction.atomic():
        _lock(None)
        return len(store.directory_rebuild())


def agencies_merge(*, source: Agency, target: Agency, actor) -> Agency:
    """One agency under two records: every spelling of `source` becomes an alias of
    `target`, everything that pointed at `source` (detention events…) points at `target`,
    and the history is rebuilt from the lists. Stored event snapshots are not touched."""
    if source.pk == target.pk or source.state != target.state:
        raise ValidationError("Only two different agencies of the same state can be merged.")
    with transaction.atomic():
        _lock(None)
        names = [source.name, *source.aliases.values_list("name", flat=True)]
        for rel in Agency._meta.related_objects:
            if rel.one_to_many and rel.related_model not in (
                AgencyAlias,
                Agreement,
                RenameCandidate,
            ):
                field = rel.field.name
                rel.related_model._base_manager.filter(**{field: source}).update(**{field: target})
        Agreement.objects.filter(agency=source).delete()  # rebuilt under the target below
        source_label = f"{source.name} ({source.state})"
        source.delete()
        AgencyAlias.objects.bulk_create(
            [
                AgencyAlias(agency=target, name=n, match_key=agency_match_key(n)[:200])
                for n in names
            ],
            ignore_conflicts=True,
        )
        store.directory_rebuild()
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=target,
            summary=f"Merged agency {source_label} into {target.name} ({target.state}); "
            f"history rebuilt",
        )  # fmt: skip
    return target


def alias_split(*, alias: AgencyAlias, actor) -> Agency:
    """Undo a merge of one spelling: it becomes its own agency (with every alias of the
    same key) and the history is rebuilt. Detention events stay with the original."""
    agency = alias.agency
    if alias.match_key == agency.match_key:
        raise ValidationError("That spelling is the agency's own key: it cannot be split off.")
    if Agency.objects.filter(state=agency.state, match_key=alias.match_key).exists():
        raise ValidationError("Another agency already has that spelling.")
    with transaction.atomic():
        _lock(None)
        split = Agency.objects.create(
            name=alias.name, match_key=alias.match_key, state=agency.state,
            county=agency.county, kind=agency.kind,
        )  # fmt: skip
        AgencyAlias.objects.filter(agency=agency, match_key=alias.match_key).delete()
        store.directory_rebuild()
        RenameCandidate.objects.filter(
            Q(old_agency=agency, new_agency=split) | Q(old_agency=split, new_agency=agency)
        ).update(
            status=RenameCandidate.Status.DISMISSED, decided_by=actor, decided_at=timezone.now()
        )
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=split,
            summary=f"Split “{split.name}” off {agency.name} ({agency.state}); history rebuilt",
        )  # fmt: skip
    return split


def rename_dismiss(*, candidate: RenameCandidate, actor) -> None:
    candidate.status = RenameCandidate.Status.DISMISSED
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=candidate.new_agency,
        summary=f"Not a rename: {candidate.old_agency} and {candidate.new_agency}",
    )  # fmt: skip
