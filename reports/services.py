"""Requesting, rendering and downloading reports. Every step is checked and audited.

A request stores a Report (status queued) and enqueues `reports.tasks.report_render`
after commit. The task calls `report_run`, which claims the row with a compare-and-set
(queued → running), so a redelivered task never renders twice. A run whose process died
is reclaimed at once when the worker that notices is on the same host (the claim names the
process: host, pid and start time), and by anyone once its lease (time limit + 60 s) is over.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from contextlib import contextmanager

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.services import notify
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from cases.selectors import case_get_for_user
from reports.exports import tables_csv_zip, tables_xlsx
from reports.figures import report_content
from reports.figures.agency_pattern import record_checksum
from reports.models import Report, ReportKind, ReportStatus
from reports.params import may_request, report_params_clean
from reports.rendering import render_pdf

logger = logging.getLogger(__name__)

TEMPLATES = {
    ReportKind.QUARTERLY: "reports/pdf/quarterly.html",
    ReportKind.AGENCY_PATTERN: "reports/pdf/agency_pattern.html",
    ReportKind.CASE_CHRONOLOGY: "reports/pdf/case_chronology.html",
}
FORMATS = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv_zip", "application/zip"),
}


class ReportUnavailable(Exception):
    """The report can no longer be produced for its requester (access or record gone)."""


def _case_id_of(report: Report) -> int | None:
    ids = report.case_ids or []
    return ids[0] if report.kind == ReportKind.CASE_CHRONOLOGY and ids else None


def report_request(*, actor, kind: str, params: dict) -> Report:
    """Validate, store and queue a report. ValidationError, PermissionDenied or Http404."""
    from reports.tasks import report_render  # the task module imports this one

    clean, title = report_params_clean(actor=actor, kind=kind, params=params)
    case_ids = []
    if kind == ReportKind.CASE_CHRONOLOGY:
        case_ids = [case_get_for_user(user=actor, public_id=clean["case"]).pk]
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind, params=clean, title=title, requested_by=actor, case_ids=case_ids
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=report,
            case_id=_case_id_of(report),
            summary=f"Report requested: {title}",
        )
        # robust: a broker outage is logged, not raised into the page; the row is committed
        # as queued and reports_reconcile sends it once the broker is back.
        transaction.on_commit(lambda: report_render.delay(report.pk), robust=True)
    return report


def report_rerun(*, actor, report: Report) -> Report:
    """A fresh report with the same parameters (checked again against today's access).
    A stuck original is failed first, so only the new run can finish."""
    if report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        if not report.stuck:
            raise ValidationError("it is still being produced.")
        Report.objects.filter(pk=report.pk, status=report.status).update(
            status=ReportStatus.FAILED, error="Replaced by a new run.", finished_at=timezone.now()
        )
    return report_request(actor=actor, kind=report.kind, params=report.params)


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (Linux), or None if there is no such process.
    With the pid it names one process even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _claim_name(task_id: str) -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid) or ''}:{task_id}"


def _claim_abandoned(claimed_by: str, task_id: str) -> bool:
    """True only when we can be sure nobody is rendering it: the claim is this task's own
    (a retry, or the message handed back after its process was killed; the time limit is
    below the broker's visibility timeout, so the first try is over), or it is from this
    host and its process is dead. Otherwise (another host, no /proc) the lease decides."""
    host, pid, start, claimant = (claimed_by.split(":", 3) + ["", "", ""])[:4]
    if task_id and claimant == task_id:
        return True
    if host != socket.gethostname() or not pid.isdigit() or not start:
        return False
    return _process_start(int(pid)) != start


def _claim(report_id: int, task_id: str = "") -> dt.datetime | None:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + 60)
    takeover = Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING, started_at__lt=stale)
    holder = Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING)
    holder = holder.values_list("claimed_by", flat=True).first()
    if holder and _claim_abandoned(holder, task_id):
        takeover |= Q(status=ReportStatus.RUNNING, claimed_by=holder)
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(takeover)
        .update(
            status=ReportStatus.RUNNING,
            started_at=now,
            claimed_by=_claim_name(task_id),
            attempts=F("attempts") + 1,
            error="",
        )
    )
    return now if claimed else None


def reports_reclaim_orphans() -> list[int]:
    """At worker start: re-send reports that a dead process on this host was rendering
    (the worker was killed or restarted), instead of waiting for their lease."""
    from reports.tasks import report_render  # the task module imports this one

    host = socket.gethostname()
    running = Report.objects.filter(status=ReportStatus.RUNNING, claimed_by__startswith=f"{host}:")
    sent = []
    for pk, holder in running.values_list("pk", "claimed_by"):
        if _claim_abandoned(holder, task_id=""):
            report_render.delay(pk)
            sent.append(pk)
    if sent:
        logger.warning("Re-sent reports whose render process died: %s", sent)
    return sent


def _fail(report: Report, reason: str, *, started: dt.datetime | None = None) -> None:
    rows = Report.objects.filter(pk=report.pk)
    if started:
        rows = rows.filter(status=ReportStatus.RUNNING, started_at=started)
    else:
        rows = rows.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING])
    if rows.update(status=ReportStatus.FAILED, error=reason[:1000], finished_at=timezone.now()):
        notify(
            user=report.requested_by,
            message=f"Report failed: {report.title}. {reason}",
            url=reverse("reports:list") + f"#report-{report.public_id}",
        )


def report_fail(*, report_id: int, reason: str) -> None:
    """Mark a report failed that the task gave up on (retries exhausted)."""
    report = Report.objects.select_related("requested_by").filter(pk=report_id).first()
    if report:
        _fail(report, reason)


@contextmanager
def _one_snapshot():
    """Every figure of a report from one consistent view of the data: on PostgreSQL a
    read-only repeatable-read transaction, so an edit made mid-render cannot make two
    figures disagree. (Inside an outer transaction, as in tests, that one is used.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # A render may run longer than a web request's statement limit.
            cursor.execute(f"SET LOCAL statement_timeout = '{settings.REPORT_TIME_LIMIT}s'")
        yield


def _render(report: Report) -> dict:
    user = report.requested_by
    if not user.is_active or not may_request(actor=user, kind=report.kind):
        raise ReportUnavailable("You no longer have access to this kind of report.")
    as_of = timezone.now()
    try:
        with _one_snapshot():
            content = report_content(kind=report.kind, user=user, params=report.params)
    except Http404:
        raise ReportUnavailable("The case is no longer in your offices.") from None
    record_ids = content.get("record_ids")
    manifest = {
        "data_as_of": as_of.isoformat(),
        "parameters": report.params,
        "threshold": content["threshold"],
        "listing_cap": settings.REPORT_LISTING_CAP,
    }
    if record_ids is not None:
        manifest["record_checksum"] = record_checksum(record_ids)
        if content["threshold"] is None:  # an exact count: never in a de-identified report
            manifest["record_count"] = len(record_ids)
    context = {
        **content,
        "report": report,
        "manifest": manifest,
        "as_of": timezone.localtime(as_of),
        "privileged": report.privileged,
    }
    pdf = render_pdf(template=TEMPLATES[report.kind], context=context)
    tables = content["tables"]
    return {
        "pdf": pdf,
        "xlsx": tables_xlsx(tables, title=report.title),
        "csv_zip": tables_csv_zip(tables),
        "manifest": manifest,
        "case_ids": content.get("case_ids", []),
    }


def report_run(*, report_id: int, task_id: str = "") -> None:
    """Render one report if it is ours to render; any failure leaves a reason on it.

    Transient database errors propagate so the task can retry (see tasks.py); the retry,
    carrying the same task id, may take its own claim back.
    """
    started = _claim(report_id, task_id)
    if started is None:
        return
    report = Report.objects.select_related("requested_by").get(pk=report_id)
    try:
        output = _render(report)
    except ReportUnavailable as exc:
        _fail(report, str(exc), started=started)
        return
    except SoftTimeLimitExceeded:
        _fail(report, f"It took longer than {settings.REPORT_TIME_LIMIT} seconds.", started=started)
        return
    except PermissionDenied:
        _fail(report, "You no longer have access to this report.", started=started)
        return
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("Report %s failed to render (ref %s)", report.public_id, ref)
        _fail(report, f"An internal error stopped it (reference {ref}).", started=started)
        return
    stem = f"{slugify(report.get_kind_display())}-{report.public_id}"
    pdf = output["pdf"]
    try:
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf.data), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(output["xlsx"]), save=False)
        report.csv_zip.save(f"{stem}-csv.zip", ContentFile(output["csv_zip"]), save=False)
    except OSError as exc:
        # Full or read-only media folder: remove what was written, say why.
        logger.exception("Report %s files could not be saved", report.public_id)
        _delete_files(report)
        reason = exc.strerror or type(exc).__name__
        _fail(report, f"The files could not be saved ({reason}).", started=started)
        return
    done = Report.objects.filter(
        pk=report.pk, status=ReportStatus.RUNNING, started_at=started
    ).update(
        status=ReportStatus.DONE,
        pdf=report.pdf.name,
        xlsx=report.xlsx.name,
        csv_zip=report.csv_zip.name,
        checksum=pdf.checksum,
        page_count=pdf.page_count,
        manifest=output["manifest"],
        case_ids=output["case_ids"],
        finished_at=timezone.now(),
    )
    if not done:
        # Someone reclaimed the row meanwhile (we were presumed dead): drop our files.
        _delete_files(report)
        return
    notify(
        user=report.requested_by,
        message=f"Report ready: {report.title} ({pdf.page_count} pages).",
        url=reverse("reports:list") + f"#report-{report.public_id}",
        email_subject="Your report is ready",
    )


def reports_reconcile() -> list[int]:
    """Re-send reports whose message was lost (queued for REPORT_STUCK_MINUTES) and reclaim
    those whose worker died (running past the lease); fail one after REPORT_MAX_ATTEMPTS.

    Sending twice is harmless: report_run claims the row with a compare-and-set.
    """
    from reports.tasks import report_render  # the task module imports this one

    now = timezone.now()
    queued_before = now - dt.timedelta(minutes=settings.REPORT_STUCK_MINUTES)
    lease_before = now - dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + 60)
    stuck = Report.objects.select_related("requested_by").filter(
        Q(status=ReportStatus.QUEUED, created_at__lt=queued_before)
        | Q(status=ReportStatus.RUNNING, started_at__lt=lease_before)
    )
    sent = []
    for report in stuck:
        if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
            _fail(
                report,
                f"It was interrupted {report.attempts} times (the worker stopped or ran out "
                "of memory); gave up. Use Run again.",
            )
            continue
        try:
            report_render.delay(report.pk)
        except Exception:
            logger.warning("Broker unavailable; report %s stays queued", report.pk)
            break
        sent.append(report.pk)
    if sent:
        logger.warning("Re-sent stuck reports: %s", sent)
    return sent


def _delete_files(report: Report) -> None:
    for field in (report.pdf, report.xlsx, report.csv_zip):
        if field.name:
            field.storage.delete(field.name)


def report_download(*, actor, report: Report, fmt: str, ip: str | None = None):
    """The stored file of one format, after auditing who took it.

    Each case a privileged report names gets its own audit entry, so the case's audit
    trail shows every download of a report that lists it.
    """
    if fmt not in FORMATS or report.status != ReportStatus.DONE:
        raise Http404("No such file")
    field = getattr(report, FORMATS[fmt][0])
    if not field:
        raise Http404("No such file")
    summary = f"Report downloaded ({fmt}): {report.title}"
    audit_record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        target=report,
        case_id=_case_id_of(report),
        summary=summary,
        ip=ip,
    )
    if report.kind == ReportKind.AGENCY_PATTERN and report.case_ids:
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=actor,
                    action=AuditAction.DOWNLOAD,
                    target_type=report._meta.label,
                    target_id=str(report.public_id),
                    case_id=case_id,
                    summary=summary[:300],
                    ip=ip,
                )
                for case_id in report.case_ids
            ],
            batch_size=500,
        )
    return field, FORMATS[fmt][1]
